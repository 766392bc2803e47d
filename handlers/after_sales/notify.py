"""Telling customers what happened to their case, and staff what is waiting for them.

A customer hears of every step through the channel they wrote from (`CustomerMessenger.say`:
rendered, split and recorded like every message sent later, bot/messenger.py), one template per
step; the return instructions carry the order number, the case number and the return address
(docs/rules.md R-CASE-4). A customer whose channel is not running here (a WeChat follower while
WeChat is off) is skipped with a log line naming ids only.

Staff hear through store topics, for the console to show: `after_sales.reminders` carries one
payload per stale case with the owner's agent id (None when nobody owns it); `after_sales.review`
carries a case flagged for immediate review (初步鉴定, 可立即上报), for supervisors.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from bot.templates import Templates, spec
from handlers.after_sales.machine import MONEY_OUTCOMES
from handlers.after_sales.wording import OUTCOMES, case_fields, label, local_date, return_address, yuan
from models.case import AfterSalesCase
from models.customer import Customer

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from bot.messenger import CustomerMessenger
    from bot.store.base import Store
    from handlers.after_sales.settings import AfterSalesSettings

log = logging.getLogger("csbot.after_sales")
REMINDERS = "after_sales.reminders"
REVIEW = "after_sales.review"
CASE_FIELDS = ("case_no", "order_no", "kind_label", "step", "next")

SCRIPTS = (
    *(spec(f"after_sales.notify_{state}", *CASE_FIELDS)
      for state in ("approved", "received", "inspected", "cancelled")),
    spec("after_sales.notify_awaiting_return", *CASE_FIELDS, "return_address"),
    spec("after_sales.notify_rejected", *CASE_FIELDS, "reason"),
    *(spec(f"after_sales.notify_resolved_{outcome}", *CASE_FIELDS, "amount", "method") for outcome in OUTCOMES),
    spec("after_sales.receipt_extended", "order_no", "due_date"),
)


class Notifier:
    def __init__(self, messenger: CustomerMessenger, templates: Templates, store: Store,
                 settings: AfterSalesSettings, zone: ZoneInfo) -> None:
        self.messenger = messenger
        self.templates = templates
        self.store = store
        self.settings = settings
        self.zone = zone

    async def tell(self, customer_id: int | None, key: str, **fields: Any) -> bool:
        """Send one template to a customer in their channel; False when they cannot be reached here."""
        customer = await Customer.get_or_none(id=customer_id) if customer_id else None
        if customer is None or not self.messenger.reaches(customer.channel):
            log.info("after-sales notice %s not sent: customer %s has no running channel", key, customer_id)
            return False
        await self.messenger.say(customer.channel, customer.external_id, key, fields)
        return True

    async def case_changed(self, case: AfterSalesCase) -> bool:
        """The template of the step `case` just reached."""
        templates = self.templates
        await case.fetch_related("order")
        fields = case_fields(case, case.order.order_no, templates)
        if case.state == "awaiting_return":
            fields["return_address"] = return_address(self.settings, templates)
        elif case.state == "rejected":
            fields["reason"] = case.reject_reason or ""
        elif case.state == "resolved":
            money = case.outcome in MONEY_OUTCOMES
            fields.update(amount=yuan(case.amount_fen) if money else "",
                          method=label(templates, "method", case.refund_method) if money else "")
            return await self.tell(case.customer_id, f"after_sales.notify_resolved_{case.outcome}", **fields)
        return await self.tell(case.customer_id, f"after_sales.notify_{case.state}", **fields)

    async def receipt_extended(self, customer_id: int | None, order_no: str, due: Any) -> bool:
        return await self.tell(customer_id, "after_sales.receipt_extended", order_no=order_no,
                               due_date=local_date(due, self.zone))

    async def remind(self, case: AfterSalesCase) -> None:
        await self.store.publish(REMINDERS, {
            "case_no": case.case_no, "agent_id": case.assignee_id, "kind": case.kind, "state": case.state,
            "touched_at": case.touched_at.isoformat(),
        })

    async def review_needed(self, case: AfterSalesCase, reason: str) -> None:
        await self.store.publish(REVIEW, {"case_no": case.case_no, "kind": case.kind, "reason": reason,
                                                  "agent_id": case.assignee_id})
