"""Where a parcel is: a small interface, and the default that reads the order's own tracking events.

No courier API is called: the shop's order source (the ERP, or the tracking columns of an export)
already records the parcel's movements on the order (`Order.tracking_events`), and reading them is
enough to answer 查件 and to find parcels that have stopped moving. A shop with a courier
aggregator can provide another `TrackingSource` (see `desk.build_desk`) without touching the chat.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from models.order import Order


@dataclass(frozen=True, slots=True)
class TrackingEvent:
    at: datetime
    status: str


class TrackingSource(Protocol):
    async def events(self, order: Order) -> list[TrackingEvent]:
        """The parcel's movements, oldest first."""


class OrderTracking:
    """Reads `Order.tracking_events` as the order source last reported them."""

    async def events(self, order: Order) -> list[TrackingEvent]:
        events = [TrackingEvent(datetime.fromisoformat(e["at"]), e["status"]) for e in order.tracking_events or []]
        return sorted(events, key=lambda e: e.at)


def in_transit(order: Order) -> bool:
    return order.status == "shipped" and order.shipped_at is not None and order.received_at is None


def is_stuck(order: Order, events: list[TrackingEvent], now: datetime, hours: float) -> bool:
    """In transit and nothing moved (no event, or the latest one) for `hours`."""
    if not in_transit(order):
        return False
    last = events[-1].at if events else order.shipped_at
    return last is not None and now - last >= timedelta(hours=hours)
