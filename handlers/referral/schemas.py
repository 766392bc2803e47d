"""The campaign admin API's JSON shapes (handlers/referral/api.py). Days are shop-local dates;
moments are ISO-8601; money is in fen unless a tier string says yuan."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

NAME = r"^[a-z0-9][a-z0-9-]{0,31}$"


class CampaignFields(BaseModel):
    title: str | None = None
    starts_on: date | None = Field(default=None, description="first day, shop time")
    ends_on: date | None = Field(default=None, description="last day, shop time")
    bounties: str | None = Field(default=None, examples=["1:4000,4:5000,7:6000"],
                                 description="cash (yuan) from the n-th successful referral on")
    rates: str | None = Field(default=None, examples=["1:2%,4:2.5%,7:3%"],
                              description="commission rate from this many successful referrals on")
    max_cards: int | None = Field(default=None, strict=True, ge=1, le=100)
    share_copy: str | None = Field(default=None, description="朋友圈文案; {link} becomes the share link")
    landing_text: str | None = None


class CampaignIn(CampaignFields):
    name: str = Field(pattern=NAME)


class CampaignOut(BaseModel):
    name: str
    title: str
    starts_on: date
    ends_on: date
    active: bool
    bounties: str
    rates: str
    max_cards: int
    share_copy: str | None
    landing_text: str | None


class CampaignsOut(BaseModel):
    campaigns: list[CampaignOut]


class Rewards(BaseModel):
    bounty: int
    commission: int
    total: int


class Month(BaseModel):
    month: str = Field(examples=["2026-11"])
    first_visits: int
    conversions: int
    conversion_rate: str = Field(examples=["12.5%", "-"])


class PushCounts(BaseModel, extra="allow"):
    """A push and how many of its recipients are in each status (one field per status)."""

    segment: str
    finished: bool


class StatsOut(BaseModel):
    campaign: str
    cards_issued: int
    link_opens: int
    first_visits: int
    conversions: int
    conversion_rate: str
    rewards_fen: Rewards
    rejections: dict[str, int] = Field(description="reason code -> count")
    follow_ups_open: int
    by_month: list[Month]
    pushes: list[PushCounts]


class RejectionOut(BaseModel):
    id: int
    reason: str
    card_id: int | None
    customer_id: int | None
    channel: str | None
    at: datetime


class RejectionsOut(BaseModel):
    rejections: list[RejectionOut]


class ConfirmedOut(BaseModel):
    id: int
    status: str
    position: int | None
    converted_by: str | None


class FollowUpQuery(BaseModel):
    campaign: str | None = None
    done: bool = Field(default=False, description="include tasks already done")


class PersonOut(BaseModel):
    id: int
    name: str | None
    phone: str | None
    channel: str


class FollowUpOut(BaseModel):
    id: int
    campaign: str
    created_at: datetime
    first_visit_at: datetime
    done_at: datetime | None
    done_by: str | None
    note: str | None
    friend: PersonOut
    referrer: PersonOut


class FollowUpsOut(BaseModel):
    follow_ups: list[FollowUpOut]


class DoneIn(BaseModel):
    note: str | None = None


class DoneOut(BaseModel):
    id: int
    done_at: datetime | None
    done_by: str | None


class VisitIn(BaseModel):
    user_id: str | None = Field(default=None, description="when given, must be the token's visitor")


class VisitOut(BaseModel):
    chat_url: str
