"""Who is due a callback and when (docs/rules.md R-CALLBACK-1..3): the sweep.

The sweep looks at purchases, first contacts, resolved after-sales cases and closed complaints,
and creates each callback once, keyed by what caused it, so running it
from the daily job, from every reconciliation and by hand never schedules anything twice. A
callback is created when it falls due within the next day (its task can then be armed for the
right minute) and not when it fell due more than `CALLBACKS_LOOKBACK_DAYS` ago (a shop turning the
area on does not call last year's buyers).

Then every callback without a task joins its customer's open task, or opens one: one contact per
customer at a time, covering everything due (R-CALLBACK-2). Each waiting task's start is put in
the scheduler.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q

from handlers.callbacks.desk import START, CallbackDesk
from handlers.complaints.service import NO_PHONE
from models.callback import Callback, CallbackTask
from models.case import AfterSalesCase
from models.complaint import Complaint
from models.customer import Customer
from models.order import Order

PAID_STATUSES = ("paid", "shipped", "received", "closed")
HORIZON = timedelta(days=1)
SWEEP_EVERY_S = 3600.0


@dataclass(frozen=True, slots=True)
class Due:
    customer_id: int
    kind: str
    source_key: str
    subject: str
    nominal: datetime  # when the rule says, before moving it out of rest hours
    offset_days: int | None = None


def sampled(source_key: str, share: float) -> bool:
    """A stable draw: the same callback is in or out of the sample on every sweep."""
    if share >= 1:
        return True
    draw = int(hashlib.sha256(source_key.encode()).hexdigest()[:8], 16) / 0x1_0000_0000
    return draw < share


async def sweep(desk: CallbackDesk) -> int:
    """Create what is due (R-CALLBACK-1), group it per customer, arm the starts; returns how many were created."""
    now = desk.now()
    window = (now - timedelta(days=desk.settings.lookback_days), now + HORIZON)
    found = [*await _buyers(desk, *window), *await _prospects(desk, *window), *await _cases(*window),
             *await _complaints(desk, *window)]
    created = await add(desk, found)
    await group(desk)
    return created


async def add(desk: CallbackDesk, found: Iterable[Due]) -> int:
    """Create the callbacks not created before; members always, others by `CALLBACKS_NON_MEMBER_SHARE`."""
    found = list(found)
    if not found:
        return 0
    keys = [d.source_key for d in found]
    known = set(await Callback.filter(source_key__in=keys).values_list("source_key", flat=True))
    fresh = [d for d in found if d.source_key not in known]
    ids = {d.customer_id for d in fresh}
    members = set(await Customer.filter(id__in=ids, is_vip=True).values_list("id", flat=True))
    share, within = desk.settings.non_member_share, timedelta(days=desk.settings.within_days)
    now = desk.now()
    rows = [Callback(customer_id=d.customer_id, kind=d.kind, source_key=d.source_key, subject=d.subject[:40],
                     offset_days=d.offset_days, due_at=desk.next_allowed(d.nominal), deadline_at=d.nominal + within,
                     created_at=now)
            for d in fresh if d.customer_id in members or sampled(d.source_key, share)]
    await Callback.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


async def _buyers(desk: CallbackDesk, since: datetime, until: datetime) -> list[Due]:
    days = desk.settings.buyer_days
    if not days:
        return []
    orders = await Order.filter(status__in=PAID_STATUSES, customer_id__isnull=False,
                                paid_at__gte=since - timedelta(days=max(days)),
                                paid_at__lte=until - timedelta(days=min(days))).values_list("id", "customer_id",
                                                                                            "order_no", "paid_at")
    return [Due(customer_id, "buyer", f"order:{order_id}:{d}", order_no, paid_at + timedelta(days=d), d)
            for order_id, customer_id, order_no, paid_at in orders for d in days
            if since <= paid_at + timedelta(days=d) <= until]


async def _prospects(desk: CallbackDesk, since: datetime, until: datetime) -> list[Due]:
    """Customers who first wrote and have not bought (非成交顾客)."""
    days = desk.settings.prospect_days
    if not days:
        return []
    contacts = await Customer.filter(created_at__gte=since - timedelta(days=max(days)),
                                     created_at__lte=until - timedelta(days=min(days))).values_list("id", "created_at")
    buyers = set(await Order.filter(customer_id__in=[c for c, _ in contacts], status__in=PAID_STATUSES)
                 .values_list("customer_id", flat=True)) if contacts else set()
    return [Due(customer_id, "prospect", f"prospect:{customer_id}:{d}", "", first + timedelta(days=d), d)
            for customer_id, first in contacts if customer_id not in buyers for d in days
            if since <= first + timedelta(days=d) <= until]


async def _cases(since: datetime, until: datetime) -> list[Due]:
    """Resolved after-sales cases, when their satisfaction follow-up is due (R-CASE-11)."""
    cases = await AfterSalesCase.filter(state="resolved", customer_id__isnull=False, satisfaction_due_at__gte=since,
                                        satisfaction_due_at__lte=until).values_list("id", "customer_id", "case_no",
                                                                                    "satisfaction_due_at")
    return [Due(customer_id, "after_sales", f"case:{case_id}", case_no, due) for case_id, customer_id, case_no, due
            in cases]


async def _complaints(desk: CallbackDesk, since: datetime, until: datetime) -> list[Due]:
    """Closed complaints, `CALLBACKS_COMPLAINT_AFTER_H` after they closed (投诉回访), except those whose
    customer refused phone calls (`NO_PHONE`, 别再打了): a callback may end on the phone list."""
    after = timedelta(hours=desk.settings.complaint_after_h)
    may_call = Q(contact__isnull=True) | Q(contact__not=NO_PHONE)
    closed = await Complaint.filter(may_call, closed_at__gte=since - after, closed_at__lte=until - after).values_list(
        "customer_id", "number", "closed_at")
    return [Due(customer_id, "complaint", f"complaint:{number}", number, closed_at + after)
            for customer_id, number, closed_at in closed]


async def group(desk: CallbackDesk) -> None:
    """Put every callback without a task into its customer's open task, or a new one (R-CALLBACK-2)."""
    loose = await Callback.filter(task_id__isnull=True).order_by("due_at", "id")
    for callback in loose:
        task = await _open_task(desk, callback)
        await Callback.filter(id=callback.id, task_id__isnull=True).update(task_id=task.id)
        if task.state == "scheduled" and callback.due_at < task.start_at:
            task.start_at, task.updated_at = callback.due_at, desk.now()
            await task.save(update_fields=["start_at", "updated_at"])
        if task.state == "scheduled":
            await desk.scheduler.at(START, str(task.id), task.start_at)


async def _open_task(desk: CallbackDesk, callback: Callback) -> CallbackTask:
    for _ in range(3):
        task = await CallbackTask.get_or_none(open_key=callback.customer_id)
        if task is not None:
            return task
        customer = await Customer.get(id=callback.customer_id)
        now = desk.now()
        try:
            return await CallbackTask.create(customer_id=customer.id, open_key=customer.id, start_at=callback.due_at,
                                             owner_id=customer.last_agent_id, created_at=now, updated_at=now)
        except IntegrityError:  # another worker opened it a moment ago
            continue
    raise RuntimeError("could not open a callback task")


async def sweep_now_and_then(desk: CallbackDesk) -> None:
    """The reconciliation's sweep: once an hour across all workers (the store's claim decides who)."""
    store = desk.store
    if await store.claim(store.keys("callbacks", "sweep"), SWEEP_EVERY_S):
        await sweep(desk)
