"""The after-sales staff API's JSON shapes (handlers/after_sales/api.py, uploads.py).

Money is in fen (1/100 yuan); every moment is ISO-8601. A case lists `next_states`, the steps the
caller may take from here, so a console offers only those.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from handlers.after_sales.machine import KINDS, OUTCOMES_BY_KIND, REFUND_METHODS, STATES, next_states
from models.case import AfterSalesCase

MAX_PAGE = 200
Kind = Literal[KINDS]  # type: ignore[valid-type]
State = Literal[STATES]  # type: ignore[valid-type]
OUTCOMES = sorted({o for outcomes in OUTCOMES_BY_KIND.values() for o in outcomes})


class CaseQuery(BaseModel):
    state: str | None = Field(default=None, description="'open', or states separated by commas")
    kind: Kind | None = None
    order_no: str | None = None
    assignee: Literal["me"] | None = None
    stale: bool = Field(default=False, description="open cases nobody touched today (yesterday's leftovers)")
    limit: int = Field(default=50, ge=1, le=MAX_PAGE)
    offset: int = Field(default=0, ge=0)


class CaseOut(BaseModel):
    case_no: str = Field(examples=["AS20261123-0001"])
    order_no: str
    kind: Kind
    state: State
    next_states: list[State] = Field(description="the steps staff may take from here")
    item: dict[str, Any] | None
    description: str
    wanted: str | None
    requested_fen: int | None
    outcome: str | None
    refund_method: str | None
    amount_fen: int | None
    approved_fen: int | None
    reject_reason: str | None
    immediate_review: bool
    escalation: str | None
    assignee_id: int | None
    customer_id: int | None
    created_at: datetime
    touched_at: datetime
    resolved_at: datetime | None
    satisfaction_due_at: datetime | None = Field(description="satisfaction follow-up due (set on resolve)")

    @classmethod
    def of(cls, case: AfterSalesCase) -> CaseOut:
        return cls(
            case_no=case.case_no, order_no=case.order.order_no, kind=case.kind, state=case.state,
            next_states=list(next_states(case.kind, case.state, case.immediate_review)), item=case.item,
            description=case.description, wanted=case.wanted, requested_fen=case.requested_fen,
            outcome=case.outcome, refund_method=case.refund_method, amount_fen=case.amount_fen,
            approved_fen=case.approved_fen, reject_reason=case.reject_reason,
            immediate_review=case.immediate_review, escalation=case.escalation, assignee_id=case.assignee_id,
            customer_id=case.customer_id, created_at=case.created_at, touched_at=case.touched_at,
            resolved_at=case.resolved_at, satisfaction_due_at=case.satisfaction_due_at,
        )


class CasesOut(BaseModel):
    cases: list[CaseOut]


class PhotoOut(BaseModel):
    url: str
    created_at: datetime


class EventOut(BaseModel):
    model_config = ConfigDict(serialize_by_alias=True, validate_by_name=True)

    action: str
    from_state: str | None = Field(alias="from")
    to_state: str | None = Field(alias="to")
    actor: str
    reason: str
    data: dict[str, Any]
    at: datetime


class CaseDetail(CaseOut):
    photos: list[PhotoOut]
    events: list[EventOut]


class TransitionIn(BaseModel):
    to: State
    reason: str = Field(default="", description="why; required for rejected (the customer is told)")
    outcome: str | None = Field(default=None, examples=list(OUTCOMES),
                                description="required for resolved; one of the case kind's outcomes")
    refund_method: str | None = Field(default=None, examples=list(REFUND_METHODS),
                                      description="required for money outcomes")
    amount_fen: int | None = Field(default=None, ge=1, strict=True,
                                   description="fen; above the supervisor limit needs a supervisor or a prior approval")


class FlagIn(BaseModel):
    reason: str = Field(min_length=1, pattern=r"\S")


class AssignIn(BaseModel):
    agent_id: int | None = Field(default=None, ge=1, strict=True, description="null: nobody (drop it)")


class ApprovalIn(BaseModel):
    amount_fen: int = Field(ge=1, strict=True, description="fen")
    reason: str = Field(min_length=1, pattern=r"\S")


class OrderOut(BaseModel):
    order_no: str
    customer_id: int | None
    phone: str | None = Field(description="masked: 138****5678")
    items: list[dict[str, Any]]
    total_fen: int
    refunded_fen: int
    status: str
    paid_at: datetime | None
    shipped_at: datetime | None
    received_at: datetime | None
    courier: str | None
    tracking_no: str | None
    tracking_events: list[dict[str, Any]] | None
    receipt_due_at: datetime | None
    receipt_extended_at: datetime | None
    cases: list[CaseOut]


class RepliesOut(BaseModel):
    replies: list[str]


class PhotoForm(BaseModel):
    """The multipart form of a photo upload (read as a stream by handlers/after_sales/uploads.py)."""

    file: bytes = Field(description="a JPEG, PNG, GIF or WebP image")
    client_msg_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{1,64}$")
    user_id: str | None = Field(default=None, description="when given, must be the token's visitor")
