"""The archive's own parts and the sections it shows from other areas' records (R-ARCHIVE-3).

The parts kept by the archive itself (contact, profile, class, notes, tags) and the sections for
orders, after-sales cases and referrals are `ArchiveSection`s like any area's, so the service reads,
checks and logs them all alike. Phones and addresses leave here masked (R-ARCHIVE-8); class and
notes are internal (R-ARCHIVE-4).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.archive_section import ArchiveSection
from bot.phones import mask_phone
from handlers.archive.masking import mask_address
from models.agent import Agent
from models.archive import ArchiveNote, ArchiveTag, Person, PersonLink
from models.case import AfterSalesCase
from models.customer import Customer
from models.order import Order
from models.referral import Referral

ROW_LIMIT = 100


async def _person_of(customer_ids: Sequence[int]) -> Person | None:
    link = await PersonLink.filter(customer_id__in=list(customer_ids)).first()
    return await Person.get_or_none(id=link.person_id) if link is not None else None


async def load_contact(customer_ids: Sequence[int], viewer: Agent) -> list[dict[str, Any]]:
    person = await _person_of(customer_ids)
    customers = await Customer.filter(id__in=list(customer_ids)).order_by("id")
    phones = sorted({p for p in [person.phone if person else None, *(c.phone for c in customers)] if p})
    return [{
        "name": (person.name if person else None) or next((c.name for c in customers if c.name), None),
        "phones": [mask_phone(phone) for phone in phones],
        "address": mask_address(person.address if person else None),
        "channels": [{"customer_id": c.id, "channel": c.channel, "since": c.created_at} for c in customers],
    }]


async def load_profile(customer_ids: Sequence[int], viewer: Agent) -> list[dict[str, Any]]:
    person = await _person_of(customer_ids)
    customers = await Customer.filter(id__in=list(customer_ids))
    contacts = [c.last_inbound_at for c in customers if c.last_inbound_at]
    return [{
        "member_level": person.member_level if person else None,
        "vip": any(c.is_vip for c in customers),
        "secrecy": person.secrecy if person else "normal",
        "opted_out": any(c.opted_out for c in customers),
        "first_seen": min((c.created_at for c in customers), default=None),
        "last_contact": max(contacts, default=None),
    }]


async def load_class(customer_ids: Sequence[int], viewer: Agent) -> list[dict[str, Any]]:
    person = await _person_of(customer_ids)
    if person is None or person.class_band is None:
        return []
    return [{"band": person.class_band, "score": person.class_score, "factors": person.class_factors,
             "at": person.class_at}]


async def load_notes(customer_ids: Sequence[int], viewer: Agent) -> list[dict[str, Any]]:
    person = await _person_of(customer_ids)
    if person is None:
        return []
    notes = await ArchiveNote.filter(person_id=person.id).order_by("-created_at", "-id").limit(ROW_LIMIT)
    authors = {a.id: a.name for a in await Agent.filter(id__in=[n.author_id for n in notes if n.author_id])}
    return [{"id": n.id, "text": n.text, "internal": n.internal, "author": authors.get(n.author_id),
             "at": n.created_at} for n in notes]


async def load_tags(customer_ids: Sequence[int], viewer: Agent) -> list[dict[str, Any]]:
    person = await _person_of(customer_ids)
    if person is None:
        return []
    return [{"tag": tag} for tag in await ArchiveTag.filter(person_id=person.id).order_by("tag").values_list(
        "tag", flat=True)]


async def load_orders(customer_ids: Sequence[int], viewer: Agent) -> list[dict[str, Any]]:
    orders = await Order.filter(customer_id__in=list(customer_ids)).order_by("-updated_at", "-id").limit(ROW_LIMIT)
    return [{"order_no": o.order_no, "status": o.status, "total_fen": o.total_fen, "refunded_fen": o.refunded_fen,
             "items": sum(int(item.get("qty", 1)) for item in o.items or []), "paid_at": o.paid_at,
             "phone": mask_phone(o.phone)} for o in orders]


async def load_cases(customer_ids: Sequence[int], viewer: Agent) -> list[dict[str, Any]]:
    cases = await AfterSalesCase.filter(customer_id__in=list(customer_ids)).order_by("-created_at", "-id").limit(
        ROW_LIMIT).prefetch_related("order")
    return [{"case_no": c.case_no, "order_no": c.order.order_no, "kind": c.kind, "state": c.state,
             "amount_fen": c.amount_fen, "created_at": c.created_at, "resolved_at": c.resolved_at} for c in cases]


async def load_referrals(customer_ids: Sequence[int], viewer: Agent) -> list[dict[str, Any]]:
    ids = list(customer_ids)
    made = await Referral.filter(referrer_id__in=ids).order_by("-first_visit_at").limit(ROW_LIMIT).prefetch_related(
        "campaign")
    received = await Referral.filter(referred_id__in=ids).prefetch_related("campaign")
    return [{"role": "referrer", "campaign": r.campaign.title, "status": r.status, "since": r.first_visit_at,
             "converted_at": r.converted_at} for r in made] + [
        {"role": "referred", "campaign": r.campaign.title, "status": r.status, "since": r.first_visit_at,
         "converted_at": r.converted_at} for r in received]


#: The archive's own parts, in the order the console shows them.
OWN_PARTS: tuple[ArchiveSection, ...] = (
    ArchiveSection("contact", "part_contact", load_contact),
    ArchiveSection("profile", "part_profile", load_profile),
    ArchiveSection("class", "part_class", load_class, internal=True),
    ArchiveSection("notes", "part_notes", load_notes, internal=True),
    ArchiveSection("tags", "part_tags", load_tags),
)
#: Sections over other areas' records, contributed through the archive's own `Extension`.
RECORD_SECTIONS: tuple[ArchiveSection, ...] = (
    ArchiveSection("orders", "part_orders", load_orders),
    ArchiveSection("cases", "part_cases", load_cases),
    ArchiveSection("referrals", "part_referrals", load_referrals),
)
