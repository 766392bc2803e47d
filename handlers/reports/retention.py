"""Retention: what is kept about a customer after their last contact, and for how long
(docs/rules.md R-RETENTION-1..5).

A customer's last contact is the latest message they wrote (or their last inbound time, or when they
were first seen): what the shop sends them (answers, pushes, notices) is not contact, or a customer
who never writes back would be kept for ever by the shop's own campaigns. Past
`RETENTION_MESSAGE_DAYS` their messages, left messages and handover notes are deleted; past
`RETENTION_UPLOAD_DAYS` the photos of their after-sales cases (the file too, once no
other case uses it); past `RETENTION_ARCHIVE_DAYS` their details are anonymised: name and phone on the
customer and their orders, what they wrote on their cases and the reasons on the cases' events, and,
in the same transaction, every area's own record of them through `Extension.on_retention` (the
archive's person details, notes and tags; what they said in complaints and callbacks). What the
reports count stays: conversations, SLA events, cases, orders, complaints, callbacks and referrals
remain, and message counts are sealed per day first (rollup.py), so last year's report shows the
same totals after the deletion.

A customer with a conversation (queued, held), a case, a complaint or a callback still open is left
alone: they are in contact. So is every other channel identity of the same person (the archive's
`PersonLink`s, docs/rules.md R-ARCHIVE-1): an old WeChat identity keeps its messages, name and
orders while the person writes in the web chat or has a complaint open there. `apply=False` counts
what a run would do and changes nothing (`csbot retention --dry-run`).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from tortoise.expressions import Q, Subquery
from tortoise.transactions import in_transaction

from handlers.reports.desk import ReportsDesk
from handlers.reports.rollup import seal
from models.archive import PersonLink
from models.callback import OPEN_TASK_STATES, CallbackTask
from models.case import AfterSalesCase, CaseEvent, CasePhoto
from models.complaint import Complaint
from models.conversation import Conversation
from models.customer import Customer
from models.handoff import HandoverNote, LeftMessage
from models.message import Message
from models.order import Order

OPEN_CASE_STATES = ("requested", "approved", "awaiting_return", "received", "inspected")
PHOTO_URL_PREFIX = "/api/after-sales/photos/"
#: Customers per round of a phase: every id list a query binds stays far below PostgreSQL's 32,767
#: parameters, whatever the years of customers a first run meets.
BATCH = 1_000


@dataclass
class RetentionCounts:
    messages: int = 0
    left_messages: int = 0
    handover_notes: int = 0
    photos: int = 0
    photo_files: int = 0
    customers_anonymised: int = 0
    orders_anonymised: int = 0
    cases_anonymised: int = 0
    days_sealed: int = 0
    #: What each area's `on_retention` hook removed (or, in a dry run, would remove), by area name.
    areas: dict[str, dict[str, int]] = field(default_factory=dict)

    def add_area(self, name: str, removed: dict[str, int]) -> None:
        counted = self.areas.setdefault(name, {})
        for kind, n in removed.items():
            counted[kind] = counted.get(kind, 0) + n

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


async def out_of_contact(cutoff: datetime) -> list[int]:
    """Customers whose last contact was before `cutoff`, who have nothing open, and no other identity of
    whose person is in contact."""
    recent = set(await Message.filter(direction="in", created_at__gte=cutoff).distinct().values_list(
        "conversation__customer_id", flat=True))
    busy = set(await Conversation.filter(status__in=("queued", "handoff")).values_list("customer_id", flat=True))
    busy |= set(await AfterSalesCase.filter(state__in=OPEN_CASE_STATES, customer_id__not_isnull=True).values_list(
        "customer_id", flat=True))
    busy |= set(await Complaint.filter(closed_at__isnull=True).values_list("customer_id", flat=True))
    busy |= set(await CallbackTask.filter(state__in=OPEN_TASK_STATES).values_list("customer_id", flat=True))
    candidates = await Customer.filter(created_at__lt=cutoff).filter(
        Q(last_inbound_at__isnull=True) | Q(last_inbound_at__lt=cutoff)).values_list("id", flat=True)
    in_contact = recent | busy
    return sorted(await whole_people({customer_id for customer_id in candidates if customer_id not in in_contact}))


async def whole_people(out: set[int]) -> set[int]:
    """Those of `out` whose every channel identity (the same person's other customer rows) is in `out`
    too: one identity in contact keeps the person's others."""
    people: set[int] = set()
    for ids in batches(out):
        people.update(await PersonLink.filter(customer_id__in=ids).values_list("person_id", flat=True))
    links: list[tuple[int, int]] = []
    for ids in batches(people):
        links += await PersonLink.filter(person_id__in=ids).values_list("person_id", "customer_id")
    partly = {person_id for person_id, customer_id in links if customer_id not in out}
    return out - {customer_id for person_id, customer_id in links if person_id in partly}


async def run(desk: ReportsDesk, *, apply: bool) -> RetentionCounts:
    settings = desk.retention
    now = desk.clock.now()
    counts = RetentionCounts()
    if apply:
        counts.days_sealed = await seal(now.astimezone(desk.core.zone).date(), desk.core.zone, now)
    if settings.message_days:
        for customers in batches(await out_of_contact(now - timedelta(days=settings.message_days))):
            await _messages(customers, counts, apply)
    if settings.upload_days:
        directory = desk.core.after_sales_upload_dir
        for customers in batches(await out_of_contact(now - timedelta(days=settings.upload_days))):
            await _photos(customers, directory, counts, apply)
    if settings.archive_days:
        for customers in batches(await out_of_contact(now - timedelta(days=settings.archive_days))):
            await _archive(desk, customers, counts, apply)
    return counts


def batches(ids: Iterable[int]) -> Iterator[list[int]]:
    """`ids` in rounds of `BATCH`; one empty round when there are none, so a phase still reports each
    area's zeros."""
    ordered = sorted(ids)
    return (ordered[start:start + BATCH] for start in range(0, max(len(ordered), 1), BATCH))


async def _messages(customers: list[int], counts: RetentionCounts, apply: bool) -> None:
    conversations = Subquery(Conversation.filter(customer_id__in=customers).values("id"))
    parts = ((Message, "messages"), (LeftMessage, "left_messages"), (HandoverNote, "handover_notes"))
    async with in_transaction():
        for model, field in parts:
            rows = model.filter(conversation_id__in=conversations)
            setattr(counts, field, getattr(counts, field) + await rows.count())
            if apply:
                await rows.delete()


async def _photos(customers: list[int], directory: Path, counts: RetentionCounts, apply: bool) -> None:
    photos = CasePhoto.filter(case__customer_id__in=customers)
    rows = await photos.values("id", "url")
    counts.photos += len(rows)
    urls = {row["url"] for row in rows}
    if not apply:
        counts.photo_files += len(urls)
        return
    await CasePhoto.filter(id__in=[row["id"] for row in rows]).delete()
    still_used = set(await CasePhoto.filter(url__in=urls).values_list("url", flat=True))
    for url in urls - still_used:
        name = url.rsplit("/", 1)[-1]
        if not url.startswith(PHOTO_URL_PREFIX) or "/" in name or name.startswith("."):
            continue
        with contextlib.suppress(FileNotFoundError):
            await asyncio.to_thread((directory / name).unlink)
            counts.photo_files += 1


async def _archive(desk: ReportsDesk, customers: list[int], counts: RetentionCounts, apply: bool) -> None:
    named = Customer.filter(id__in=customers).filter(Q(name__not_isnull=True) | Q(phone__not_isnull=True))
    orders = Order.filter(customer_id__in=customers).filter(Q(buyer_name__not_isnull=True) | Q(phone__not_isnull=True))
    cases = await _cases_with_words(customers)
    counts.customers_anonymised += await named.count()
    counts.orders_anonymised += await orders.count()
    counts.cases_anonymised += len(cases)
    async with in_transaction() as connection:
        if apply:
            await named.using_db(connection).update(name=None, phone=None)
            await orders.using_db(connection).update(buyer_name=None, phone=None)
            await AfterSalesCase.filter(id__in=cases).using_db(connection).update(description="", wanted=None,
                                                                                 reject_reason=None)
            await CaseEvent.filter(case_id__in=cases).using_db(connection).update(reason="")
        for extension in desk.extensions:
            if extension.on_retention is not None:
                counts.add_area(extension.name, dict(await extension.on_retention(customers, connection, apply)))


async def _cases_with_words(customers: list[int]) -> list[int]:
    """These customers' cases that still hold words: what they wrote, the reasons on the case and its
    events (a callback's unhappy answer is copied there, R-CALLBACK-7)."""
    theirs = AfterSalesCase.filter(customer_id__in=customers)
    words = Q(description__not="") | Q(wanted__not_isnull=True) | Q(reject_reason__not_isnull=True)
    found = set(await theirs.filter(words).values_list("id", flat=True))
    found |= set(await CaseEvent.filter(case__customer_id__in=customers, reason__not="").values_list(
        "case_id", flat=True))
    return sorted(found)
