"""Where the after-sales area reads orders: the database, refreshed from the ERP when there is one.

`OrderBook.find` asks the ERP first (its record is the freshest: shipping, tracking) and saves what
it says; when the ERP is down it falls back to the copy imported earlier, and only when there is
none does the caller hear `OrderSourceUnavailable` (and keep the customer's request for later).

An order belongs to a customer through their channel identity or their verified phone; anybody
else hears that the order cannot be found under their account, and nothing about it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.clock import Clock
from bot.phones import same_phone
from handlers.after_sales import lookups
from handlers.after_sales.erp import ErpOrders, OrderSourceUnavailable
from handlers.after_sales.lookups import owned_order  # the order if it is this customer's, in one query
from handlers.after_sales.records import save_records
from handlers.after_sales.settings import AfterSalesSettings
from models.customer import Customer
from models.order import Order

__all__ = ["OrderBook", "OrderSourceUnavailable", "customer_of", "extend_receipt", "owned_by", "owned_order"]


class OrderBook:
    def __init__(self, clock: Clock, erp: ErpOrders | None = None) -> None:
        self.clock = clock
        self.erp = erp

    async def find(self, order_no: str) -> Order | None:
        local = await Order.get_or_none(order_no=order_no)
        if self.erp is None:
            return local
        try:
            record = await self.erp.fetch(order_no)
        except OrderSourceUnavailable:
            if local is None:
                raise
            return local
        if record is None:
            return local
        await save_records([record], "erp", self.clock.now(), replace_tracking=True)
        return await Order.get(order_no=order_no)

    async def find_owned(self, order_no: str, customer_id: int) -> Order | None:
        """`find`'s order if `customer_id` owns it (`owned_by`), else None; without an ERP one query."""
        if self.erp is None:
            return await lookups.owned_order(order_no, customer_id)
        order = await self.find(order_no)
        return order if order is not None and await owned_by(order, customer_id) else None

    async def refresh(self, order: Order) -> Order:
        """The ERP's latest copy of `order` (the daily job's tracking check); unchanged without an ERP."""
        if self.erp is None:
            return order
        try:
            return await self.find(order.order_no) or order
        except OrderSourceUnavailable:
            return order


async def owned_by(order: Order, customer_id: int) -> bool:
    if order.customer_id == customer_id:
        return True
    if not order.phone:
        return False
    phones = await Customer.filter(id=customer_id).values_list("phone", flat=True)  # the phone, not the whole row
    return bool(phones) and same_phone(phones[0], order.phone)


async def customer_of(order: Order) -> Customer | None:
    """Who to tell about this order: the linked customer, else the one who verified its phone."""
    if order.customer_id is not None:
        return await Customer.get_or_none(id=order.customer_id)
    if not order.phone:
        return None
    return await Customer.filter(phone=order.phone).order_by("-last_inbound_at").first()


async def extend_receipt(order: Order, now: datetime, settings: AfterSalesSettings) -> datetime:
    """延长收货: move the automatic receipt confirmation by the configured days and record when."""
    base = order.receipt_due_at or (order.shipped_at or now) + timedelta(days=settings.auto_confirm_days)
    order.receipt_due_at = base + timedelta(days=settings.extend_days)
    order.receipt_extended_at = now
    order.updated_at = now
    await order.save(update_fields=["receipt_due_at", "receipt_extended_at", "updated_at"])
    return order.receipt_due_at
