"""The store contract shared by the in-process and the Redis implementation.

Everything that several workers must agree on lives behind this interface: which WeChat delivery
was already claimed, a conversation's dialogue state, who holds a conversation's lock, which
deadlines are due, and the events that must reach a WebSocket on another worker. Both
implementations pass the same contract tests (tests/test_store_contract.py); TTLs and deadlines
are measured with the injected clock, so they really expire, in tests too.
"""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from bot.errors import BotError
from bot.store.keys import deadline_lease


@dataclass(frozen=True, slots=True)
class KeyBuilder:
    """Names every key `<prefix>:<part>:<id>` so that several bots can share one Redis."""

    prefix: str = "csbot"

    def __call__(self, part: str, *ids: str) -> str:
        return ":".join((self.prefix, part, *ids))

    def about(self, part: str, key: str) -> str:
        """A key that says something about another key of this store (`<prefix>:<part>:<that key
        without its prefix>`), so the prefix appears once."""
        return self(part, key.removeprefix(f"{self.prefix}:"))


#: What `Store.claim_in_order` remembers: a marker per remembered claim, and since when it remembers.
#: The two names only ever change together, so a store never trusts markers older than its memory.
CLAIMED = "claimed"
CLAIMS_MEMORY_BEGAN = "claims-memory-began"

# The records a WeChat message's claim and hold pass around (`Write`, `Claim`, `Claimed`,
# `HoldRequest`) are named tuples: immutable like a frozen dataclass, whose `__init__` sets each field
# through `object.__setattr__` and cost a few microseconds of every message (docs/performance.md).


class Write(NamedTuple):
    """A value to set (with its TTL, None: forever) as part of a store's composite command."""

    key: str
    value: str
    ttl: float | None = None


class Claim(NamedTuple):
    """One key for `Store.claim_in_order`: set to `value` for `ttl` seconds only if absent.

    `same_value_passes`: a key already holding this very value counts as taken (a signed request
    posted again as it was; a claimant's unique value, so that the command sent again after its reply
    was lost finds it taken by itself). `remember_s`: the store keeps a marker that this key was
    taken (holding `value`), for so long, whatever becomes of the key itself (a lease that runs out or
    is given back), so that the outcome can say whether this is the first time it is taken; a marker
    holding this very value is this claim's own."""

    key: str
    value: str
    ttl: float
    same_value_passes: bool = False
    remember_s: float | None = None


class Claimed(NamedTuple):
    """What `Store.claim_in_order` returns. `refused`: the index of the first claim held by someone
    else, with that key's `value` (None when every claim was taken). `first_time`: every remembered
    claim was taken for the first time in the store's memory, which goes back to `memory_began` (the
    caller's `now` at the first claim since the store started afresh: a restart, a flush); what was
    taken before then is forgotten."""

    refused: int | None
    value: str | None = None
    first_time: bool = False
    memory_began: float = 0.0
    #: The conversation asked for with `hold`, when this command took its lock too.
    taken: TakenConversation | None = None


class HoldRequest(NamedTuple):
    """A conversation `Store.claim_in_order` may take the lock of, with its reads, once every claim is
    taken: the first half of `hold_conversation` (`conversation`, its `keys`, the lock's `lease`)."""

    conversation: str
    keys: tuple[str, ...] = ()
    lease: float = 10.0


@dataclass(frozen=True, slots=True)
class TakenConversation:
    """A conversation's lock taken by `claim_in_order`, with what was read under it; handed to
    `hold_conversation(taken=...)`, which holds from there and releases as usual. Whoever gets one
    and does not hand it on must `release_taken` it (else the lock lasts its lease)."""

    conversation: str
    token: str
    state: dict[str, Any] | None
    values: dict[str, str | None]


@dataclass(slots=True)
class HeldConversation:
    """What `Store.hold_conversation` yields: the state and the extra values read under the lock.
    Set `save` (and `ttl`) to have the state written when the block ends without an error; `writes`
    are set then too, with the release (one Redis command for all of it)."""

    state: dict[str, Any] | None
    values: dict[str, str | None] = field(default_factory=dict)
    save: Mapping[str, Any] | None = None
    ttl: float | None = None
    writes: list[Write] = field(default_factory=list)


class Batch:
    """Store writes listed as data, sent in one go by `Store.send`: on Redis one pipeline on one pooled
    connection (one write and one read for all of them, where a coroutine per write took a connection
    and a round trip each, docs/performance.md "Eighth round"); on the in-process store one by one, in
    the order listed. Only writes that give the same effect when sent twice (`set`, `delete`,
    `schedule`, `publish`: see `RedisStore._command`), so a batch can be sent again after a lost
    connection."""

    __slots__ = ("commands",)

    def __init__(self) -> None:
        #: `(method of Store, its arguments)`, in the order they are listed.
        self.commands: list[tuple[str, tuple[Any, ...]]] = []

    def __len__(self) -> int:
        return len(self.commands)

    def set(self, key: str, value: str, ttl: float | None = None) -> None:
        self.commands.append(("set", (key, value, ttl)))

    def delete(self, *keys: str) -> None:
        if keys:
            self.commands.append(("delete", keys))

    def schedule(self, kind: str, member: str, due_at: float) -> None:
        self.commands.append(("schedule", (kind, member, due_at)))

    def publish(self, topic: str, payload: Mapping[str, Any]) -> None:
        self.commands.append(("publish", (topic, payload)))


class Lease(NamedTuple):
    """The leases `Store.pop_due_kinds` writes for what it pops: in deadlines' kind `kind`, due at `due_at`,
    named by the take's id `taker` (`deadline_lease`). The kinds in `unleased` are popped without a lease
    (the leases of an earlier release, in a kind of their own: bot/scheduler.py `TAKEN_BEFORE`)."""

    kind: str
    due_at: float
    taker: str
    unleased: frozenset[str] = frozenset()


class LockTimeout(Exception):
    """The lock could not be acquired within the wait time."""


class StoreUnavailable(BotError):
    """The store cannot serve right now (down, or not answering); the request may be retried later.
    Its message is ours (which command, how long), so logs carry it (bot/logs.py): never the client
    library's text, which may quote a command's arguments (keys, customer data); that stays in the
    chained cause (`raise ... from`), whose type alone a log names.

    The app answers it with 503 and `Retry-After` (bot/web/guards.py), so the web chat's page and
    WeChat retry instead of seeing a server error.
    """


class StoreBusy(StoreUnavailable):
    """Every pooled connection stayed busy for the whole wait: the store is saturated."""


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
    #: What this backend raises when it cannot serve for now (besides `StoreUnavailable`): the app
    #: answers these with 503 instead of 500.
    unavailable: tuple[type[BaseException], ...] = (StoreUnavailable,)

    async def together(self, awaitables: Sequence[Awaitable[Any]]) -> list[Any]:
        """Independent operations of one caller (the store's, and the database's of the same deployment),
        each one's result or exception in their order, like `gather(..., return_exceptions=True)`. Here
        sent together: each is a round trip to a server. A store without round trips awaits them in
        order instead (`MemoryStore`), so a caller lists them in the order it wants them done."""
        return await asyncio.gather(*awaitables, return_exceptions=True)

    async def together_with_read(self, writes: Sequence[Awaitable[Any]], read: Awaitable[Any]) -> list[Any]:
        """`together([*writes, read])` for a caller whose next step waits on `read` (the database's): a store
        whose one write is a round trip may send it without a gather (`RedisStore`). Outcomes as `together`."""
        return await self.together([*writes, read])

    async def send(self, batch: Batch) -> list[Any]:
        """The batch's writes, each one's result (None) or exception in their order, like `together`.
        Here one by one through the store's own methods, in the order listed; a backend whose commands
        are round trips sends them at once (Redis: one pipeline)."""
        results: list[Any] = []
        for name, args in batch.commands:
            try:
                results.append(await getattr(self, name)(*args))
            except Exception as exc:
                results.append(exc)
        return results

    # --- plain values with TTL (dedupe, cached replies, leases, counters) ---
    @abstractmethod
    async def claim(self, key: str, ttl: float, value: str | None = None) -> bool:
        """Set `key` to `value` only if absent (SET NX PX). True when this caller got it: the key was
        absent or already holds `value` (the same claim sent again after its reply was lost), so
        `value` must be the claimant's own (unique; a fresh one when None)."""

    @abstractmethod
    async def get(self, key: str) -> str | None: ...

    async def get_many(self, keys: Sequence[str]) -> list[str | None]:
        """`get` of each key, in order, in one command where commands are round trips (Redis: MGET)."""
        return [await self.get(key) for key in keys]

    @abstractmethod
    async def set(self, key: str, value: str, ttl: float | None = None) -> None: ...

    @abstractmethod
    async def delete(self, *keys: str) -> None: ...

    @abstractmethod
    async def delete_if_holding(self, held: Mapping[str, str]) -> list[str]:
        """Delete each key of `held` that still holds its value there, all in one atomic command (no
        write of another caller comes between a key's check and its delete); returns the keys left
        holding another value. Sent again after its answer was lost, it answers and does the same: a
        key it deleted is absent, not another value."""

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
    async def schedule_if_absent(self, kind: str, member: str, due_at: float) -> bool:
        """Add a deadline unless `member` is already scheduled (whatever its time); True when added.

        Re-arming from the database uses this, so that it never moves a deadline already set.
        """

    @abstractmethod
    async def cancel(self, kind: str, member: str) -> None: ...

    @abstractmethod
    async def renew_leases(self, kind: str, members: Sequence[str], due_at: float) -> list[str]:
        """In one command: move each of `members` of `kind`'s deadlines to `due_at`, only while it is there
        (Redis `ZADD XX`: a lease a cancel removed is never brought back), and return those that were not
        (a taken deadline's lease removed by a cancel on another worker, or fallen due and revived by
        another worker: the deadline is no longer this worker's to fire). Sent twice, the same effect and
        answer."""

    @abstractmethod
    async def schedule_if_leased(self, kind: str, member: str, due_at: float, leases: str, lease: str) -> bool | None:
        """In one atomic command: remove `lease` from `leases`' deadlines and, only if it was there, add
        `member` to `kind`'s unless already scheduled (as `schedule_if_absent`). A taken deadline going back
        to the store so goes back only while its take still holds it: None when the lease was gone (a cancel
        removed it, or it fell due and another worker revived the deadline), nothing added; else True when
        added. Sent again after its answer was lost, it answers the same."""

    @abstractmethod
    async def cancel_leased(self, kind: str, member: str, leases: Sequence[str], keys: Sequence[str] = ()) -> None:
        """In one atomic command: delete `keys`, remove `member` from `kind`'s deadlines, and remove from
        each kind of `leases` every lease of it, whoever took it (`deadline_lease(kind, member, any taker)`,
        and the lease of an earlier release, `kind`, the separator, `member`). With a take that leases what it pops
        in the same command (`pop_due_kinds`), a cancel leaves no lease that would bring the deadline back.
        Reads the leases of every deadline taken now (few: those whose callbacks run). Sent twice, the same
        effect."""

    @abstractmethod
    async def pop_due(self, kind: str, now: float, limit: int = 100) -> list[str]:
        """Remove and return members due at or before `now`; each member is returned to one caller only."""

    async def pop_due_kinds(self, kinds: Sequence[str], now: float, limit: int = 100,
                            lease: Lease | None = None) -> dict[str, list[str]]:
        """`pop_due` for each of `kinds` (at most `limit` each), in one command where the backend's
        commands are round trips (Redis: one Lua call for a scheduler tick, whatever the kinds).

        `lease`: in the same atomic command, each member popped of a kind other than `lease.kind` (and those
        of `lease.unleased`) is
        scheduled in `lease.kind` at `lease.due_at` as `deadline_lease(kind, member, lease.taker)` (a
        scheduler's take, bot/scheduler.py `TAKEN`): a cancel comes before the pop (nothing taken) or after
        the lease (which it removes, `cancel_leased`), never between them. Here atomic because neither
        `pop_due` nor `schedule` of the in-process store suspends."""
        popped = {kind: await self.pop_due(kind, now, limit) for kind in kinds}
        if lease is not None:
            for kind, members in popped.items():
                if kind != lease.kind and kind not in lease.unleased:
                    for member in members:
                        await self.schedule(lease.kind, deadline_lease(kind, member, lease.taker), lease.due_at)
        return popped

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

    # --- one message's round: lock, read, handle, write, unlock ---
    @abstractmethod
    def hold_conversation(
        self, conversation: str, *keys: str, lease: float = 10.0, wait: float = 5.0,
        taken: TakenConversation | None = None,
    ) -> AbstractAsyncContextManager[HeldConversation]:
        """Hold the conversation's lock (`lock(conversation)`, the same lock) and read its
        state and the values of `keys`; on leaving, write `save` if set, then release. A backend may do
        the reads with the locking and the write with the release (Redis: one command each).
        `taken`: the lock and reads already done by `claim_in_order` (only backends that return one)."""

    # --- several claims at once (a WeChat delivery: its signed request, the delivery itself) ---
    @abstractmethod
    async def claim_in_order(self, claims: Sequence[Claim], then: Sequence[Write] = (), *,
                             now: float = 0.0, hold: HoldRequest | None = None) -> Claimed:
        """Take `claims` in order, stopping at the first one held by someone else; when all are
        taken, set `then` as well, atomically (Redis: one Lua call; the in-process store: no
        suspension). `now` is the caller's clock time (epoch seconds), which dates the store's memory
        when it begins. `hold`: a backend whose commands are round trips may also take that
        conversation's lock when it is free, and read its state and keys, in the same command
        (`Claimed.taken`, Redis); one without round trips leaves it to `hold_conversation`."""

    async def release_taken(self, taken: TakenConversation) -> None:
        """Give back a lock `claim_in_order` took that will not be held after all."""
        raise NotImplementedError("this store takes no conversation in claim_in_order")

    # --- batching and life cycle ---
    async def claim_many(self, items: Sequence[tuple[str, float]]) -> list[bool]:
        """Claim several keys at once (one round trip where the backend can)."""
        return [await self.claim(key, ttl) for key, ttl in items]

    @abstractmethod
    async def ping(self) -> None:
        """Raise when the backend is unreachable."""

    @abstractmethod
    async def close(self) -> None: ...

    # --- appended: moves and removals that must not undo another worker's ---
    @abstractmethod
    async def delete_and_cancel(self, keys: Sequence[str], held: Mapping[str, str], kind: str,
                                member: str) -> list[str]:
        """In one atomic command: delete `keys`, delete each key of `held` still holding its value there
        (as `delete_if_holding`), and remove `member` from `kind`'s deadlines; returns the keys of `held`
        left holding another value. No caller sees some of it done and not the rest, and a caller dying
        cannot stop half-way (a deadline's end: its marks and its lease, bot/scheduler.py `_end`). Sent
        again after its answer was lost, it answers and does the same."""

    # --- appended: a claim made to last only while it is still the claimant's ---
    @abstractmethod
    async def extend_if_holding(self, held: Mapping[str, str], ttl: float) -> list[str]:
        """In one atomic command: when every key of `held` still holds its value there, make each live
        `ttl` from now; otherwise change nothing. Returns the keys not holding their value (gone, or
        another's), empty when they were extended. A claim that ran out meanwhile is not taken again: its
        holder lost it, and another may have sent what it stood for. Sent again after its answer was
        lost, it answers and does the same."""
