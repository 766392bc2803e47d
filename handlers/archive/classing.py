"""Customer class (客户分类): a weighted score over what a person is worth to the shop (R-ARCHIVE-7).

Five factors, each 0..1: order count and order amount (against the full marks in the settings),
profit contribution (sales net of refunds × margin, less compensation paid in after-sales cases),
credit (the share of orders paid and kept rather than left unpaid, closed or refunded) and, for new
customers only (fewer than `class_new_below_orders` orders), prospects: referrals they brought and
a contact within the last 30 days. The score is 100 × Σ weight × factor / Σ weight; the band is the
highest band whose lower bound the score reaches. Everything here is internal (R-ARCHIVE-4).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.backends.base.client import BaseDBAsyncClient

from handlers.archive.settings import ArchiveSettings
from models.archive import Person, PersonLink
from models.case import AfterSalesCase
from models.customer import Customer
from models.order import Order
from models.referral import Referral

KEPT_STATUSES = ("paid", "shipped", "received")
BAD_STATUSES = ("pending", "closed", "refunded")
CONTACT_DAYS = 30


@dataclass(frozen=True)
class ClassResult:
    band: str
    score: float
    factors: dict[str, float]


def band_for(score: float, bands: Mapping[str, float]) -> str:
    """The highest band whose lower bound `score` reaches (bands always include one from 0)."""
    for name, bound in sorted(bands.items(), key=lambda item: item[1], reverse=True):
        if score >= bound:
            return name
    return min(bands.items(), key=lambda item: item[1])[0]


def score_of(factors: Mapping[str, float], weights: Mapping[str, float]) -> float:
    total = sum(weights.values())
    return round(100 * sum(weight * factors.get(name, 0.0) for name, weight in weights.items()) / total, 2)


async def measure(customer_ids: Sequence[int], settings: ArchiveSettings, now: datetime,
                  connection: BaseDBAsyncClient | None = None) -> dict[str, float]:
    """The five factors (0..1) of the customers `customer_ids` (one person's channel identities)."""
    since = now - timedelta(days=settings.class_window_days)
    orders = await Order.filter(customer_id__in=list(customer_ids), updated_at__gte=since).using_db(connection)
    kept = [order for order in orders if order.status in KEPT_STATUSES]
    sales = sum(order.total_fen - order.refunded_fen for order in kept)
    compensation = sum(
        case.amount_fen or 0 for case in await AfterSalesCase.filter(
            order_id__in=[order.id for order in orders]).using_db(connection))
    profit = sales * settings.class_margin - compensation
    factors = {
        "orders": min(1.0, len(kept) / settings.class_full_orders),
        "amount": min(1.0, max(0, sales) / settings.class_full_amount_fen),
        "profit": min(1.0, max(0.0, profit) / settings.class_full_profit_fen),
        "credit": len(kept) / len(orders) if orders else 1.0,
        "prospects": 0.0,
    }
    if len(kept) < settings.class_new_below_orders:
        referrals = await Referral.filter(referrer_id__in=list(customer_ids)).using_db(connection).count()
        contacted = await Customer.filter(id__in=list(customer_ids),
                                          last_inbound_at__gte=now - timedelta(days=CONTACT_DAYS)).using_db(
            connection).exists()
        factors["prospects"] = min(1.0, 0.25 * referrals + (0.5 if contacted else 0.0))
    return {name: round(value, 4) for name, value in factors.items()}


async def classify(person: Person, settings: ArchiveSettings, now: datetime,
                   connection: BaseDBAsyncClient | None = None) -> ClassResult:
    """Recompute and save `person`'s class (on each order, and daily)."""
    ids = await PersonLink.filter(person_id=person.id).using_db(connection).values_list("customer_id", flat=True)
    factors = await measure(ids, settings, now, connection)
    score = score_of(factors, settings.class_weights)
    result = ClassResult(band_for(score, settings.class_bands), score, factors)
    await Person.filter(id=person.id).using_db(connection).update(
        class_band=result.band, class_score=result.score, class_factors=result.factors, class_at=now)
    person.class_band, person.class_score, person.class_factors, person.class_at = (
        result.band, result.score, result.factors, now)
    return result
