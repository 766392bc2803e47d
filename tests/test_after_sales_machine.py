"""Every transition of every kind, allowed or forbidden, for staff and for customers; the money rules.

The expected table is written out here from the issue, not derived from the code under test.
"""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import pytest

from handlers.after_sales.machine import KINDS, STATES, Resolution, TransitionError, check, next_states

RETURNED = {"damaged", "exchange", "return"}  # the goods come back to the shop
LIMIT = 500_000
#: What staff may do from each state, before the return/flag rules below.
STAFF = {
    "requested": {"approved", "rejected", "cancelled"},
    "approved": {"awaiting_return", "resolved", "rejected", "cancelled"},
    "awaiting_return": {"received", "resolved", "cancelled"},
    "received": {"inspected"},
    "inspected": {"resolved", "rejected"},
    "resolved": set(), "rejected": set(), "cancelled": set(),
}
OUTCOME = {"track": "answered", "extend": "extended", "damaged": "reshipped", "missing": "reshipped",
           "exchange": "exchanged", "return": "refunded", "refund": "refunded", "rights": "answered"}


def expected(kind: str, state: str, flagged: bool, role: str) -> set[str]:
    if role == "customer":
        return {"cancelled"} if state in ("requested", "approved", "awaiting_return") else set()
    allowed = set(STAFF[state])
    if kind not in RETURNED:
        allowed.discard("awaiting_return")  # nothing to send back
    if kind in RETURNED and not flagged and state in ("approved", "awaiting_return"):
        allowed.discard("resolved")  # only after the goods are back and inspected, unless flagged (初步鉴定)
    return allowed


def case(kind: str, state: str, flagged: bool = False, approved_fen: int | None = None) -> SimpleNamespace:
    return SimpleNamespace(kind=kind, state=state, immediate_review=flagged, approved_fen=approved_fen)


def resolution(kind: str, amount: int = 1000) -> Resolution:
    outcome = OUTCOME[kind]
    if outcome == "refunded":
        return Resolution(outcome, "original", amount)
    return Resolution(outcome)


@pytest.mark.parametrize(("kind", "state", "flagged", "role"),
                         list(itertools.product(KINDS, STATES, (False, True), ("agent", "customer"))))
def test_every_transition_is_allowed_or_refused_as_the_issue_says(kind, state, flagged, role):
    allowed = expected(kind, state, flagged, role)
    for to in STATES:
        try:
            check(case(kind, state, flagged), to, role, reason="问题核实", resolution=resolution(kind), limit_fen=LIMIT)
        except TransitionError as exc:
            assert to not in allowed, f"{kind} {state}->{to} by {role} refused: {exc.code}"
            assert exc.code == "not_allowed" and exc.status == 409 and set(exc.allowed) == allowed
        else:
            assert to in allowed, f"{kind} {state}->{to} by {role} was allowed"
    if role == "agent":
        assert set(next_states(kind, state, flagged)) == allowed


def test_a_return_goes_through_every_step_of_the_seed():
    path = ["requested", "approved", "awaiting_return", "received", "inspected", "resolved"]
    for current, to in itertools.pairwise(path):
        check(case("return", current), to, "agent", resolution=resolution("return"), limit_fen=LIMIT)


def test_a_rejection_needs_the_reason_the_customer_is_told():
    with pytest.raises(TransitionError) as refused:
        check(case("return", "requested"), "rejected", "agent", reason="  ", limit_fen=LIMIT)
    assert refused.value.code == "reason_required"


@pytest.mark.parametrize(("outcome", "method", "amount", "code"), [
    (None, None, None, "outcome_required"),
    ("exchanged", None, None, "outcome_required"),  # a return ends in a refund
    ("refunded", None, 1000, "refund_method_required"),
    ("refunded", "cash", 1000, "refund_method_required"),
    ("refunded", "alipay", None, "amount_required"),
    ("refunded", "alipay", 0, "amount_required"),
])
def test_a_resolution_needs_an_outcome_of_the_kind_and_money_details(outcome, method, amount, code):
    with pytest.raises(TransitionError) as refused:
        check(case("return", "inspected"), "resolved", "agent", resolution=Resolution(outcome, method, amount),
              limit_fen=LIMIT)
    assert refused.value.code == code


@pytest.mark.parametrize("method", ["original", "balance", "gift_card", "alipay"])
def test_every_refund_method_of_the_seed(method):
    check(case("refund", "approved"), "resolved", "agent", resolution=Resolution("refunded", method, 100),
          limit_fen=LIMIT)


def test_money_above_the_limit_needs_a_supervisor_or_their_approval():
    above = Resolution("compensated", "balance", LIMIT + 1)
    with pytest.raises(TransitionError) as refused:
        check(case("damaged", "inspected"), "resolved", "agent", resolution=above, limit_fen=LIMIT)
    assert (refused.value.code, refused.value.status) == ("supervisor_approval_required", 403)
    check(case("damaged", "inspected"), "resolved", "agent", resolution=Resolution("compensated", "balance", LIMIT),
          limit_fen=LIMIT)
    for role in ("supervisor", "admin"):
        check(case("damaged", "inspected"), "resolved", role, resolution=above, limit_fen=LIMIT)
    check(case("damaged", "inspected", approved_fen=LIMIT + 1), "resolved", "agent", resolution=above, limit_fen=LIMIT)
    with pytest.raises(TransitionError):
        check(case("damaged", "inspected", approved_fen=LIMIT), "resolved", "agent", resolution=above, limit_fen=LIMIT)


def test_unknown_roles_may_do_nothing():
    with pytest.raises(TransitionError):
        check(case("return", "requested"), "cancelled", "system", limit_fen=LIMIT)
