"""The in-process store: one worker, no Redis.

It exists so that the bot runs with nothing installed (`csbot chat`, a small shop on one
process) and so that tests run without services; it passes the same contract tests as the Redis
store. Every duration (TTLs, lock leases, lock waits) is measured on the injected clock, so a test
moves time with `FakeClock.advance` and a TTL really expires. Nothing grows without bound: expired
values are purged through a heap of expiry times, a lock entry is dropped once nobody holds or
waits for it, and a subscriber's queue is removed when its iteration is closed.
"""

from __future__ import annotations

import asyncio
import heapq
import json
import logging
from collections.abc import AsyncGenerator, Awaitable, Coroutine, Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from bot.clock import Clock
from bot.ids import unique_id
from bot.store.base import (
    CLAIMED,
    CLAIMS_MEMORY_BEGAN,
    Claim,
    Claimed,
    HeldConversation,
    HoldRequest,
    KeyBuilder,
    LockTimeout,
    Store,
    Subscription,
    TakenConversation,
    Write,
)
from bot.store.keys import LEASE_SEPARATOR, deadline_lease

log = logging.getLogger("csbot.store")


_ENCODER = json.JSONEncoder(ensure_ascii=False)
#: `_ENCODER`'s C encoder, made once: `encode` makes one per call (`iterencode`), 3.4 against 1.6 µs for a
#: conversation's state, written for every message. The same text (tests/test_memory_store_json.py); without
#: the check for circular containers (`markers` None), which the store's values, made from JSON, never are.
_encode_chunks = json.encoder.c_make_encoder(None, _ENCODER.default, json.encoder.encode_basestring, None,
                                             _ENCODER.key_separator, _ENCODER.item_separator, False, False, True)


def _to_json(value: Any) -> str:
    """JSON as the Redis store writes it."""
    return "".join(_encode_chunks(value, 0))


#: Reads back what `_to_json` wrote (nothing else is read with it): `raw_decode` alone, where `json.loads`
#: also matches the whitespace around the document and goes through two more calls (1.1 µs against 2.0 µs
#: for a conversation's state, which this store decodes for every message).
_decode_json = json.JSONDecoder().raw_decode


def _from_json(raw: str) -> Any:
    return _decode_json(raw)[0]


#: A heap of more rows than `STALE_FACTOR` times the live ones, plus `STALE_SLACK`, is mostly stale.
STALE_FACTOR, STALE_SLACK = 2, 64


def _mostly_stale(heap: list, live: int) -> bool:
    """Whether most of `heap`'s rows are stale (their key set or scheduled again since): then it is
    rebuilt from the live ones. Rows are skipped lazily when popped, so a key set with every message
    would otherwise keep one row per setting for as long as its TTL. Asked after each push, so the
    caller makes the rebuilt rows (and their function) only when needed (`_put`, run for every value
    set with a TTL, several a message, asks it inline)."""
    return len(heap) > STALE_FACTOR * live + STALE_SLACK


def _heap_of(rows: list) -> list:
    heapq.heapify(rows)
    return rows


@dataclass(slots=True)
class _LockSlot:
    """One named lock: its holder's token and lease end, and who waits for it (`released`: made when
    someone first waits, so an uncontended lock costs no Event)."""

    holder: object | None = None
    expires_at: float = 0.0
    waiters: int = 0
    released: asyncio.Event | None = None


class MemoryStore(Store):
    def __init__(self, clock: Clock, keys: KeyBuilder | None = None) -> None:
        self.keys = keys or KeyBuilder()
        self._began_key = self.keys(CLAIMS_MEMORY_BEGAN)  # asked with every claim
        self._clock = clock
        self._values: dict[str, tuple[str, float | None]] = {}  # key -> (value, expires_at)
        self._expiries: list[tuple[float, str]] = []  # heap of (expires_at, key), may hold stale rows
        self._locks: dict[str, _LockSlot] = {}
        self._due: dict[str, dict[str, float]] = {}  # kind -> member -> due_at
        self._due_heaps: dict[str, list[tuple[float, str]]] = {}  # kind -> heap, may hold stale rows
        self._subscribers: dict[str, set[asyncio.Queue[dict[str, Any]]]] = {}

    async def together(self, awaitables: Sequence[Awaitable[Any]]) -> list[Any]:
        """In order, in the caller's task: nothing here is a round trip, and on the embedded default
        (SQLite, whose writes on a message's path run inline) each operation takes microseconds, while a
        task per operation waits for a turn of the busy event loop and its SQLite write leaves the
        inline path (the escalation's p99, docs/performance.md "Seventh round"). As with `gather`, a
        failure is returned in its place and the rest still run; a cancellation stops here, and the
        coroutines not started are closed (never left unawaited)."""
        results: list[Any] = []
        try:
            for awaitable in awaitables:
                try:
                    results.append(await awaitable)
                except Exception as exc:
                    results.append(exc)
        finally:
            for left in awaitables[len(results) + 1:]:
                if isinstance(left, Coroutine):
                    left.close()
        return results

    # --- plain values ---
    def _purge_expired(self) -> float:
        """Drop what expired; returns the clock's time it went by, for the command's writes (one reading)."""
        now = self._clock.monotonic()
        while self._expiries and self._expiries[0][0] <= now:
            expires_at, key = heapq.heappop(self._expiries)
            entry = self._values.get(key)
            if entry is not None and entry[1] == expires_at:
                del self._values[key]
        return now

    def _live(self, key: str) -> str | None:
        self._purge_expired()
        return self._peek(key)

    def _peek(self, key: str) -> str | None:
        """A value as of the last purge: for the reads of one command after it purged once (one instant)."""
        entry = self._values.get(key)
        return None if entry is None else entry[0]

    def _put(self, key: str, value: str, ttl: float | None, now: float | None = None) -> None:
        """`now`: the clock's time as the command read it (`_purge_expired`), for a command of several writes."""
        values = self._values
        if ttl is None:
            values[key] = (value, None)
            return
        expires_at = (self._clock.monotonic() if now is None else now) + ttl
        values[key] = (value, expires_at)
        expiries = self._expiries
        heapq.heappush(expiries, (expires_at, key))
        if _mostly_stale(expiries, len(values)):
            self._expiries = _heap_of([(at, name) for name, (_, at) in values.items() if at is not None])

    async def claim(self, key: str, ttl: float, value: str | None = None) -> bool:
        current = self._live(key)
        if current is not None:
            return current == value
        self._put(key, unique_id() if value is None else value, ttl)
        return True

    async def get(self, key: str) -> str | None:
        return self._live(key)

    async def set(self, key: str, value: str, ttl: float | None = None) -> None:
        self._purge_expired()
        self._put(key, value, ttl)

    async def delete(self, *keys: str) -> None:
        for key in keys:
            self._values.pop(key, None)

    async def delete_if_holding(self, held: Mapping[str, str]) -> list[str]:
        self._purge_expired()  # no await from here on: atomic on the loop
        kept = [key for key, value in held.items() if self._peek(key) not in (None, value)]
        for key, value in held.items():
            if self._peek(key) == value:
                del self._values[key]
        return kept

    async def incr(self, key: str, ttl: float | None = None) -> int:
        current = self._live(key)
        if current is None:
            self._put(key, "1", ttl)
            return 1
        value = int(current) + 1
        self._values[key] = (str(value), self._values[key][1])
        return value

    # --- conversation state: stored as JSON text, so callers get copies, as from Redis ---
    async def get_state(self, conversation: str) -> dict[str, Any] | None:
        raw = self._live(self.keys("state", conversation))
        return None if raw is None else _from_json(raw)

    async def set_state(self, conversation: str, state: Mapping[str, Any], ttl: float | None = None) -> None:
        self._purge_expired()
        self._put(self.keys("state", conversation), _to_json(state), ttl)

    async def clear_state(self, conversation: str) -> None:
        await self.delete(self.keys("state", conversation))

    # --- locks: a lease per name; waiters wake on release, on lease end or at their wait limit ---
    def lock(
        self,
        *name: str,
        timeout: float = 10.0,  # the lease length, named so by the contract
        wait: float = 5.0,
    ) -> _Held:
        return _Held(self, self.keys("lock", *name), timeout, wait, None)

    def hold_conversation(
        self, conversation: str, *keys: str, lease: float = 10.0, wait: float = 5.0,
        taken: TakenConversation | None = None,
    ) -> _Held:
        """The base's round without its generator-based context managers and awaited commands: a
        free lock is taken and the state read without suspending (this runs for every message)."""
        assert taken is None, "this store takes no conversation in claim_in_order"
        return _Held(self, self.keys("lock", conversation), lease, wait, (conversation, keys))

    def _try_acquire(self, name: str, token: object, lease: float) -> bool:
        """Take a free (or expired) lock nobody waits for, without suspending."""
        slot = self._locks.get(name)
        now = self._clock.monotonic()
        if slot is None:
            self._locks[name] = _LockSlot(token, now + lease)
            return True
        if slot.waiters == 0 and (slot.holder is None or slot.expires_at <= now):
            slot.holder, slot.expires_at = token, now + lease
            return True
        return False

    async def _acquire(self, name: str, token: object, lease: float, wait: float) -> None:
        slot = self._locks.setdefault(name, _LockSlot())
        give_up_at = self._clock.monotonic() + wait
        slot.waiters += 1
        try:
            while True:
                now = self._clock.monotonic()
                if slot.holder is None or slot.expires_at <= now:
                    slot.holder, slot.expires_at = token, now + lease
                    return
                if now >= give_up_at:
                    raise LockTimeout(f"lock {name!r} still held after waiting {wait} s")
                await self._wait_for_release(slot, min(give_up_at, slot.expires_at) - now)
        finally:
            slot.waiters -= 1
            if slot.holder is None and slot.waiters == 0:
                self._locks.pop(name, None)

    async def _wait_for_release(self, slot: _LockSlot, seconds: float) -> None:
        if slot.released is None:
            slot.released = asyncio.Event()
        released = asyncio.ensure_future(slot.released.wait())
        timer = asyncio.ensure_future(self._clock.sleep(seconds))
        try:
            await asyncio.wait((released, timer), return_when=asyncio.FIRST_COMPLETED)
        finally:
            released.cancel()
            timer.cancel()

    def _release(self, name: str, token: object) -> None:
        slot = self._locks.get(name)
        if slot is None or slot.holder is not token:
            log.warning("a lock expired while held; the work under it was not exclusive")
            return
        slot.holder = None
        if slot.released is not None:
            slot.released.set()
            slot.released = None
        if slot.waiters == 0:
            del self._locks[name]

    # --- a WeChat delivery's claims: the base's contract, without a suspension per key ---
    async def claim_in_order(self, claims: Sequence[Claim], then: Sequence[Write] = (), *,
                             now: float = 0.0, hold: HoldRequest | None = None) -> Claimed:
        at = self._purge_expired()  # one reading of the clock for the command's writes
        for index, claim in enumerate(claims):
            current = self._peek(claim.key)
            if current is None:
                self._put(claim.key, claim.value, claim.ttl, at)
            elif not (claim.same_value_passes and current == claim.value):
                return Claimed(index, current)
        first_time = True
        for claim in claims:
            if claim.remember_s is not None:
                marker = self.keys.about(CLAIMED, claim.key)
                remembered = self._peek(marker)
                if remembered is None:
                    self._put(marker, claim.value, claim.remember_s, at)
                elif remembered != claim.value:
                    first_time = False
        began = self._peek(self._began_key)
        if began is None:
            began = repr(now)
            self._put(self._began_key, began, None)
        for write in then:
            self._put(write.key, write.value, write.ttl, at)
        return Claimed(None, None, first_time, float(began))

    # --- deadlines: a dict for the truth, a heap for the order (stale rows skipped lazily) ---
    async def schedule(self, kind: str, member: str, due_at: float) -> None:
        due = self._due.setdefault(kind, {})
        due[member] = due_at
        heap = self._due_heaps.setdefault(kind, [])
        heapq.heappush(heap, (due_at, member))
        if _mostly_stale(heap, len(due)):
            self._due_heaps[kind] = _heap_of([(at, m) for m, at in due.items()])

    async def schedule_if_absent(self, kind: str, member: str, due_at: float) -> bool:
        if member in self._due.get(kind, {}):
            return False
        await self.schedule(kind, member, due_at)
        return True

    async def cancel(self, kind: str, member: str) -> None:
        members = self._due.get(kind)
        if members is not None:
            members.pop(member, None)
            if not members:
                self._forget_kind(kind)

    async def renew_leases(self, kind: str, members: Sequence[str], due_at: float) -> list[str]:
        scheduled = self._due.get(kind, {})
        gone = [member for member in members if member not in scheduled]
        for member in members:
            if member in scheduled:
                await self.schedule(kind, member, due_at)
        return gone

    async def schedule_if_leased(self, kind: str, member: str, due_at: float, leases: str, lease: str) -> bool | None:
        # none of these suspends: atomic on the loop
        if lease not in self._due.get(leases, {}):
            return None
        await self.cancel(leases, lease)
        if member in self._due.get(kind, {}):
            return False
        await self.schedule(kind, member, due_at)
        return True

    async def cancel_leased(self, kind: str, member: str, leases: Sequence[str], keys: Sequence[str] = ()) -> None:
        # none of these suspends: atomic on the loop
        await self.delete(*keys)
        await self.cancel(kind, member)
        taken = deadline_lease(kind, member, "")
        for leased in leases:
            for lease in [lease for lease in self._due.get(leased, ()) if lease.startswith(taken)]:
                await self.cancel(leased, lease)
            await self.cancel(leased, taken.removesuffix(LEASE_SEPARATOR))  # an earlier release's lease

    def _head(self, kind: str) -> tuple[float, str] | None:
        """The earliest live row of `kind`, dropping stale rows on the way."""
        heap, members = self._due_heaps.get(kind), self._due.get(kind)
        while heap and members:
            due_at, member = heap[0]
            if members.get(member) == due_at:
                return due_at, member
            heapq.heappop(heap)
        return None

    def _forget_kind(self, kind: str) -> None:
        self._due.pop(kind, None)
        self._due_heaps.pop(kind, None)

    async def pop_due(self, kind: str, now: float, limit: int = 100) -> list[str]:
        popped: list[str] = []
        while len(popped) < limit and (head := self._head(kind)) is not None and head[0] <= now:
            heapq.heappop(self._due_heaps[kind])
            del self._due[kind][head[1]]
            popped.append(head[1])
        if not self._due.get(kind):
            self._forget_kind(kind)
        return popped

    async def next_due(self, kind: str) -> float | None:
        head = self._head(kind)
        return None if head is None else head[0]

    # --- pub/sub: payloads go through JSON, so subscribers get copies, as from Redis ---
    async def publish(self, topic: str, payload: Mapping[str, Any]) -> None:
        """Each subscriber gets its own copy, through JSON as from Redis; with none (a console closed, the
        benchmark), nothing is encoded: the handoff queue publishes on every escalation."""
        queues = self._subscribers.get(topic)
        if not queues:
            return
        raw = _to_json(payload)
        for queue in queues:
            queue.put_nowait(_from_json(raw))

    def subscribe(self, *topics: str) -> Subscription:
        return Subscription(self._listen(topics))

    async def _listen(self, topics: tuple[str, ...]) -> AsyncGenerator[dict[str, Any] | None, None]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        for topic in topics:
            self._subscribers.setdefault(topic, set()).add(queue)
        try:
            yield None
            while True:
                yield await queue.get()
        finally:
            for topic in topics:
                queues = self._subscribers.get(topic)
                if queues is not None:
                    queues.discard(queue)
                    if not queues:
                        del self._subscribers[topic]

    # --- life cycle ---
    async def ping(self) -> None:
        """Always reachable: it lives in this process."""

    async def close(self) -> None:
        self._values.clear()
        self._expiries.clear()
        self._due.clear()
        self._due_heaps.clear()

    # --- appended: moves and removals that must not undo another worker's ---
    async def delete_and_cancel(self, keys: Sequence[str], held: Mapping[str, str], kind: str,
                                member: str) -> list[str]:
        # none of these suspends: atomic on the loop
        await self.delete(*keys)
        kept = await self.delete_if_holding(held)
        await self.cancel(kind, member)
        return kept

    async def extend_if_holding(self, held: Mapping[str, str], ttl: float) -> list[str]:
        self._purge_expired()  # no await from here on: atomic on the loop
        lost = [key for key, value in held.items() if self._peek(key) != value]
        if not lost:
            for key, value in held.items():
                self._put(key, value, ttl)
        return lost


class _Held:
    """`MemoryStore.lock` and `hold_conversation` as one plain async context manager: the lock, and for
    a conversation (`round` = its name and extra keys) the state and keys read under it and `save` and
    `writes` set on leaving without an error."""

    __slots__ = ("held", "lease", "name", "round", "state_key", "store", "token", "wait")

    def __init__(self, store: MemoryStore, name: str, lease: float, wait: float,
                 round_: tuple[str, tuple[str, ...]] | None) -> None:
        self.store, self.name, self.lease, self.wait, self.round = store, name, lease, wait, round_
        self.token = object()
        self.held: HeldConversation | None = None

    async def __aenter__(self) -> Any:
        store = self.store
        if not store._try_acquire(self.name, self.token, self.lease):
            await store._acquire(self.name, self.token, self.lease, self.wait)
        if self.round is None:
            return None
        conversation, keys = self.round
        self.state_key = state_key = store.keys("state", conversation)  # read here, written on leaving
        store._purge_expired()
        peek = store._peek
        raw = peek(state_key)
        self.held = HeldConversation(None if raw is None else _from_json(raw), {key: peek(key) for key in keys})
        return self.held

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        traceback: TracebackType | None) -> None:
        store, held = self.store, self.held
        try:
            if held is not None and exc_type is None:
                at = store._clock.monotonic()  # one reading for the release's writes
                if held.save is not None:
                    store._put(self.state_key, _to_json(held.save), held.ttl, at)
                for write in held.writes:
                    store._put(write.key, write.value, write.ttl, at)
        finally:
            store._release(self.name, self.token)
