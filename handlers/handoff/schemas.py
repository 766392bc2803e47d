"""The agent console's JSON shapes (handlers/handoff/api.py). Every moment is an ISO-8601 timestamp;
`now` in an answer is the server's clock, so the console counts SLA clocks down in server time."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from bot.channels.webchat_schemas import CLIENT_MSG_ID

Presence = Literal["online", "away", "offline"]
Delivery = Literal["received", "pending", "sent", "unconfirmed", "undelivered"]
NICKNAME_MAX = 32
#: The longest agent's message: the web chat's customer limit too, and what the send budget can carry. A
#: WeChat part is at most 2,000 bytes (bot/channels/wechat.py), so 2,000 characters are 3 parts of Chinese
#: (3 bytes a character) and at most 4 of 4-byte characters: within the 5 messages WeChat allows in 48
#: hours. A longer text would only be cut short by the platform's refusals after its first parts went.
AGENT_TEXT_MAX = 2000


class PresenceIn(BaseModel):
    presence: Presence


class ProfileIn(BaseModel):
    display_name: str = Field(min_length=1, max_length=NICKNAME_MAX, description="the 昵称 customers see")


class TypingIn(BaseModel):
    conversation_id: int = Field(description="the conversation the agent is typing in (they must hold it)")


class AgentBrief(BaseModel):
    id: int
    name: str
    display_name: str | None
    presence: str


class AgentOut(BaseModel):
    agent: AgentBrief


class CustomerOut(BaseModel):
    label: str
    channel: str
    vip: bool
    phone_masked: str | None


class SlaOut(BaseModel):
    kind: Literal["greeting", "reply"] | None = Field(description="which promise the clock counts down")
    due_at: datetime | None


class Person(BaseModel):
    id: int
    name: str


class LastMessage(BaseModel):
    text: str
    author: str | None
    created_at: datetime


class ConversationOut(BaseModel):
    conversation_id: int
    status: str
    reason: str | None
    reason_label: str
    customer: CustomerOut
    assignee: Person | None
    assigned_at: datetime | None = Field(description="when the current holder took it over")
    sla: SlaOut
    sends_left: int | None = Field(description="messages the platform still lets us push (null: no cap)")
    last_message: LastMessage | None


class OneConversation(BaseModel):
    conversation: ConversationOut


class QueueItem(BaseModel):
    conversation_id: int
    customer: CustomerOut
    position: int
    reason: str | None
    reason_label: str
    waiting_since: datetime | None


class QueueOut(BaseModel):
    queue: list[QueueItem]
    now: datetime


class ConversationsOut(BaseModel):
    conversations: list[ConversationOut]
    now: datetime


class MessageOut(BaseModel):
    id: int
    direction: str
    author: str | None
    text: str
    kind: str
    created_at: datetime
    delivery_status: str = Field(description="received (the customer's), pending, sent or undeliverable")
    failure_reason: str | None = Field(description="why the platform did not take it (undeliverable)")
    delivery: Delivery = Field(description="as the console shows it: unconfirmed when the platform may have "
                                           "it (a timeout, or pending too long: handlers/handoff/delivery.py)")
    failure_category: str | None = Field(description="why not delivered or unconfirmed, as a category "
                                                     "(window, cap, network, ...): its console label")


class PartOut(BaseModel):
    """One part of an agent's reply and what became of it (the 502 `not_delivered`, and `SentOut`)."""

    text: str
    outcome: str = Field(description="\"sent\", else the reason recorded on its row")
    delivery: Literal["sent", "unconfirmed", "undelivered"]
    category: str | None


class NoteOut(BaseModel):
    author: str
    open_questions: str
    pending: str
    created_at: datetime


class ConversationDetail(BaseModel):
    conversation: ConversationOut
    messages: list[MessageOut]
    notes: list[NoteOut]
    now: datetime


class AgentMessageIn(BaseModel):
    text: str = Field(min_length=1, description=f"up to {AGENT_TEXT_MAX} characters (413 text_too_long beyond)",
                      json_schema_extra={"maxLength": AGENT_TEXT_MAX})
    confirm: bool = Field(default=False, description="send despite forbidden phrases")
    client_msg_id: str | None = Field(default=None, pattern=CLIENT_MSG_ID,
                                      description="the console's id of this reply: a request sent again with "
                                                  "it gets the first one's answer, and the reply goes once")


class SentOut(BaseModel):
    sent: list[str]
    #: Each part's outcome: a part the channel sends later itself (`retrying`) shows as unconfirmed.
    parts: list[PartOut] = []


class OkOut(BaseModel):
    ok: bool = True


class TransferIn(BaseModel):
    to_agent_id: int | None = None
    to_supervisor: bool = False
    note: str = ""


class NoteIn(BaseModel):
    open_questions: str = ""
    pending: str = ""


class NoteId(BaseModel):
    id: int


class NoteCreated(BaseModel):
    note: NoteId


class CannedReply(BaseModel):
    key: str
    title: str
    text: str


class CannedOut(BaseModel):
    replies: list[CannedReply]


class AgentRow(BaseModel):
    id: int
    name: str
    display_name: str | None
    role: str
    presence: str
    load: int
    capacity: int


class AgentsOut(BaseModel):
    agents: list[AgentRow]


class NearBreach(BaseModel):
    conversation_id: int
    agent: str | None
    seconds_left: float


class ReplyNotDelivered(BaseModel):
    """A held conversation whose latest reply from a person did not reach the customer, or may not have."""

    conversation_id: int
    agent: str | None = Field(description="who wrote the reply (None: an account since deleted)")
    delivery: Literal["unconfirmed", "undelivered"]
    failure_category: str | None = Field(description="why, as a category: its console label, as on the message")
    created_at: datetime


class Today(BaseModel):
    """Today's figures, shop time. The promises (`*_due`, `*_kept`) are counted as the `response_time`
    report counts them for the same day (bot/promises.py): every promise that fell due, a customer
    never reached or never answered included as a broken one; the rest are counts of recorded events."""

    since: datetime
    reached_due: int = Field(description="escalations whose 15 s to a person fell due today")
    reached_kept: int = Field(description="of those, reached by a person within 15 s")
    acknowledged_due: int = Field(description="customer messages whose 20 s acknowledgement fell due today")
    acknowledged_kept: int
    answered_due: int = Field(description="questions whose 20 s answer by a person fell due today")
    answered_kept: int = Field(description="of those, answered by a person within 20 s")
    handovers: int
    person_reached: int
    person_within_sla: int
    messages: int
    acknowledged_within_sla: int
    answered_by_person: int
    person_answered_within_sla: int
    breaches: int
    alerts: int
    holding_messages: int
    reassigned: int


class SupervisorOut(BaseModel):
    queue_length: int
    agents_online: int
    near_breach: list[NearBreach]
    replies_not_delivered: list[ReplyNotDelivered] = Field(
        description="held conversations whose latest reply from a person the platform did not take or may not "
                    "have, newest first: the customer may be waiting on an answer given")
    today: Today
    generated_at: datetime
