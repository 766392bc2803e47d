"""Persist every message before its reply goes out, with group commit.

A row-by-row insert per message costs more than the whole rest of a webhook request, so messages
that arrive together share one transaction: callers queue their rows and await a future; one
flusher task writes everything queued so far in a single transaction and wakes them all. Under
light load a batch is one message and latency is one insert; under heavy load the cost per message
falls with the batch size.

Customers and conversations are looked up (or created) once per process and cached, since their
ids never change. A retried delivery's inbound row is dropped by the unique
`(channel, direction, source_id)` key; outbound rows get a generated `source_id` so that channels
can record delivery outcomes later without knowing database ids.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from bot.clock import Clock
from models.conversation import Conversation
from models.customer import Customer
from models.message import Message

log = logging.getLogger("csbot.recorder")


@dataclass(frozen=True, slots=True)
class Identity:
    customer_id: int
    conversation_id: int
    vip: bool = False  # as of first contact in this process


@dataclass(frozen=True, slots=True)
class DeliveryMark:
    source_id: str
    status: str
    reason: str | None


def outbound_message(channel: str, conversation_id: int, text: str, author: str, now: datetime) -> Message:
    """A pending outbound row with a fresh `source_id` for recording its delivery later."""
    return Message(
        conversation_id=conversation_id, channel=channel, direction="out", kind="text", text=text,
        source_id=uuid.uuid4().hex, author=author, created_at=now, delivery_status="pending",
    )


class Recorder:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._identities: dict[str, Identity] = {}
        self._customer_of: dict[int, int] = {}
        self._pending: list[tuple[Message | DeliveryMark, asyncio.Future[None]]] = []
        self._flusher: asyncio.Task[None] | None = None

    async def identify(self, channel: str, user_id: str) -> Identity:
        """Database ids of this channel user's customer and conversation, created on first contact."""
        key = f"{channel}:{user_id}"
        cached = self._identities.get(key)
        if cached:
            return cached
        customer = await Customer.get_or_none(channel=channel, external_id=user_id)
        conversation = await Conversation.get_or_none(key=key) if customer else None
        if customer is None or conversation is None:
            customer, conversation = await self._first_contact(channel, user_id, key)
        identity = Identity(customer.id, conversation.id, customer.is_vip)
        self._identities[key] = identity
        self._customer_of[conversation.id] = customer.id
        return identity

    async def _first_contact(self, channel: str, user_id: str, key: str) -> tuple[Customer, Conversation]:
        """Create the customer and their conversation in one transaction (one commit)."""
        now = self._clock.now()
        try:
            async with in_transaction() as connection:
                customer = await Customer.get_or_none(channel=channel, external_id=user_id).using_db(connection)
                if customer is None:
                    customer = await Customer.create(channel=channel, external_id=user_id, created_at=now,
                                                     using_db=connection)
                conversation = await Conversation.create(key=key, customer_id=customer.id, channel=channel,
                                                         opened_at=now, using_db=connection)
        except IntegrityError:  # another worker created them between our read and our insert
            customer = await Customer.get(channel=channel, external_id=user_id)
            conversation = await Conversation.get(key=key)
        return customer, conversation

    async def record(self, rows: Iterable[Message]) -> None:
        """Queue rows and return once they are committed (together with whatever else was queued)."""
        await self._enqueue(list(rows))

    async def mark_delivery(self, source_id: str, status: str, reason: str | None = None) -> None:
        """Record what the platform did with an outbound message (sent, or undeliverable and why)."""
        await self._enqueue([DeliveryMark(source_id, status, reason)])

    async def _enqueue(self, items: list[Message | DeliveryMark]) -> None:
        if not items:
            return
        loop = asyncio.get_running_loop()
        futures = []
        for item in items:
            future = loop.create_future()
            self._pending.append((item, future))
            futures.append(future)
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush_all())
        await asyncio.gather(*futures)

    async def _flush_all(self) -> None:
        while self._pending:
            batch, self._pending = self._pending, []
            try:
                await self._write([item for item, _ in batch])
            except Exception as exc:  # every waiter learns of the failure; none is left hanging
                log.exception("message batch of %d failed", len(batch))
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
            else:
                for _, future in batch:
                    if not future.done():
                        future.set_result(None)

    async def _write(self, batch: list[Message | DeliveryMark]) -> None:
        rows = [item for item in batch if isinstance(item, Message)]
        marks: dict[tuple[str, str | None], list[str]] = {}
        for item in batch:
            if isinstance(item, DeliveryMark):
                marks.setdefault((item.status, item.reason), []).append(item.source_id)
        now = self._clock.now()
        conversation_ids = {row.conversation_id for row in rows}
        heard = {self._customer_of.get(row.conversation_id) for row in rows if row.direction == "in"} - {None}
        async with in_transaction() as connection:
            if rows:
                await Message.bulk_create(rows, ignore_conflicts=True, using_db=connection)
                await Conversation.filter(id__in=conversation_ids).using_db(connection).update(last_message_at=now)
            if heard:
                await Customer.filter(id__in=heard).using_db(connection).update(last_inbound_at=now)
            for (status, reason), source_ids in marks.items():
                await Message.filter(source_id__in=source_ids, direction="out").using_db(connection).update(
                    delivery_status=status, failure_reason=reason, sent_at=now if status == "sent" else None
                )

    async def close(self) -> None:
        if self._flusher is not None:
            await asyncio.gather(self._flusher, return_exceptions=True)
