"""One person across channels: linking customer rows to a `Person`, merging and undoing merges.

Every customer row (one per channel identity) is linked to exactly one person. A new row is linked
to the person who already has the same verified phone, else to a person of its own; a row whose
phone is verified later brings its person together with the phone's person by a recorded merge,
which staff can undo like their own (docs/rules.md R-ARCHIVE-1, R-ARCHIVE-2). An undone merge
keeps the rows apart: the phone they share is not looked at again until it changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from bot.phones import normal_phone
from models.agent import Agent
from models.archive import SECRECY, ArchiveMerge, ArchiveNote, ArchiveTag, Person, PersonLink
from models.customer import Customer


class MergeRefused(Exception):
    """The merge or undo cannot be done (same person, already merged, already undone)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


async def resolve(person: Person, connection: BaseDBAsyncClient | None = None) -> Person:
    """The person `person` was merged into, following merges (a stale id still finds the record)."""
    seen = {person.id}
    while person.merged_into_id is not None and person.merged_into_id not in seen:
        seen.add(person.merged_into_id)
        person = await Person.get(id=person.merged_into_id).using_db(connection)
    return person


async def _person_with_phone(phone: str, exclude: int | None = None,
                             connection: BaseDBAsyncClient | None = None) -> Person | None:
    query = PersonLink.filter(phone_seen=phone).using_db(connection)
    if exclude is not None:
        query = query.exclude(person_id=exclude)
    link = await query.order_by("id").first()
    return await resolve(await Person.get(id=link.person_id).using_db(connection), connection) if link else None


async def link_customer(customer: Customer, now: datetime) -> Person:
    """The person of `customer`, linking it first if it is new or its verified phone changed."""
    phone = normal_phone(customer.phone)
    link = await PersonLink.get_or_none(customer_id=customer.id)
    if link is None:
        try:
            return await _first_link(customer, phone, now)
        except IntegrityError:  # linked by a concurrent request in the meantime
            link = await PersonLink.get(customer_id=customer.id)
    person = await resolve(await Person.get(id=link.person_id))
    if phone and phone != link.phone_seen:
        link.phone_seen = phone
        await link.save(update_fields=["phone_seen"])
        other = await _person_with_phone(phone, exclude=person.id)
        if other is not None and other.id != person.id:
            await merge(other, person, by=None, now=now, reason="phone")
            return await resolve(other)
    return person


async def _first_link(customer: Customer, phone: str | None, now: datetime) -> Person:
    """Link a customer seen for the first time: to the person with the same verified phone, else a new one."""
    async with in_transaction() as connection:
        person = await _person_with_phone(phone, connection=connection) if phone else None
        how = "phone" if person is not None else "new"
        if person is None:
            person = await Person.create(name=customer.name, phone=phone, created_at=now, updated_at=now,
                                         member_level="VIP" if customer.is_vip else None, using_db=connection)
        await PersonLink.create(customer_id=customer.id, person_id=person.id, how=how, phone_seen=phone, linked_at=now,
                                using_db=connection)
    return person


async def link_customers(customer_ids: Iterable[int], now: datetime) -> list[Person]:
    people: dict[int, Person] = {}
    for customer in await Customer.filter(id__in=list(customer_ids)).order_by("id"):
        person = await link_customer(customer, now)
        people[person.id] = person
    return list(people.values())


async def customer_ids(person: Person, connection: BaseDBAsyncClient | None = None) -> list[int]:
    return await PersonLink.filter(person_id=person.id).using_db(connection).order_by("customer_id").values_list(
        "customer_id", flat=True)


async def merge(kept: Person, absorbed: Person, *, by: Agent | None, now: datetime,
                reason: str = "staff") -> ArchiveMerge:
    """Move `absorbed`'s channel identities, notes and tags to `kept`, remembering exactly what moved."""
    if kept.id == absorbed.id:
        raise MergeRefused("same_person", "a record cannot be merged with itself")
    if kept.merged_into_id is not None or absorbed.merged_into_id is not None:
        raise MergeRefused("already_merged", "one of the records was merged into another")
    async with in_transaction() as connection:
        moved = {
            "links": await PersonLink.filter(person_id=absorbed.id).using_db(connection).values_list("id", flat=True),
            "notes": await ArchiveNote.filter(person_id=absorbed.id).using_db(connection).values_list("id", flat=True),
            "tags": [],
        }
        kept_tags = set(await ArchiveTag.filter(person_id=kept.id).using_db(connection).values_list("tag", flat=True))
        for tag in await ArchiveTag.filter(person_id=absorbed.id).using_db(connection):
            if tag.tag not in kept_tags:
                moved["tags"].append(tag.id)
        await PersonLink.filter(id__in=moved["links"]).using_db(connection).update(person_id=kept.id)
        await ArchiveNote.filter(id__in=moved["notes"]).using_db(connection).update(person_id=kept.id)
        await ArchiveTag.filter(id__in=moved["tags"]).using_db(connection).update(person_id=kept.id)
        for field in ("name", "phone", "address", "member_level"):
            if getattr(kept, field) is None and getattr(absorbed, field) is not None:
                setattr(kept, field, getattr(absorbed, field))
        kept.secrecy = _stricter(kept.secrecy, absorbed.secrecy)
        kept.updated_at = now
        await kept.save(using_db=connection)
        absorbed.merged_into_id, absorbed.updated_at = kept.id, now
        await absorbed.save(update_fields=["merged_into_id", "updated_at"], using_db=connection)
        return await ArchiveMerge.create(kept_id=kept.id, absorbed_id=absorbed.id, moved=moved, reason=reason,
                                         by=by, at=now, using_db=connection)


async def undo_merge(record: ArchiveMerge, *, by: Agent, now: datetime) -> None:
    """Move back exactly what the merge moved (R-ARCHIVE-1)."""
    if record.undone_at is not None:
        raise MergeRefused("already_undone", "this merge was undone already")
    if await ArchiveMerge.filter(kept_id=record.absorbed_id, undone_at__isnull=True, at__gt=record.at).exists():
        raise MergeRefused("merged_since", "the absorbed record took part in a later merge; undo that first")
    async with in_transaction() as connection:
        moved = record.moved
        await PersonLink.filter(id__in=moved["links"], person_id=record.kept_id).using_db(connection).update(
            person_id=record.absorbed_id)
        await ArchiveNote.filter(id__in=moved["notes"], person_id=record.kept_id).using_db(connection).update(
            person_id=record.absorbed_id)
        await ArchiveTag.filter(id__in=moved["tags"], person_id=record.kept_id).using_db(connection).update(
            person_id=record.absorbed_id)
        await Person.filter(id=record.absorbed_id).using_db(connection).update(merged_into_id=None, updated_at=now)
        record.undone_at, record.undone_by = now, by
        await record.save(update_fields=["undone_at", "undone_by_id"], using_db=connection)


def _stricter(first: str, second: str) -> str:
    return max(first, second, key=SECRECY.index)


async def forget_phones(customer_ids: Iterable[int], connection: BaseDBAsyncClient | None = None) -> None:
    """Erasure: the links no longer remember the phone they were linked by."""
    await PersonLink.filter(customer_id__in=list(customer_ids)).using_db(connection).update(phone_seen=None)


async def with_absorbed(person_ids: Iterable[int], connection: BaseDBAsyncClient | None = None) -> list[int]:
    """These records and every record merged into them (an absorbed record may still hold a name or phone)."""
    found = list(person_ids)
    frontier = found
    while frontier:
        frontier = await Person.filter(merged_into_id__in=frontier).exclude(id__in=found).using_db(
            connection).values_list("id", flat=True)
        found += frontier
    return found
