"""Persist every message before its reply goes out, with group commit.

A row-by-row insert per message costs more than the whole rest of a webhook request, so messages
that arrive together share one transaction: callers queue their rows and await a future; one
flusher task writes everything queued so far in a single transaction and wakes them all. Under
light load a batch is one message and latency is one insert; under heavy load the cost per message
falls with the batch size. When a batch fails, each caller's rows are written again on their own,
so a row the database refuses fails only its own caller, never another customer's message. A batch
failing because the database is down for now (bot/outages.py: SQLite busy past its busy timeout, say)
is not split, each part would wait and fail alike: its callers hear of the outage at once (a web
request answers 503), and the delivery marks nobody waits for (`note_sent`) go with the next batch, or,
the worker stopping meanwhile, are tried again for a few seconds (`close`).

Customers and conversations are looked up (or created) once per process and cached, since their
ids never change. A retried delivery's inbound row is dropped by the unique
`(channel, direction, source_id)` key; outbound rows get a generated `source_id` so that channels
can record delivery outcomes later without knowing database ids.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import islice
from typing import NamedTuple

from tortoise.exceptions import IntegrityError

from bot.batch_writer import Batch, BatchWriter
from bot.clock import Alarm, Clock
from bot.ids import unique_id
from bot.outages import DATABASE_UNAVAILABLE
from bot.prebuilt_sql import Prebuilt
from models.conversation import Conversation
from models.customer import Customer

log = logging.getLogger("csbot.recorder")
CONTACT_PRECISION = timedelta(minutes=1)
#: How long a stopping worker goes on trying to write the delivery marks a database outage left (`close`):
#: inside the time bot/server.py gives a stopping worker past its grace, after its channels' own stop. Best
#: effort: with the channels' 10 s it fills bot/server.py's `KILL_WAIT_S` (15 s), so a worker whose other
#: closes are slow too is killed before they end, and what was not written is then lost without the log.
CLOSE_GRACE_S = 5.0
#: The first pause between those tries and the longest (each pause doubles).
CLOSE_RETRY_S = (0.25, 1.0)
#: How long a delivery mark noted without waiting (`note_sent`) waits for a batch of rows to go with when no
#: batch is being written: under load the next messages' rows come within milliseconds and carry it; an idle
#: worker writes it alone after this. A repeat of a message leaves them out of what is owed
#: (`sent_not_written`, bot/dispatcher.py `_still_owed`). A batch of marks alone, written as soon as a reply
#: went out, was about a third of the group commits, each rewriting the pages the one before had just
#: written: 4.5% of the embedded worker's CPU a message (docs/performance.md, thirteenth round).
MARKS_WAIT_S = 0.05
#: A channel user's conversation with its customer, in one fixed statement (the ORM built the join per
#: customer not yet seen by this process: every customer's first message after a start).
IDENTIFY = Prebuilt(lambda: 'SELECT c.id AS conversation_id, c.customer_id AS customer_id, cu.is_vip AS is_vip '
                            'FROM conversation c JOIN customer cu ON cu.id = c.customer_id WHERE c."key" = ?')


@dataclass(frozen=True, slots=True)
class Identity:
    customer_id: int
    conversation_id: int
    vip: bool = False  # as of first contact in this process


class DeliveryMark(NamedTuple):
    source_id: str
    status: str
    reason: str | None


class MessageRecord(NamedTuple):
    """A `message` row to insert. A plain record, not an ORM instance: building and inserting these
    is on every message's path, and a prepared multi-row INSERT costs a fraction of the ORM's. A
    named tuple (immutable, its values already in `COLUMNS` order for the INSERT) rather than a frozen
    dataclass, whose `__init__` sets each of its eleven fields through `object.__setattr__` (3.4 µs
    against 1.1 µs a row, docs/performance.md)."""

    conversation_id: int
    channel: str
    direction: str
    kind: str
    text: str
    source_id: str | None
    author: str
    created_at: datetime
    delivery_status: str
    intent: str | None = None
    confidence: float | None = None


COLUMNS = MessageRecord._fields


def outbound_message(channel: str, conversation_id: int, text: str, author: str, now: datetime,
                     source_id: str | None = None) -> MessageRecord:
    """A pending outbound row with `source_id` (a fresh one if not given) for recording its delivery later."""
    return MessageRecord(conversation_id, channel, "out", "text", text, source_id or unique_id(), author, now,
                         "pending")


class Recorder:
    def __init__(self, clock: Clock, writer: BatchWriter, remember: int = 100_000) -> None:
        self._clock = clock
        self._writer = writer
        self._remember = remember
        self._identities: dict[str, Identity] = {}
        self._customer_of: dict[int, int] = {}
        self._contact_written: dict[int, datetime] = {}
        self._pending: list[tuple[list[MessageRecord | DeliveryMark], asyncio.Future[None] | None]] = []
        self._unwritten: list[DeliveryMark] = []  # marks nobody waits for, from a batch an outage failed
        self._flusher: asyncio.Task[None] | None = None
        self._marks_alarm: Alarm | None = None  # armed by `note_sent` while no batch is being written
        self._writing: list[tuple[list[MessageRecord | DeliveryMark], asyncio.Future[None] | None]] = []

    async def identify(self, channel: str, user_id: str) -> Identity:
        """Database ids of this channel user's customer and conversation, created on first contact:
        one prebuilt statement for a known customer (the conversation with its customer), and the two
        inserts through the ORM for a new one."""
        key = f"{channel}:{user_id}"
        cached = self._identities.pop(key, None)
        if cached:
            self._identities[key] = cached  # the most recently seen last: the first to forget are the others
            return cached
        found = await IDENTIFY.rows(key)
        if found:
            row = found[0]
            identity = Identity(row["customer_id"], row["conversation_id"], bool(row["is_vip"]))
        else:
            conversation = await self._first_contact(channel, user_id, key)
            identity = Identity(conversation.customer.id, conversation.id, conversation.customer.is_vip)
        self._keep(key, identity)
        return identity

    def _keep(self, key: str, identity: Identity) -> None:
        """Cache an identity. Past `remember` customers the quarter seen least recently is forgotten
        (read again with one statement when they come back), so a worker that runs for months does not
        grow with every customer it has ever seen. A message whose customer is forgotten between
        `identify` and its group commit (about 75,000 other customers identified by this worker in
        the meantime) skips that one `last_inbound_at` write; their next message writes it."""
        identities = self._identities
        if len(identities) >= self._remember:
            for old in list(islice(identities, max(1, self._remember // 4))):
                forgotten = identities.pop(old)
                self._customer_of.pop(forgotten.conversation_id, None)
                self._contact_written.pop(forgotten.customer_id, None)
        identities[key] = identity
        self._customer_of[identity.conversation_id] = identity.customer_id

    async def _first_contact(self, channel: str, user_id: str, key: str) -> Conversation:
        """Create the customer, then their conversation. Each insert stands alone: a customer left
        without a conversation (a crash between the two) is completed by the next first contact, and
        a row another worker inserted first is read instead (the unique keys refuse a second)."""
        now = self._clock.now()
        try:
            customer = await Customer.create(channel=channel, external_id=user_id, created_at=now)
        except IntegrityError:
            customer = await Customer.get(channel=channel, external_id=user_id)
        try:
            conversation = await Conversation.create(key=key, customer=customer, channel=channel, opened_at=now)
        except IntegrityError:
            conversation = await Conversation.filter(key=key).select_related("customer").get()
        return conversation

    async def record(self, rows: Iterable[MessageRecord]) -> None:
        """Queue rows and return once they are committed (together with whatever else was queued)."""
        await self._enqueue(list(rows))

    async def mark_delivery(self, source_id: str, status: str, reason: str | None = None) -> None:
        """Record what the platform did with an outbound message (sent, or undeliverable and why)."""
        await self._enqueue([DeliveryMark(source_id, status, reason)])

    def note_sent(self, source_ids: Iterable[str]) -> None:
        """Record messages as sent with a later batch, without waiting for it (a reply just went out;
        nothing depends on the mark being written before the next step): the flusher's next batch, else
        the next caller's rows, else one of its own after `MARKS_WAIT_S`. Until then `sent_not_written`
        names them, for a repeat not to send them again."""
        marks = [DeliveryMark(source_id, "sent", None) for source_id in source_ids]
        if not marks:
            return
        self._pending.append((marks, None))
        if (self._flusher is None or self._flusher.done()) and self._marks_alarm is None:
            self._marks_alarm = self._clock.call_later(MARKS_WAIT_S, self._marks_waited)

    def sent_not_written(self) -> set[str]:
        """The outbound ids this worker knows went out and whose "sent" mark is not committed yet: waiting
        for a batch, in the batch being written, or left by an outage. Read before the database, it keeps a
        repeat from owing a part the customer got, without waiting for the writes (under load the
        recorder is never idle for long)."""
        queued = (item for items, _ in (*self._pending, *self._writing) for item in items)
        return {item.source_id for item in (*queued, *self._unwritten)
                if isinstance(item, DeliveryMark) and item.status == "sent"}

    def _marks_waited(self) -> None:
        """`note_sent`'s wait is over: what no batch took since is written now."""
        self._marks_alarm = None
        if self._pending:
            self._wake_flusher()

    async def _enqueue(self, items: list[MessageRecord | DeliveryMark]) -> None:
        if not items:
            return
        future = asyncio.get_running_loop().create_future()
        self._pending.append((items, future))
        self._wake_flusher()
        await future

    def _wake_flusher(self) -> None:
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush_all())

    async def _flush_all(self) -> None:
        await asyncio.sleep(0)  # let the other requests in flight queue their rows into this batch
        while self._pending:
            batch = self._writing = self._pending
            self._pending = []
            if self._unwritten:
                batch.insert(0, (self._unwritten, None))
                self._unwritten = []
            try:
                await self._write([item for items, _ in batch for item in items])
            except DATABASE_UNAVAILABLE as exc:  # down for now: split, each part would wait and fail alike
                log.warning("message batch of %d not written: the database is unavailable (%s)", len(batch),
                            type(exc).__name__)
                for items, future in batch:
                    if future is None:
                        self._unwritten += [item for item in items if isinstance(item, DeliveryMark)]
                    elif not future.done():
                        future.set_exception(exc)
            except Exception as exc:
                if len(batch) == 1:
                    self._settle(batch[0], exc)
                    continue
                # One caller's bad row must not fail everyone else's: write each caller's rows on
                # their own, so that only the caller whose rows fail learns of it.
                log.warning("message batch of %d failed; writing its parts one by one", len(batch))
                for part in batch:
                    try:
                        await self._write(part[0])
                    except Exception as exc:
                        self._settle(part, exc)
                    else:
                        self._settle(part, None)
            else:
                for part in batch:
                    self._settle(part, None)
            finally:
                self._writing = []

    @staticmethod
    def _settle(part: tuple[list[MessageRecord | DeliveryMark], asyncio.Future[None] | None],
                error: BaseException | None) -> None:
        """Wake the caller of one queued part (every waiter learns its outcome; none is left hanging)."""
        items, future = part
        if error is not None:  # the type only: database errors quote the refused value, customer text
            log.error("writing %d message row(s) failed: %s", len(items), type(error).__name__)
        if future is None or future.done():
            return
        if error is None:
            future.set_result(None)
        else:
            future.set_exception(error)

    async def _write(self, batch: list[MessageRecord | DeliveryMark]) -> None:
        rows: list[MessageRecord] = []  # values in `COLUMNS` order
        heard: set[int | None] = set()
        marks: dict[tuple[str, str | None], list[str]] = {}
        customer_of = self._customer_of
        for item in batch:  # one pass: this runs for every group commit
            if isinstance(item, MessageRecord):
                rows.append(item)
                if item.direction == "in":
                    heard.add(customer_of.get(item.conversation_id))
            else:
                marks.setdefault((item.status, item.reason), []).append(item.source_id)
        now = self._clock.now()
        heard = {customer for customer in heard if customer is not None and self._stale_contact(customer, now)}
        await self._writer.write(Batch(COLUMNS, rows, heard, marks, now))
        self._contact_written.update(dict.fromkeys(heard, now))

    def _stale_contact(self, customer_id: int, now: datetime) -> bool:
        """Whether `last_inbound_at` needs writing: it bounds WeChat's 48-hour reply window, for which a
        minute is precision enough, so a chatting customer's row is not rewritten with every message."""
        written = self._contact_written.get(customer_id)
        return written is None or now - written >= CONTACT_PRECISION

    async def settle(self) -> None:
        """Wait until everything queued so far is written (marks noted without waiting included). The
        marks an outage left for the next batch (`_unwritten`) go in one more batch: at shutdown, none
        would come, and they were lost with the database back."""
        if self._pending:  # marks waiting for a batch of rows (`note_sent`): written now
            self._wake_flusher()
        await self._flushed()
        if self._unwritten:
            self._pending.append((self._unwritten, None))
            self._unwritten = []
            self._wake_flusher()
            await self._flushed()

    async def _flushed(self) -> None:
        while self._flusher is not None and not self._flusher.done():
            await asyncio.gather(self._flusher, return_exceptions=True)

    async def close(self) -> None:
        """`settle`, then, if the database is still down, go on trying to write the marks the outage left
        (`_unwritten`) for up to `CLOSE_GRACE_S`, within the time a stopping worker has before it is
        killed (bot/server.py): a reply sent during a database outage and the stop stayed "pending" for
        good. What is still unwritten after it is logged as counts by status, never by row. The grace counts
        from the stop's start, the first try included."""
        began = self._clock.monotonic()
        await self.settle()
        if self._marks_alarm is not None:  # what it waited for is written: nothing for it to wake
            self._marks_alarm.cancel()
            self._marks_alarm = None
        if self._unwritten:
            await self._write_unwritten_before(began + CLOSE_GRACE_S, self._clock.monotonic() - began)
        await self._writer.close()

    async def _write_unwritten_before(self, deadline: float, tried: float) -> None:
        """Try again until `deadline`, each try begun only when one as long as the last (`tried`) ends
        before it: a try against SQLite busy waits its busy timeout (5 s) before failing, and a grace
        counted after the first try, with a last try begun just before its end, made a stop last three
        such waits, past what bot/server.py gives a stopping worker beside its channels' stop."""
        log.warning("stopping with %s the database did not take; trying for up to %.0f s", _counted(self._unwritten),
                    CLOSE_GRACE_S)
        pause = CLOSE_RETRY_S[0]
        while self._unwritten and (left := deadline - self._clock.monotonic()) > tried:
            await self._clock.sleep(min(pause, left - tried))
            pause = min(2 * pause, CLOSE_RETRY_S[1])
            began = self._clock.monotonic()
            await self.settle()
            tried = self._clock.monotonic() - began
        if self._unwritten:
            log.error("stopped with %s not written: the database is unavailable", _counted(self._unwritten))
            self._unwritten = []
        else:
            log.info("the delivery marks left by the database's outage are written")


def _counted(marks: list[DeliveryMark]) -> str:
    """How many delivery marks, by status: what a log line may say of them (no row, no customer)."""
    by_status = Counter(mark.status for mark in marks)
    return f"{len(marks)} delivery mark(s) ({', '.join(f'{status} {n}' for status, n in sorted(by_status.items()))})"
