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
from collections.abc import AsyncGenerator, AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from bot.clock import Clock
from bot.store.base import KeyBuilder, LockTimeout, Store, Subscription

log = logging.getLogger("csbot.store")


@dataclass(slots=True)
class _LockSlot:
    """One named lock: its holder's token and lease end, and who waits for it."""

    holder: object | None = None
    expires_at: float = 0.0
    waiters: int = 0
    released: asyncio.Event = field(default_factory=asyncio.Event)


class MemoryStore(Store):
    def __init__(self, clock: Clock, keys: KeyBuilder | None = None) -> None:
        self.keys = keys or KeyBuilder()
        self._clock = clock
        self._values: dict[str, tuple[str, float | None]] = {}  # key -> (value, expires_at)
        self._expiries: list[tuple[float, str]] = []  # heap of (expires_at, key), may hold stale rows
        self._locks: dict[str, _LockSlot] = {}
        self._due: dict[str, dict[str, float]] = {}  # kind -> member -> due_at
        self._due_heaps: dict[str, list[tuple[float, str]]] = {}  # kind -> heap, may hold stale rows
        self._subscribers: dict[str, set[asyncio.Queue[dict[str, Any]]]] = {}

    # --- plain values ---
    def _expires_at(self, ttl: float | None) -> float | None:
        return None if ttl is None else self._clock.monotonic() + ttl

    def _purge_expired(self) -> None:
        now = self._clock.monotonic()
        while self._expiries and self._expiries[0][0] <= now:
            expires_at, key = heapq.heappop(self._expiries)
            entry = self._values.get(key)
            if entry is not None and entry[1] == expires_at:
                del self._values[key]

    def _live(self, key: str) -> str | None:
        self._purge_expired()
        entry = self._values.get(key)
        return None if entry is None else entry[0]

    def _put(self, key: str, value: str, ttl: float | None) -> None:
        expires_at = self._expires_at(ttl)
        self._values[key] = (value, expires_at)
        if expires_at is not None:
            heapq.heappush(self._expiries, (expires_at, key))

    async def claim(self, key: str, ttl: float, value: str = "1") -> bool:
        if self._live(key) is not None:
            return False
        self._put(key, value, ttl)
        return True

    async def get(self, key: str) -> str | None:
        return self._live(key)

    async def set(self, key: str, value: str, ttl: float | None = None) -> None:
        self._purge_expired()
        self._put(key, value, ttl)

    async def delete(self, *keys: str) -> None:
        for key in keys:
            self._values.pop(key, None)

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
        return None if raw is None else json.loads(raw)

    async def set_state(self, conversation: str, state: Mapping[str, Any], ttl: float | None = None) -> None:
        await self.set(self.keys("state", conversation), json.dumps(state, ensure_ascii=False), ttl)

    async def clear_state(self, conversation: str) -> None:
        await self.delete(self.keys("state", conversation))

    # --- locks: a lease per name; waiters wake on release, on lease end or at their wait limit ---
    @asynccontextmanager
    async def lock(
        self,
        *name: str,
        timeout: float = 10.0,  # noqa: ASYNC109 (the lease length, named so by the contract)
        wait: float = 5.0,
    ) -> AsyncIterator[None]:
        token, key = object(), self.keys("lock", *name)
        await self._acquire(key, token, timeout, wait)
        try:
            yield
        finally:
            self._release(key, token)

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
            log.warning("lock %r expired while held; the work under it was not exclusive", name)
            return
        slot.holder = None
        slot.released.set()
        slot.released = asyncio.Event()
        if slot.waiters == 0:
            del self._locks[name]

    # --- deadlines: a dict for the truth, a heap for the order (stale rows skipped lazily) ---
    async def schedule(self, kind: str, member: str, due_at: float) -> None:
        self._due.setdefault(kind, {})[member] = due_at
        heap = self._due_heaps.setdefault(kind, [])
        heapq.heappush(heap, (due_at, member))
        if len(heap) > 2 * len(self._due[kind]) + 64:
            self._due_heaps[kind] = [(at, m) for m, at in self._due[kind].items()]
            heapq.heapify(self._due_heaps[kind])

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
        raw = json.dumps(payload, ensure_ascii=False)
        for queue in self._subscribers.get(topic, ()):
            queue.put_nowait(json.loads(raw))

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
