"""Retention of the archive's own details (docs/rules.md R-RETENTION-5): `Extension.on_retention`.

A person whose every channel identity is past `RETENTION_ARCHIVE_DAYS` (and has nothing open) keeps
their record, member level, secrecy mark and class, but loses what identifies or describes them: name,
phone and address (on the record and on any record merged into it), the phones the links remember,
notes and tags. A person with one identity still in contact keeps everything: the record is one
person. The read log and the merges stay; they hold ids, never the data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q

from handlers.archive import persons
from models.archive import ArchiveNote, ArchiveTag, Person, PersonLink


async def people_of(customer_ids: Sequence[int], connection: BaseDBAsyncClient) -> list[int]:
    """The records these channel identities belong to. Retention passes whole people only (every
    identity of each is past retention: `handlers/reports/retention.py`, `whole_people`)."""
    return sorted(set(await PersonLink.filter(customer_id__in=list(customer_ids)).using_db(connection)
                      .values_list("person_id", flat=True)))


async def retain(customer_ids: Sequence[int], connection: BaseDBAsyncClient, apply: bool) -> Mapping[str, int]:
    kept = await people_of(customer_ids, connection)
    records = await persons.with_absorbed(kept, connection)
    details = Person.filter(Q(name__not_isnull=True) | Q(phone__not_isnull=True) | Q(address__not_isnull=True),
                            id__in=records).using_db(connection)
    notes = ArchiveNote.filter(person_id__in=records).using_db(connection)
    tags = ArchiveTag.filter(person_id__in=records).using_db(connection)
    linked = PersonLink.filter(person_id__in=kept, phone_seen__not_isnull=True).using_db(connection)
    counts = {"people": await details.count(), "notes": await notes.count(), "tags": await tags.count(),
              "linked_phones": await linked.count()}
    if apply:
        await details.update(name=None, phone=None, address=None)
        await notes.delete()
        await tags.delete()
        await linked.update(phone_seen=None)
    return counts
