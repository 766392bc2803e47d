"""One person across channels: a customer's other identities and orders, found through their phone.

A customer is a channel identity (a WeChat openid, a web-chat visitor); the same person on two
channels is two rows that share a phone number once one is known. Attribution and conversion ask
about the person, so a friend cannot be referred twice by arriving on another channel, and a
referrer cannot refer themselves through a second account with their own phone.
"""

from __future__ import annotations

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from models.customer import Customer
from models.order import Order

#: Orders that count as paid: money received and not (wholly) given back. A `closed` order is a
#: cancelled or wholly refunded one on the marketplaces, so it does not count either.
PAID_STATUSES = ("paid", "shipped", "received")




async def kin_ids(customer: Customer) -> list[int]:
    """This customer and every other identity with the same phone."""
    if not customer.phone:
        return [customer.id]
    others = await Customer.filter(phone=customer.phone).exclude(id=customer.id).values_list("id", flat=True)
    return [customer.id, *others]


def orders_of(customer: Customer) -> QuerySet[Order]:
    """The customer's orders: linked to their identity, or placed with their phone."""
    condition = Q(customer_id=customer.id)
    if customer.phone:
        condition |= Q(phone=customer.phone)
    return Order.filter(condition)


def paid_orders_of(customer: Customer) -> QuerySet[Order]:
    return orders_of(customer).filter(status__in=PAID_STATUSES, paid_at__isnull=False)


def net_fen(order: Order) -> int:
    """What the customer kept paying for: the total less refunds, never below zero."""
    if order.status not in PAID_STATUSES or order.paid_at is None:
        return 0
    return max(order.total_fen - order.refunded_fen, 0)
