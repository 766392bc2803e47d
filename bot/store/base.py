"""The store contract shared by the in-process and the Redis implementation.

Everything that several workers must agree on lives behind this interface: which WeChat delivery
was already claimed, a conversation's dialogue state, who holds a conversation's lock, which
deadlines are due, and the events that must reach a WebSocket on another worker. Both
implementations pass the same contract tests (tests/test_store_contract.py); TTLs and deadlines
are measured with the injected clock, so they really expire, in tests too.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncGenerator, AsyncIterator, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class KeyBuilder:
    """Names every key `<prefix>:<part>:<id>` so that several bots can share one Redis."""

    prefix: str = "csbot"

    def __call__(self, part: str, *ids: str) -> str:
        return ":".join((self.prefix, part, *ids))


class LockTimeout(Exception):
    """The lock could not be acquired within the wait time."""


class Subscription(AsyncIterator[dict[str, Any]]):
    """What `Store.subscribe` returns: the payloads of its topics, in publishing order.

    Plain `async for` subscribes on its first step. `async with store.subscribe(...) as events:`
    returns only once the backend confirmed the subscription, so nothing published after entering
    is missed (a WebSocket handler can say "ready", a test can publish right away); leaving the block
    unsubscribes. Backends supply an async generator that yields `None` once subscribed, then
    payloads, and unsubscribes in its `finally`.
    """

    def __init__(self, events: AsyncGenerator[dict[str, Any] | None, None]) -> None:
        self._events = events
        self._started = False

    async def start(self) -> Subscription:
        """Wait until the subscription is active."""
        if not self._started:
            self._started = True
            await anext(self._events)
        return self

    async def __anext__(self) -> dict[str, Any]:
        await self.start()
        payload = await anext(self._events)
        assert payload is not None, "only the first step of the events generator yields None"
        return payload

    async def aclose(self) -> None:
        await self._events.aclose()

    async def __aenter__(self) -> Subscription:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


class Store(ABC):
    keys: KeyBuilder

    # --- plain values with TTL (dedupe, cached replies, leases, counters) ---
    @abstractmethod
    async def claim(self, key: str, ttl: float, value: str = "1") -> bool:
        """Set `key` to `value` only if absent (SET NX EX). True when this caller got it."""

    @abstractmethod
    async def get(self, key: str) -> str | None: ...

    @abstractmethod
    async def set(self, key: str, value: str, ttl: float | None = None) -> None: ...

    @abstractmethod
    async def delete(self, *keys: str) -> None: ...

    @abstractmethod
    async def incr(self, key: str, ttl: float | None = None) -> int:
        """Atomically add one and return the new value; `ttl` is set when the key is created."""

    # --- conversation state (JSON objects) ---
    @abstractmethod
    async def get_state(self, conversation: str) -> dict[str, Any] | None: ...

    @abstractmethod
    async def set_state(
        self, conversation: str, state: Mapping[str, Any], ttl: float | None = None
    ) -> None: ...

    @abstractmethod
    async def clear_state(self, conversation: str) -> None: ...

    # --- locks ---
    @abstractmethod
    def lock(self, *name: str, timeout: float = 10.0, wait: float = 5.0) -> AbstractAsyncContextManager[None]:
        """Mutual exclusion across every worker sharing the store.

        `name` is the lock's own name in parts (`lock("case", order_no, kind)`); the store turns it
        into its key, so callers never add the prefix themselves.

        `timeout` bounds how long a holder that died keeps the lock; `wait` bounds how long a caller
        waits before `LockTimeout`.
        """

    # --- deadlines (absolute epoch seconds from the clock, so they survive restarts) ---
    @abstractmethod
    async def schedule(self, kind: str, member: str, due_at: float) -> None:
        """Add or move a deadline."""

    @abstractmethod
    async def cancel(self, kind: str, member: str) -> None: ...

    @abstractmethod
    async def pop_due(self, kind: str, now: float, limit: int = 100) -> list[str]:
        """Remove and return members due at or before `now`; each member is returned to one caller only."""

    @abstractmethod
    async def next_due(self, kind: str) -> float | None:
        """The earliest due time of `kind`, for a ticker that sleeps until then."""

    # --- pub/sub ---
    @abstractmethod
    async def publish(self, topic: str, payload: Mapping[str, Any]) -> None: ...

    @abstractmethod
    def subscribe(self, *topics: str) -> Subscription:
        """Yield payloads published on any of `topics` after the subscription started (see
        `Subscription`: `async with` waits until it has)."""

    # --- batching and life cycle ---
    async def claim_many(self, items: Sequence[tuple[str, float]]) -> list[bool]:
        """Claim several keys at once (one round trip where the backend can)."""
        return [await self.claim(key, ttl) for key, ttl in items]

    @abstractmethod
    async def ping(self) -> None:
        """Raise when the backend is unreachable."""

    @abstractmethod
    async def close(self) -> None: ...
