"""The console's words for reason codes, from one place the server owns (scripts_zh/handoff.yaml).

Every code that can put a conversation in front of a person (the escalation reasons of every area,
and the reassignment reasons of the SLA clock) has a `handoff.reason_<code>` template; after-sales
kinds that go to a person share `reason_after_sales`. The console fetches the map from
`GET /api/agent/labels` instead of keeping its own copy.
"""

from __future__ import annotations

from bot.templates import Templates, spec

REASONS = (
    "human_requested", "complaint", "vip", "unclear_twice", "order_source_down", "case_cancel_late",
    "rights_claim", "refund_over_limit", "after_sales", "missed_replies", "holder_away", "agent_offline",
    "other",
)
SCRIPTS = tuple(spec(f"handoff.reason_{code}") for code in REASONS)


def reason_label(templates: Templates, code: str | None) -> str:
    if code and code.startswith("after_sales_"):
        code = "after_sales"
    return templates.render(f"handoff.reason_{code if code in REASONS else 'other'}")


def reason_labels(templates: Templates) -> dict[str, str]:
    return {code: templates.render(f"handoff.reason_{code}") for code in REASONS}
