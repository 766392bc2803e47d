"""Erasure of one person on request (PIPL; docs/rules.md R-ARCHIVE-11).

What identifies the person or what they said goes: message texts are emptied, uploaded photos
deleted from disk and from their cases, names, phones and addresses cleared from the customer rows,
orders and the archive, notes and tags deleted, channel ids replaced, open conversations and 留言 closed.
What remains are rows without content, so counts (messages per day, orders, cases, referrals) still
add up. The `Erasure` record holds only those counts, the person's id and who erased it.
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import TYPE_CHECKING

from tortoise.transactions import in_transaction

from handlers.after_sales.uploads import UPLOAD_PATH
from handlers.archive import persons
from handlers.handoff.queue import holder_key
from models.archive import ArchiveNote, ArchiveTag, Erasure, Person
from models.case import AfterSalesCase, CaseEvent, CasePhoto
from models.conversation import Conversation
from models.customer import Customer
from models.handoff import HandoverNote, LeftMessage
from models.message import Message
from models.order import Order

if TYPE_CHECKING:
    from handlers.archive.service import ArchiveService


async def erase(archive: ArchiveService, person: Person, by: str) -> Erasure:
    now = archive.clock.now()
    ids = await persons.customer_ids(person)
    conversations = await Conversation.filter(customer_id__in=ids)
    conversation_ids = [c.id for c in conversations]
    case_ids = await AfterSalesCase.filter(customer_id__in=ids).values_list("id", flat=True)
    photos = {url for url in await CasePhoto.filter(case_id__in=case_ids).values_list("url", flat=True)}
    photos |= {text for text in await Message.filter(conversation_id__in=conversation_ids, kind="image").values_list(
        "text", flat=True) if text.startswith(UPLOAD_PATH)}
    async with in_transaction() as connection:
        counts = {
            "customers": len(ids),
            "messages": await Message.filter(conversation_id__in=conversation_ids).using_db(connection).update(
                text="", failure_reason=None),
            "photos": len(photos),
            "orders": await Order.filter(customer_id__in=ids).using_db(connection).update(buyer_name=None, phone=None),
            "cases": len(case_ids),
            "notes": await ArchiveNote.filter(person_id=person.id).using_db(connection).delete(),
        }
        await CasePhoto.filter(case_id__in=case_ids).using_db(connection).delete()
        await AfterSalesCase.filter(id__in=case_ids).using_db(connection).update(description="", wanted=None,
                                                                                reject_reason=None, item=None)
        await CaseEvent.filter(case_id__in=case_ids).using_db(connection).update(reason="", data={})
        await HandoverNote.filter(conversation_id__in=conversation_ids).using_db(connection).update(
            open_questions="", pending="")
        left_messages = LeftMessage.filter(conversation_id__in=conversation_ids).using_db(connection)
        # their open 留言 are done now: open, emptied, they stayed in every count of open ones for good
        counts["left_messages_closed"] = await left_messages.filter(done_at=None).update(done_at=now)
        await left_messages.update(text="")
        await ArchiveTag.filter(person_id=person.id).using_db(connection).delete()
        for customer in await Customer.filter(id__in=ids).using_db(connection):
            customer.name = customer.phone = None
            customer.external_id = f"erased-{customer.id}"
            customer.opted_out = True
            await customer.save(using_db=connection)
        for conversation in conversations:
            await Conversation.filter(id=conversation.id).using_db(connection).update(
                key=f"{conversation.channel}:erased-{conversation.id}", status="closed", assignee_id=None,
                waiting_since=None, unacked_since=None)
        records = await persons.with_absorbed([person.id], connection)
        await Person.filter(id__in=records).using_db(connection).update(
            name=None, phone=None, address=None, class_factors={}, erased_at=now, updated_at=now)
        await persons.forget_phones(ids, connection)
        for extension in archive.extensions:  # complaints, callbacks: their own records of these customers
            if extension.on_erase is not None:
                counts.update(await extension.on_erase(ids, connection))
        record = await Erasure.create(person_id=person.id, counts=counts, by=by, at=now, using_db=connection)
    await _delete_files(archive.upload_dir, photos)
    for conversation in conversations:
        await archive.store.delete(holder_key(archive.store, conversation.key))
    return record


async def _delete_files(directory: Path, urls: set[str]) -> None:
    for url in urls:
        name = url.rsplit("/", 1)[-1]
        if await CasePhoto.filter(url=url).exists():
            continue  # the same picture is attached to someone else's case too
        with contextlib.suppress(FileNotFoundError):
            await asyncio.to_thread((directory / name).unlink)
