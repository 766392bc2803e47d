"""The console's words for reason codes, from scripts_zh/labels.yaml (`reason.<code>`, bot/labels.py).

Every code that can put a conversation in front of a person (the escalation reasons of every area,
and the reassignment reasons of the SLA clock) has a label; after-sales kinds that go to a person
share `after_sales`. The console reads the whole map from `GET /api/labels`; conversations carry
their own `reason_label`. This module's error codes are labelled there too.
"""

from __future__ import annotations

from bot.labels import label_key, label_specs
from bot.templates import Templates

REASONS = (
    "human_requested", "complaint", "vip", "unclear_twice", "order_source_down", "case_cancel_late",
    "rights_claim", "refund_over_limit", "after_sales", "missed_replies", "holder_away", "agent_offline",
    "callback_unsatisfied", "other",
)
#: Error codes of the console API (handlers/handoff/api.py).
ERRORS = ("no_such_conversation", "held_by_someone_else", "not_held", "already_taken", "forbidden_language",
          "nobody_available", "target_at_capacity", "note_empty", "transfer_target_missing", "channel_not_running",
          "not_delivered", "reply_empty", "nickname_invalid", "nickname_taken",
          "over_send_budget", "reply_in_flight", "reply_maybe_sent", "role_not_serving", "target_not_serving")
SCRIPTS = (*label_specs("reason", REASONS), *label_specs("error", ERRORS))


def reason_label(templates: Templates, code: str | None) -> str:
    if code and code.startswith("after_sales_"):
        code = "after_sales"
    return templates.render(label_key("reason", code if code in REASONS else "other"))
