"""The archive service: find a person, read their archive part by part, reveal, write, classify.

Every read goes through `read` (or `reveal`, `export`), which asks `access.grant` for each part,
logs what was read and what was refused (R-ARCHIVE-6) and returns only what was allowed. Built at
start-up under `ARCHIVE`; the sections are the archive's own parts and every `Extension`'s
`archive_sections`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from bot.archive_section import ArchiveSection
from bot.context import ServiceKey
from bot.ids import unique_id
from bot.phones import mask_phone, normal_phone
from bot.web.problems import ApiError
from handlers.archive import access, audit, classing, persons
from handlers.archive.sections import OWN_PARTS
from handlers.archive.settings import ArchiveSettings
from models.agent import Agent
from models.archive import Person, PersonLink
from models.customer import Customer
from models.order import Order

if TYPE_CHECKING:
    from bot.context import Services
    from bot.extension import Extension


class ArchiveRefused(ApiError):
    """A refusal with a stable code and the HTTP status the API answers it with (the error middleware
    does, like any `ApiError`); the CLI prints its message."""


#: A list's reads of one record by one reader are logged once in this period (`log_duty`).
LIST_READ_PERIOD_S = 3600


@dataclass(frozen=True)
class Reader:
    """Who reads, how (api, console, cli) and why (free text, or the access request)."""

    agent: Agent
    via: str
    reason: str = ""


class ArchiveService:
    def __init__(self, services: Services, settings: ArchiveSettings, extensions: Sequence[Extension]) -> None:
        """`services`: the shared clock, store and core settings (and the queue's, for a hand-over);
        `extensions`: every area, for their archive sections and their part of a hand-over or erasure."""
        self.services = services
        self.clock = services.clock
        self.store = services.store
        self.zone = services.settings.zone
        self.upload_dir = services.settings.after_sales_upload_dir
        self.settings = settings
        self.extensions = tuple(extensions)
        extra = [section for extension in self.extensions for section in extension.archive_sections]
        self.sections: dict[str, ArchiveSection] = {s.name: s for s in (*OWN_PARTS, *extra)}

    # --- finding people ---
    async def person(self, person_id: int) -> Person:
        person = await Person.get_or_none(id=person_id)
        if person is None or person.erased_at is not None:
            raise ArchiveRefused(404, "no_such_person", "no such archive record")
        return await persons.resolve(person)

    async def person_of_customer(self, reader: Reader, customer_id: int) -> Person:
        """The record a channel identity belongs to. Logged like a search (part `index`, R-ARCHIVE-6): it
        tells which person a chat identity is; a 绝密 record is not found by those not cleared for it."""
        customer = await Customer.get_or_none(id=customer_id)
        if customer is None:
            raise ArchiveRefused(404, "no_such_customer", "no such customer")
        now = self.clock.now()
        person = await persons.link_customer(customer, now)
        hidden = person.secrecy == "secret" and reader.agent.role not in access.CLEARANCE["secret"]
        if hidden or person.erased_at is not None:
            await audit.log_reads(reader.agent, reader.agent.name, person.id, ["index"], action="denied",
                                  via=reader.via, basis="none", at=now, reason=reader.reason)
            raise ArchiveRefused(404, "no_such_customer", "no such customer")
        await self.current_class(person)
        await audit.log_reads(reader.agent, reader.agent.name, person.id, ["index"], action="lookup", via=reader.via,
                              basis="search", at=now, reason=reader.reason)
        return person

    async def search(self, reader: Reader, text: str, limit: int = 20) -> list[dict[str, Any]]:
        """People matching a name, phone, order number or customer id; masked, logged as a search."""
        text = text.strip()
        phone = normal_phone(text)
        condition = Q(name__icontains=text)
        if phone and len(phone) >= 7:
            condition |= Q(phone=phone) | Q(phone=text)
        ids = set(await Customer.filter(condition).limit(limit).values_list("id", flat=True))
        if text.isascii() and text.isdigit() and len(text) <= 9:  # a customer id
            ids.add(int(text))
        ids |= set(await Order.filter(order_no=text, customer_id__isnull=False).values_list("customer_id", flat=True))
        people: dict[int, Person] = {}
        for person in await persons.link_customers(ids, self.clock.now()):
            people[person.id] = person
        by_phone = await Person.filter(Q(name__icontains=text) | (Q(phone=phone) if phone else Q(id=0)),
                                       merged_into_id__isnull=True, erased_at__isnull=True).limit(limit)
        for person in by_phone:
            people[person.id] = person
        found = []
        for person in sorted(people.values(), key=lambda p: p.id)[:limit]:
            if person.erased_at is not None:
                continue
            cleared = reader.agent.role in access.CLEARANCE[person.secrecy]
            if person.secrecy == "secret" and not cleared:
                continue  # a 绝密 record's existence is itself secret
            ids = await persons.customer_ids(person)
            channels = await Customer.filter(id__in=ids).values_list("channel", flat=True)
            found.append({"id": person.id, "name": person.name if cleared else None,
                          "phone": mask_phone(person.phone) if cleared else None, "channels": sorted(set(channels)),
                          "secrecy": person.secrecy})
        for row in found:
            await audit.log_reads(reader.agent, reader.agent.name, row["id"], ["index"], action="search",
                                  via=reader.via, basis="search", at=self.clock.now(), reason=reader.reason)
        return found

    # --- reading ---
    async def read(self, reader: Reader, person: Person, parts: Sequence[str] | None = None
                   ) -> tuple[dict[str, list[dict[str, Any]]], list[str]]:
        """The parts `reader` may read (all sections when `parts` is None) and the names refused."""
        names = list(parts) if parts else list(self.sections)
        unknown = [name for name in names if name not in self.sections]
        if unknown:
            raise ArchiveRefused(400, "unknown_part", f"unknown archive part {unknown[0]!r}")
        ids = await persons.customer_ids(person)
        now = self.clock.now()
        if "class" in names:
            await self.current_class(person)
        shown: dict[str, list[dict[str, Any]]] = {}
        denied: list[str] = []
        for name in names:
            grant = await access.grant(reader.agent, person, ids, name, now, self.settings)
            if grant is None:
                denied.append(name)
                continue
            shown[name] = await self.sections[name].load(ids, reader.agent)
            await audit.log_reads(reader.agent, reader.agent.name, person.id, [name], action="read", via=reader.via,
                                  basis=grant.basis, request_id=grant.request_id, at=now, reason=reader.reason)
        if denied:
            await audit.log_reads(reader.agent, reader.agent.name, person.id, denied, action="denied", via=reader.via,
                                  basis="none", at=now, reason=reader.reason)
        if not shown:
            raise ArchiveRefused(403, "access_denied", "file an access request for this record")
        return shown, denied

    async def require(self, reader: Reader, person: Person, part: str, kind: str = "read") -> access.Grant:
        grant = await access.grant(reader.agent, person, await persons.customer_ids(person), part, self.clock.now(),
                                   self.settings, kind=kind)
        if grant is None:
            await audit.log_reads(reader.agent, reader.agent.name, person.id, [part], action="denied", via=reader.via,
                                  basis="none", at=self.clock.now(), reason=reader.reason)
            raise ArchiveRefused(403, "access_denied", f"no access to {part} of this record")
        return grant

    async def reveal(self, reader: Reader, person: Person, field: str) -> list[str]:
        """The full phones or address (R-ARCHIVE-8): a logged action of its own."""
        grant = await self.require(reader, person, "contact")
        if field == "phone":
            customers = await Customer.filter(id__in=await persons.customer_ids(person))
            values = sorted({p for p in [person.phone, *(c.phone for c in customers)] if p})
        else:
            values = [person.address] if person.address else []
        await audit.log_reads(reader.agent, reader.agent.name, person.id, [f"contact.{field}"], action="reveal",
                              via=reader.via, basis=grant.basis, request_id=grant.request_id, at=self.clock.now(),
                              reason=reader.reason)
        return values

    # --- other areas' reads of a customer's records (after-sales desk, teaching) ---
    async def duty_grants(self, reader: Reader, customer_ids: Iterable[int | None], part: str, duty: str
                          ) -> dict[int, tuple[Person, access.Grant | None]]:
        """Whether `reader` may see `part` of each customer's records outside the archive, and whose
        record it is (nothing logged: `log_duty` logs what was shown). An area's own duty (`duty`, the
        basis logged: the after-sales desk, teaching) opens normal records; above normal the archive's
        own rule decides (`access.grant`: role, approved request). A caller opens a record whatever
        its secrecy only to the holder of that customer's live work (`access.HOLDER`).

        A list's read: a few statements however many customers it shows (customers first seen are
        linked together, `_link_new`; the records above normal decided together, `access.role_or_request`)."""
        now = self.clock.now()
        wanted = {customer_id for customer_id in customer_ids if customer_id is not None}
        linked = dict(await PersonLink.filter(customer_id__in=wanted).values_list("customer_id", "person_id"))
        if wanted - linked.keys():
            linked.update(await _link_new(wanted - linked.keys(), now))
        people = {person.id: person for person in await Person.filter(id__in=set(linked.values()))}
        records = {customer_id: await persons.resolve(people[person_id]) for customer_id, person_id in linked.items()}
        above = await access.role_or_request(reader.agent, [p for p in records.values() if p.secrecy != "normal"],
                                             part, now)
        return {customer_id: (person, access.Grant(duty) if person.secrecy == "normal" else above.get(person.id))
                for customer_id, person in records.items()}

    async def log_duty(self, reader: Reader, part: str, shown: Iterable[tuple[Person, access.Grant | None]],
                       listed: bool = False) -> None:
        """Log the reads (or refusals, for a grant of None) `duty_grants` decided, once per record; for a
        list (`listed`), once per record, reader and basis per `LIST_READ_PERIOD_S` (R-ARCHIVE-6): a
        console's list polled every minute logs who had the record in view in that period, not each poll.
        The period's marks are claimed in the store in one round trip."""
        entries = {(person.id, part, "read" if grant else "denied", grant.basis if grant else "none",
                    grant.request_id if grant else None) for person, grant in shown}
        if listed and entries:
            ordered = sorted(entries, key=str)
            claimed = await self.store.claim_many([
                (self.store.keys("archive-listed", str(reader.agent.id), *map(str, entry)), LIST_READ_PERIOD_S)
                for entry in ordered])
            entries = {entry for entry, first in zip(ordered, claimed, strict=True) if first}
        await audit.log_entries(reader.agent, reader.agent.name, sorted(entries, key=str), via=reader.via,
                                at=self.clock.now(), reason=reader.reason)

    async def require_for_duty(self, reader: Reader, customer_id: int | None, part: str, duty: str,
                               held: bool = False) -> None:
        """One customer's `part` for an area's duty (`duty_grants`; `held`: the reader holds the
        customer's live work), logged; a refusal is logged and answered 403 `access_denied` like the
        archive's own."""
        decided = await self.duty_grants(reader, [customer_id], part, duty)
        if customer_id not in decided:
            return  # no customer (or none any more), no archive record
        person, grant = decided[customer_id]
        grant = grant or (access.HOLDER if held else None)
        await self.log_duty(reader, part, [(person, grant)])
        if grant is None:
            raise ArchiveRefused(403, "access_denied", f"no access to {part} of this customer's record")

    async def log_write(self, reader: Reader, person: Person, part: str, basis: str) -> None:
        await audit.log_reads(reader.agent, reader.agent.name, person.id, [part], action="write", via=reader.via,
                              basis=basis, at=self.clock.now(), reason=reader.reason)

    # --- class ---
    async def reclassify(self, people: Iterable[Person] | None = None) -> int:
        """Recompute the class of `people` (every person when None): the daily run (R-ARCHIVE-7)."""
        now = self.clock.now()
        if people is None:
            unlinked = await Customer.filter(archive_link__id__isnull=True).values_list("id", flat=True)
            await persons.link_customers(unlinked, now)
            people = await Person.filter(merged_into_id__isnull=True, erased_at__isnull=True)
        count = 0
        for person in people:
            await classing.classify(person, self.settings, now)
            count += 1
        return count

    async def queue_priority(self, customer_id: int) -> int:
        """The queue priority the customer's class earns (ARCHIVE_QUEUE_PRIORITY; 0 when unset)."""
        if not self.settings.queue_priority:
            return 0
        link = await PersonLink.get_or_none(customer_id=customer_id)
        person = await Person.get_or_none(id=link.person_id) if link else None
        if person is None:
            return 0
        await self.current_class(person)
        return self.settings.queue_priority.get(person.class_band or "", 0)

    async def current_class(self, person: Person) -> None:
        """Recompute `person`'s class if an order changed it since (R-ARCHIVE-7): before anyone sees it."""
        if person.class_at is None:
            await classing.classify(person, self.settings, self.clock.now())


#: Marks the records `_link_new` creates until their ids are read back (in its transaction only; with an id
#: of its own, so no real address and no other batch matches it).
_LINKING = "linking:"


async def _link_new(customer_ids: set[int], now: datetime) -> dict[int, int]:
    """Link customers seen for the first time (R-ARCHIVE-1, R-ARCHIVE-2), as `persons.link_customer` does
    one by one, in a constant number of statements: to the record holding their verified phone, else to
    a new record (one per phone among them). The new records are read back by a mark in `address`, cleared
    in the same transaction. A customer linked meanwhile by another request (the unique link refused)
    makes the batch give way to `link_customer`, one by one."""
    customers = await Customer.filter(id__in=customer_ids, archive_link__id__isnull=True).order_by("id")
    phones = {customer.id: normal_phone(customer.phone) for customer in customers}
    holders = {}
    for phone, person_id in await PersonLink.filter(phone_seen__in={p for p in phones.values() if p}).order_by(
            "-id").values_list("phone_seen", "person_id"):
        holders[phone] = person_id  # the earliest link of the phone wins, as in `persons._person_with_phone`
    if not customers:
        return {}
    keys = {customer.id: phones[customer.id] or f"customer {customer.id}" for customer in customers}
    fresh: dict[str, Customer] = {}  # one new record per phone (or per customer without one), its first customer
    for customer in customers:
        if phones[customer.id] not in holders:
            fresh.setdefault(keys[customer.id], customer)
    mark = f"{_LINKING}{unique_id()}:"
    try:
        async with in_transaction() as connection:
            created: dict[str, int] = {}
            if fresh:
                await Person.bulk_create([
                    Person(name=c.name, phone=phones[c.id], member_level="VIP" if c.is_vip else None,
                           address=mark + key, created_at=now, updated_at=now) for key, c in fresh.items()
                ], using_db=connection)
                made = Person.filter(address__startswith=mark).using_db(connection)
                created = {address.removeprefix(mark): person_id
                           for person_id, address in await made.values_list("id", "address")}
                await made.update(address=None)
            links = [PersonLink(customer_id=c.id, person_id=holders.get(phones[c.id]) or created[keys[c.id]],
                                how="new" if fresh.get(keys[c.id]) is c else "phone", phone_seen=phones[c.id],
                                linked_at=now) for c in customers]
            await PersonLink.bulk_create(links, using_db=connection)
    except IntegrityError:
        return {customer.id: (await persons.link_customer(customer, now)).id for customer in customers}
    return {link.customer_id: link.person_id for link in links}


async def mark_class_stale(order: Order, connection: BaseDBAsyncClient | None) -> None:
    """Each order marks its buyer's class stale, in the transaction that saved the order; the class
    is recomputed before it is next shown or used (archive, queue), and by the daily run."""
    if order.customer_id is None:
        return
    people = await PersonLink.filter(customer_id=order.customer_id).using_db(connection).values_list(
        "person_id", flat=True)
    if people:
        await Person.filter(id__in=people, class_at__isnull=False).using_db(connection).update(class_at=None)


ARCHIVE: ServiceKey[ArchiveService] = ServiceKey("archive")
