"""The after-sales codes the console shows, each with a Chinese label in scripts_zh/labels.yaml
(bot/labels.py): case states, the buttons that move a case there, kinds, outcomes, refund methods,
order statuses and this area's error codes."""

from __future__ import annotations

from bot.labels import label_specs
from handlers.after_sales import api, uploads
from handlers.after_sales.machine import KINDS, REFUND_METHODS, STATES
from handlers.after_sales.schemas import OUTCOMES
from models.order import ORDER_STATUSES

SCRIPTS = (
    *label_specs("case_state", STATES), *label_specs("case_step", STATES[1:]), *label_specs("case_kind", KINDS),
    *label_specs("outcome", OUTCOMES), *label_specs("refund_method", REFUND_METHODS),
    *label_specs("order_status", ORDER_STATUSES), *label_specs("error", (*api.ERRORS, *uploads.ERRORS)),
)
