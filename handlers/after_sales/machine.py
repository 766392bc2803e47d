"""The after-sales case as a state machine: the steps of docs/rules.md R-CASE-3, and only the allowed transitions.

    requested ──▶ approved ──▶ awaiting_return ──▶ received ──▶ inspected ──▶ resolved
        │            │  │            │                               └──────▶ rejected
        │            │  └────────────┴──▶ resolved  (no return needed, or flagged for review)
        └────────────┴──▶ rejected
    requested, approved, awaiting_return ──▶ cancelled

- 前期沟通 is `requested`; the shop confirms before anything is shipped back (`approved`,
  「商家会对生成的售后申请作确认,客户发出商品」); 接收商品 is `awaiting_return` → `received`;
  确认问题 is `inspected`; 解决问题 is `resolved` (refunded, exchanged, reshipped, ...) or `rejected`.
- Only returns, exchanges and damaged goods come back to the shop. A case whose photos already show a
  problem the customer did not cause is flagged (`immediate_review`, 初步鉴定, 可立即上报) and staff
  may resolve it without the return.
- A customer may cancel before the shop has the goods back; staff may do every allowed step.
- Money (a refund or compensation) above the configured limit needs a supervisor, or a supervisor's
  approval of at least that amount recorded on the case beforehand (临时处置权).

Pure rules only: `check` raises `TransitionError`; `cases.CaseService` applies and records.
"""

from __future__ import annotations

from dataclasses import dataclass

from models.agent import SUPERVISORS

KINDS = ("track", "extend", "damaged", "missing", "exchange", "return", "refund", "rights")
RETURN_KINDS = frozenset({"damaged", "exchange", "return"})
STATES = ("requested", "approved", "awaiting_return", "received", "inspected", "resolved", "rejected", "cancelled")
OPEN_STATES = frozenset(STATES[:5])
CANCELLABLE = frozenset({"requested", "approved", "awaiting_return"})
REFUND_METHODS = ("original", "balance", "gift_card", "alipay")  # 原路 / 余额 / 礼品卡 / 支付宝
MONEY_OUTCOMES = frozenset({"refunded", "compensated"})
OUTCOMES_BY_KIND = {
    "track": ("answered", "reshipped", "refunded"),
    "extend": ("extended", "answered"),
    "damaged": ("refunded", "compensated", "exchanged", "reshipped"),
    "missing": ("reshipped", "refunded", "compensated"),
    "exchange": ("exchanged", "refunded"),
    "return": ("refunded",),
    "refund": ("refunded", "compensated"),
    "rights": ("refunded", "compensated", "exchanged", "reshipped", "answered"),
}
STAFF = frozenset({"agent", *SUPERVISORS})

_EDGES = {
    "requested": ("approved", "rejected", "cancelled"),
    "approved": ("awaiting_return", "resolved", "rejected", "cancelled"),
    "awaiting_return": ("received", "resolved", "cancelled"),
    "received": ("inspected",),
    "inspected": ("resolved", "rejected"),
}


class TransitionError(Exception):
    """A step the rules refuse; `code` is stable for API clients, `status` the HTTP status to answer."""

    def __init__(self, code: str, message: str, status: int = 400, allowed: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.allowed = allowed


@dataclass(frozen=True, slots=True)
class Resolution:
    """How a case ends when it is resolved: the outcome, and for money the method and amount in fen."""

    outcome: str | None = None
    refund_method: str | None = None
    amount_fen: int | None = None


NO_RESOLUTION = Resolution()


def next_states(kind: str, state: str, immediate_review: bool) -> tuple[str, ...]:
    """The states a case of `kind` in `state` may move to (for staff)."""
    allowed = []
    for to in _EDGES.get(state, ()):
        if to == "awaiting_return" and kind not in RETURN_KINDS:
            continue
        if to == "resolved" and state in ("approved", "awaiting_return") and kind in RETURN_KINDS \
                and not immediate_review:
            continue
        allowed.append(to)
    return tuple(allowed)


def check(case, to: str, role: str, *, reason: str = "", resolution: Resolution = NO_RESOLUTION,
          limit_fen: int) -> None:
    """Raise `TransitionError` unless `role` may move `case` to `to` with this reason and resolution.

    `case` has kind, state, immediate_review and approved_fen; `role` is a staff role or "customer".
    """
    if role == "customer":
        allowed = ("cancelled",) if case.state in CANCELLABLE else ()
    elif role in STAFF:
        allowed = next_states(case.kind, case.state, case.immediate_review)
    else:
        allowed = ()
    if to not in allowed:
        raise TransitionError("not_allowed", f"a {case.kind} case cannot go from {case.state} to {to}", 409, allowed)
    if to == "rejected" and not reason.strip():
        raise TransitionError("reason_required", "a rejection needs the reason the customer is told")
    if to == "resolved":
        _check_resolution(case, role, resolution, limit_fen)


def _check_resolution(case, role: str, resolution: Resolution, limit_fen: int) -> None:
    outcomes = OUTCOMES_BY_KIND[case.kind]
    if resolution.outcome not in outcomes:
        raise TransitionError("outcome_required", f"outcome must be one of {', '.join(outcomes)}")
    if resolution.outcome not in MONEY_OUTCOMES:
        return
    if resolution.refund_method not in REFUND_METHODS:
        raise TransitionError("refund_method_required", f"refund_method must be one of {', '.join(REFUND_METHODS)}")
    amount = resolution.amount_fen
    if not isinstance(amount, int) or amount <= 0:
        raise TransitionError("amount_required", "amount_fen must be a positive number of fen")
    if amount > limit_fen and role not in SUPERVISORS and (case.approved_fen or 0) < amount:
        raise TransitionError("supervisor_approval_required",
                              f"{amount} fen is above the limit of {limit_fen}: a supervisor must approve it", 403)
