"""What an outbound message's outcome means to the agent and to the SLA (docs/handoff-sla.md, "A reply that
did not reach the customer").

The channels record why the platform did not take a message as a short reason on its row (bot/channels/
wechat_api.py and wecom_api.py `REASONS`, `errcode_<n>`, the adapters' own codes, the outbox's `timeout` /
`no_answer`). The console is given a *category* of it, not the code, so the page keeps no copy of the
channels' codes: each category has one Chinese label (scripts_zh/console.yaml `undelivered_<category>`).

- `delivery`: the message's state as the agent reads it: `received` (the customer's), `sent`, `pending`,
  `unconfirmed` (the platform may have taken it: a timeout, an unanswered request, or a row still pending
  `PENDING_GIVE_UP_S` after it was written, its worker gone), `undelivered`.
- `FINAL`: refusals no reply can get past until the customer writes again (the 48-hour window, the send
  cap) or ever (unsubscribed, no such user, the WeCom session or kf account gone): an agent's reply refused
  so still counts as their act for the SLA (`counted`), so the customer is not passed from agent to agent.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.channels.base import MAYBE_DONE, RETRYING
from bot.outbox import CLAIM_TTL_S

SENT = "sent"
#: A pending row older than this is shown as unconfirmed: every send completes or fails well within it
#: (the channel's request timeout), and the outbox itself takes a send's worker for dead after it.
PENDING_GIVE_UP_S = CLAIM_TTL_S
#: The category of every reason a channel records on an undeliverable row; any other one is `refused`.
CATEGORIES = {
    "outside_48h_window": "window", "over_send_window": "window",
    "over_send_cap": "cap",
    **{reason: "unconfirmed" for reason in MAYBE_DONE},
    RETRYING: "unconfirmed",  # the channel sends it again later itself: an agent's resend would send it twice
    "network": "network", "token_refresh_busy": "network", "bad_token_response": "network",  # nothing sent
    "not_subscribed": "unreachable", "invalid_openid": "unreachable", "invalid_external_userid": "unreachable",
    "session_ended": "session", "session_state_refuses": "session", "state_change_refused": "session",
    "invalid_open_kfid": "account", "unknown_kf_account": "account",
    "welcome_code_single_message": "welcome", "welcome_code_expired": "welcome", "no_welcome_code": "welcome",
    "content_too_long": "too_long",
    "bad_response": "refused", "send_fail": "refused",  # as `errcode_<n>`, `http_<n>`, `send_fail_<n>`
}
REFUSED = "refused"
#: Every category an undelivered or unconfirmed message may carry (each labelled in the console).
ALL_CATEGORIES = frozenset({*CATEGORIES.values(), REFUSED})
#: Refusals for good: no reply reaches the customer past them (module docstring).
FINAL = frozenset({"window", "cap", "unreachable", "session", "account"})


def category(outcome: str | None) -> str | None:
    """The category of an outcome: None when sent, else its reason's (`refused` when unknown)."""
    if outcome == SENT:
        return None
    return CATEGORIES.get(outcome or "", REFUSED)


def part_delivery(outcome: str) -> str:
    """One part's state after its send: `sent`, `unconfirmed` or `undelivered`."""
    if outcome == SENT:
        return SENT
    return "unconfirmed" if category(outcome) == "unconfirmed" else "undelivered"


def message_delivery(direction: str, status: str, reason: str | None, age_s: float) -> tuple[str, str | None]:
    """A stored message's state and category as the console shows them (`age_s`: since it was written)."""
    if direction != "out":
        return "received", None
    if status == "pending":
        return ("unconfirmed", "unconfirmed") if age_s > PENDING_GIVE_UP_S else ("pending", None)
    if status == "undeliverable":
        kind = category(reason)
        return ("unconfirmed" if kind == "unconfirmed" else "undelivered"), kind
    return SENT, None


def refused_for_good(outcomes: Sequence[str]) -> bool:
    """Some part was refused for good (`FINAL`): no resend reaches the customer until they write again."""
    return any(category(outcome) in FINAL for outcome in outcomes)


def counted(outcomes: Sequence[str]) -> bool:
    """Whether an agent's reply counts as their answer for the SLA: some part reached the platform or may
    have, or the platform refused it for good; not when every part failed in a way a resend may pass."""
    return refused_for_good(outcomes) or any(part_delivery(outcome) != "undelivered" for outcome in outcomes)
