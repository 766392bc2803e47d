"""The web chat's JSON shapes (bot/channels/webchat.py): what the page sends and what it hears."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, Field

CLIENT_MSG_ID = r"^[A-Za-z0-9_-]{1,64}$"


class VisitorIn(BaseModel):
    token: str | None = Field(default=None, description="the token this browser already holds, if any")
    customer_id: str | None = Field(default=None, description="the shop's own id of a logged-in customer")
    customer_sig: str | None = Field(default=None, description="hex HMAC-SHA256 of customer_id (identity secret)")


class VisitorOut(BaseModel):
    visitor_id: str
    token: str = Field(description="send it as X-Visitor-Token (or `token` on the WebSocket)")


class MessageIn(BaseModel):
    text: str = Field(description="up to 2000 characters after cleaning (413 text_too_long beyond)")
    client_msg_id: str | None = Field(default=None, pattern=CLIENT_MSG_ID,
                                      description="the same id on a resend gets the first answer again")
    user_id: str | None = Field(default=None, description="when given, must be the token's visitor")


class ChoiceOut(BaseModel):
    """An answer the customer may pick instead of typing it (bot/events.py `Choice`)."""

    reply: str = Field(description="exactly what picking it sends, as if typed")
    label: str = Field(description="what the button shows")


class RepliesOut(BaseModel):
    replies: list[str]
    ids: list[str] = Field(default_factory=list, description="each reply's message id, the `id` the history "
                           "gives it: a page that heard it here does not show it again from a catch-up")
    choices: list[ChoiceOut] = Field(default_factory=list, description="buttons after the last reply")


class HistoryQuery(BaseModel):
    user_id: str | None = None
    after: AwareDatetime | None = Field(
        default=None, description="only the messages at or after this time (the `at` of the newest one the page "
                                  "holds, with its time zone): what a page missed while its connection was down")


class HistoryMessage(BaseModel):
    id: str | None = Field(description="a shop message's id (as its WebSocket event and its reply carried it); a "
                                       "customer message's `client_msg_id`; null for one sent without that")
    direction: Literal["in", "out"]
    text: str
    at: datetime


class HistoryOut(BaseModel):
    messages: list[HistoryMessage]
