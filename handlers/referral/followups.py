"""Follow-up tasks: a referred friend who has not bought within 24 hours of the first visit gets a
call from the shop's staff (docs/rules.md R-REF-9), shown with who referred them.

The deadline is put in the store's scheduler at the first visit; when it fires, the friend's orders
are checked once more (they may have bought since the last sync) and the task is created only if
they still have not. The daily job catches up deadlines a restarted memory store lost. One task per
referral (unique in the database), however often either path runs.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.exceptions import IntegrityError

from bot.scheduler import Scheduler
from bot.store.base import Store
from handlers.referral.conversion import convert_from_orders
from models.customer import Customer
from models.referral import FollowUp, Referral

KIND = "referral.follow_up"
DELAY = timedelta(hours=24)


async def plan(store: Store, referral: Referral) -> None:
    """Put the deadline in the store (the scheduler's own queue), where any worker's ticker fires it."""
    await store.schedule(KIND, str(referral.id), (referral.first_visit_at + DELAY).timestamp())


async def rearm(scheduler: Scheduler) -> None:
    """Put back the deadline of every referral still waiting for its follow-up (after the store lost them)."""
    have = set(await FollowUp.all().values_list("referral_id", flat=True))
    for referral in await Referral.filter(status="visited"):
        if referral.id not in have:
            await scheduler.ensure(KIND, str(referral.id), referral.first_visit_at + DELAY)


async def due(referral_id: int, *, now: datetime, zone: ZoneInfo) -> FollowUp | None:
    """The scheduler's callback: a task for this referral unless the friend has converted."""
    referral = await Referral.get_or_none(id=referral_id, status="visited")
    if referral is None or await convert_from_orders(now=now, zone=zone, only=referral):
        return None
    await referral.refresh_from_db(fields=["status"])
    if referral.status != "visited":
        return None
    try:
        return await FollowUp.create(referral=referral, created_at=now)
    except IntegrityError:  # the daily catch-up created it a moment ago
        return None


async def catch_up(*, now: datetime, zone: ZoneInfo) -> int:
    """Create every task whose deadline passed without one (the daily job); returns how many."""
    created = 0
    have = set(await FollowUp.all().values_list("referral_id", flat=True))
    for referral_id in await Referral.filter(status="visited", first_visit_at__lte=now - DELAY).values_list(
            "id", flat=True):
        if referral_id not in have and await due(referral_id, now=now, zone=zone) is not None:
            created += 1
    return created


async def mark_done(task_id: int, staff: str, note: str | None, *, now: datetime) -> FollowUp | None:
    task = await FollowUp.get_or_none(id=task_id)
    if task is None:
        return None
    if task.done_at is None:
        task.done_at, task.done_by, task.note = now, staff, note
        await task.save(update_fields=["done_at", "done_by", "note"])
    return task


async def tasks(*, campaign_id: int | None = None, include_done: bool = False) -> list[dict[str, Any]]:
    """Tasks for the staff, oldest first, each with the friend to call and who referred them."""
    query = FollowUp.all() if include_done else FollowUp.filter(done_at__isnull=True)
    if campaign_id is not None:
        query = query.filter(referral__campaign_id=campaign_id)
    rows = await query.order_by("created_at", "id").prefetch_related(
        "referral__campaign", "referral__referrer", "referral__referred")
    return [{
        "id": task.id, "campaign": task.referral.campaign.name, "created_at": task.created_at.isoformat(),
        "first_visit_at": task.referral.first_visit_at.isoformat(), "done_at": _iso(task.done_at),
        "done_by": task.done_by, "note": task.note,
        "friend": _person(task.referral.referred), "referrer": _person(task.referral.referrer),
    } for task in rows]


def _person(customer: Customer) -> dict[str, Any]:
    return {"id": customer.id, "name": customer.name, "phone": customer.phone, "channel": customer.channel}


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
