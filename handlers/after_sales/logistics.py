"""查件 and 延长收货 for an order already checked to be the customer's.

Tracking answers from the order's courier, tracking number and latest movement. A parcel in
transit that has not moved for `AFTER_SALES_STUCK_PARCEL_H` gets a 查件 case, so a person contacts
the courier (docs/rules.md R-CASE-8). 延长收货 is recorded on the order
at once the first time; a second request becomes an `extend` case for staff to decide.
"""

from __future__ import annotations

from bot.context import Context
from bot.events import Reply
from bot.templates import spec
from handlers.after_sales.desk import DESK
from handlers.after_sales.orders import extend_receipt
from handlers.after_sales.tracking import in_transit, is_stuck
from handlers.after_sales.wording import local_date, local_time
from models.order import Order

PARCEL = ("order_no", "courier", "tracking_no")
SCRIPTS = (
    spec("after_sales.track_not_shipped", "order_no"),
    spec("after_sales.track_received", "order_no", "time"),
    spec("after_sales.track_info", *PARCEL, "status", "time"),
    spec("after_sales.track_no_events", *PARCEL, "time"),
    spec("after_sales.track_stuck", *PARCEL, "case_no"),
    spec("after_sales.extend_not_shipped", "order_no"),
    spec("after_sales.extend_received", "order_no"),
    spec("after_sales.extend_done", "order_no", "due_date"),
    spec("after_sales.extend_again", "order_no", "case_no"),
)


def _shipped(order: Order) -> bool:
    return order.shipped_at is not None and order.status not in ("pending", "paid")


async def track(ctx: Context, order: Order) -> Reply:
    desk, zone, now = ctx.services[DESK], ctx.services.settings.zone, ctx.services.clock.now()
    if not _shipped(order):
        return Reply.say("after_sales.track_not_shipped", order_no=order.order_no)
    if not in_transit(order):
        return Reply.say("after_sales.track_received", order_no=order.order_no,
                         time=local_time(order.received_at or order.updated_at, zone))
    parcel = {"order_no": order.order_no, "courier": order.courier or "", "tracking_no": order.tracking_no or ""}
    events = await desk.tracking.events(order)
    if is_stuck(order, events, now, desk.settings.stuck_parcel_h):
        customer_id = ctx.identity.customer_id
        case, _ = await desk.cases.file(order, "track", actor=f"customer:{customer_id}", customer_id=customer_id,
                                        description=ctx.text[:200])
        return Reply.say("after_sales.track_stuck", **parcel, case_no=case.case_no)
    if not events:
        return Reply.say("after_sales.track_no_events", **parcel, time=local_time(order.shipped_at, zone))
    return Reply.say("after_sales.track_info", **parcel, status=events[-1].status, time=local_time(events[-1].at, zone))


async def extend(ctx: Context, order: Order) -> Reply:
    desk, settings, now = ctx.services[DESK], ctx.services.settings, ctx.services.clock.now()
    if not _shipped(order):
        return Reply.say("after_sales.extend_not_shipped", order_no=order.order_no)
    if not in_transit(order):
        return Reply.say("after_sales.extend_received", order_no=order.order_no)
    if order.receipt_extended_at is not None:
        customer_id = ctx.identity.customer_id
        case, _ = await desk.cases.file(order, "extend", actor=f"customer:{customer_id}", customer_id=customer_id,
                                        description=ctx.text[:200])
        return Reply.say("after_sales.extend_again", order_no=order.order_no, case_no=case.case_no)
    due = await extend_receipt(order, now, desk.settings)
    return Reply.say("after_sales.extend_done", order_no=order.order_no, due_date=local_date(due, settings.zone))
