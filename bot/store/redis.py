"""The Redis store: what several workers (or a restarted one) share.

WeChat re-posts an unanswered message to whichever worker the load balancer picks, a conversation's
lock must hold across processes, and an SLA deadline set by one worker must fire on another after a
restart; Redis gives all of that with single commands. Uses `redis.asyncio` (redis-py), not the
abandoned `aioredis`.

Two notions of time meet here. Deadlines are scores in a sorted set holding epoch seconds from the
injected clock (`clock.time()`), so `pop_due(kind, clock.time())` behaves the same under a
`FakeClock`. TTLs and lock leases are Redis' own (PX, in milliseconds) and run on real time: a
`FakeClock` does not expire them, which is why the contract tests check `PTTL` on Redis and real
expiry on the memory store. Lock waits are real time too (redis-py polls every `lock_poll` s).

Value keys (`claim`, `get`, `set`, `delete`, `incr`) are used as given: build them with
`store.keys(...)` so that every key carries the prefix. State, locks, deadlines and topics are
named by the store itself.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncGenerator, AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import LockError

from bot.clock import Clock
from bot.store.base import KeyBuilder, LockTimeout, Store, Subscription

log = logging.getLogger("csbot.store")

# Take up to ARGV[2] members scored at or before ARGV[1] and remove them, atomically: two workers
# popping at once never both get a member.
_POP_DUE = """
local members = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
for _, member in ipairs(members) do
    redis.call('ZREM', KEYS[1], member)
end
return members
"""


def _ms(seconds: float) -> int:
    """A TTL in whole milliseconds; Redis refuses 0, so anything shorter becomes 1 ms."""
    return max(1, round(seconds * 1000))


class RedisStore(Store):
    lock_poll = 0.02  # seconds between attempts while waiting for a lock

    def __init__(self, client: Redis, clock: Clock, keys: KeyBuilder | None = None) -> None:
        """`client` must be created with `decode_responses=True`; the store closes it in `close()`."""
        if not client.get_encoder().decode_responses:
            raise ValueError("RedisStore needs a client created with decode_responses=True")
        self.keys = keys or KeyBuilder()
        self.client = client
        self._clock = clock
        self._pop_due = client.register_script(_POP_DUE)

    @classmethod
    def from_url(cls, url: str, clock: Clock, keys: KeyBuilder | None = None) -> RedisStore:
        """Connect lazily: nothing is sent until the first command (call `ping()` to check early)."""
        return cls(Redis.from_url(url, decode_responses=True), clock, keys)

    # --- plain values ---
    async def claim(self, key: str, ttl: float, value: str = "1") -> bool:
        return bool(await self.client.set(key, value, nx=True, px=_ms(ttl)))

    async def claim_many(self, items: Sequence[tuple[str, float]]) -> list[bool]:
        async with self.client.pipeline(transaction=False) as pipe:
            for key, ttl in items:
                pipe.set(key, "1", nx=True, px=_ms(ttl))
            return [bool(result) for result in await pipe.execute()]

    async def get(self, key: str) -> str | None:
        return await self.client.get(key)

    async def set(self, key: str, value: str, ttl: float | None = None) -> None:
        await self.client.set(key, value, px=None if ttl is None else _ms(ttl))

    async def delete(self, *keys: str) -> None:
        if keys:
            await self.client.delete(*keys)

    async def incr(self, key: str, ttl: float | None = None) -> int:
        if ttl is None:
            return int(await self.client.incr(key))
        # Create the key with its TTL only if absent, then add one, in one transaction.
        async with self.client.pipeline(transaction=True) as pipe:
            pipe.set(key, 0, nx=True, px=_ms(ttl))
            pipe.incr(key)
            _, value = await pipe.execute()
        return int(value)

    # --- conversation state ---
    async def get_state(self, conversation: str) -> dict[str, Any] | None:
        raw = await self.client.get(self.keys("state", conversation))
        return None if raw is None else json.loads(raw)

    async def set_state(self, conversation: str, state: Mapping[str, Any], ttl: float | None = None) -> None:
        await self.set(self.keys("state", conversation), json.dumps(state, ensure_ascii=False), ttl)

    async def clear_state(self, conversation: str) -> None:
        await self.client.delete(self.keys("state", conversation))

    # --- locks ---
    @asynccontextmanager
    async def lock(
        self,
        *name: str,
        timeout: float = 10.0,  # noqa: ASYNC109 (the lease length, named so by the contract)
        wait: float = 5.0,
    ) -> AsyncIterator[None]:
        key = self.keys("lock", *name)
        lock = self.client.lock(
            key,
            timeout=timeout,
            sleep=self.lock_poll,
            blocking_timeout=wait,
            thread_local=False,
        )
        if not await lock.acquire():
            raise LockTimeout(f"lock {key!r} still held after waiting {wait} s")
        try:
            yield
        finally:
            try:
                await lock.release()
            except LockError:
                log.warning("lock %r expired while held; the work under it was not exclusive", key)

    # --- deadlines ---
    async def schedule(self, kind: str, member: str, due_at: float) -> None:
        await self.client.zadd(self.keys("due", kind), {member: due_at})

    async def cancel(self, kind: str, member: str) -> None:
        await self.client.zrem(self.keys("due", kind), member)

    async def pop_due(self, kind: str, now: float, limit: int = 100) -> list[str]:
        return list(await self._pop_due(keys=[self.keys("due", kind)], args=[repr(now), limit]))

    async def next_due(self, kind: str) -> float | None:
        head = await self.client.zrange(self.keys("due", kind), 0, 0, withscores=True)
        return float(head[0][1]) if head else None

    # --- pub/sub ---
    async def publish(self, topic: str, payload: Mapping[str, Any]) -> None:
        await self.client.publish(self.keys("topic", topic), json.dumps(payload, ensure_ascii=False))

    def subscribe(self, *topics: str) -> Subscription:
        return Subscription(self._listen(topics))

    async def _listen(self, topics: tuple[str, ...]) -> AsyncGenerator[dict[str, Any] | None, None]:
        channels = {self.keys("topic", topic) for topic in topics}
        pubsub = self.client.pubsub()
        try:
            await pubsub.subscribe(*channels)
            # SUBSCRIBE is only sent; wait for Redis to confirm every channel, keeping any message
            # that arrives meanwhile, so that "subscribed" means a later PUBLISH reaches us.
            early: list[str] = []
            confirmed: set[str] = set()
            while confirmed != channels:
                message = await pubsub.get_message(timeout=None)
                if message is None:
                    continue
                if message["type"] == "subscribe":
                    confirmed.add(message["channel"])
                elif message["type"] == "message":
                    early.append(message["data"])
            yield None
            for data in early:
                yield json.loads(data)
            async for message in pubsub.listen():
                if message["type"] == "message":
                    yield json.loads(message["data"])
        finally:
            await pubsub.aclose()

    # --- life cycle ---
    async def ping(self) -> None:
        await self.client.ping()

    async def close(self) -> None:
        await self.client.aclose()
