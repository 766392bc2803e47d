"""The daily follow-up (docs/rules.md R-CASE-8), run by `csbot daily` and by the server at night.

1. Shipments: every parcel shipped before today and still in transit is refreshed from the ERP (when
   there is one) and checked; one whose tracking has not moved for `AFTER_SALES_STUCK_PARCEL_H`
   gets its receipt time extended on the order (主动延长收货时间), a 查件 case so a person contacts
   the courier, and a message telling the customer. An order is extended once, so running the job
   twice changes nothing.
2. Leftover cases: the owner of every open case nobody touched today is reminded (遗留售后问题); the
   reminder is logged on the case without making it look touched.
3. Photo retention: customers' photos past the retention rules are removed (`uploads.remove_expired_photos`).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot.hours import shop_midnight
from handlers.after_sales.orders import customer_of, extend_receipt
from handlers.after_sales.tracking import in_transit, is_stuck
from handlers.after_sales.uploads import remove_expired_photos
from models.order import Order

if TYPE_CHECKING:
    from handlers.after_sales.desk import Desk

log = logging.getLogger("csbot.after_sales")


async def run_daily(desk: Desk) -> None:
    extended = await follow_up_shipments(desk)
    reminded = await remind_stale_cases(desk)
    removed = await remove_expired_photos(desk)
    log.info("after-sales daily: %d stuck parcel(s) extended, %d stale case(s) reminded, %d photo(s) removed",
             extended, reminded, removed)


async def follow_up_shipments(desk: Desk) -> int:
    now = desk.clock.now()
    today = shop_midnight(now, desk.zone)
    extended = 0
    for order in await Order.filter(status="shipped", received_at__isnull=True, shipped_at__lt=today,
                                    receipt_extended_at__isnull=True).order_by("id"):
        order = await desk.orders.refresh(order)
        if not in_transit(order) or order.receipt_extended_at is not None:
            continue
        if not is_stuck(order, await desk.tracking.events(order), now, desk.settings.stuck_parcel_h):
            continue
        due = await extend_receipt(order, now, desk.settings)
        customer = await customer_of(order)
        customer_id = customer.id if customer else None
        await desk.cases.file(order, "track", actor="system", customer_id=customer_id,
                              reason="daily follow-up: tracking has not moved")
        await desk.notifier.receipt_extended(customer_id, order.order_no, due)
        extended += 1
    return extended


async def remind_stale_cases(desk: Desk) -> int:
    stale = await desk.cases.stale()
    for case in stale:
        await desk.notifier.remind(case)
        await desk.cases.note(case, "remind", "system", "not touched since yesterday", touch=False)
    return len(stale)
