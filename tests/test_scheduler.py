"""The ticker stops when asked, even when a client library mishandles the cancellation.

Seen with the production parts: stopping the server cancelled the ticker inside a store call, the
library turned the cancellation into its own error, the ticker logged a failed tick and slept again,
and `Scheduler.stop()` waited for it forever. The stores below behave like such a library.
"""

from __future__ import annotations

import asyncio

import pytest

from bot.clock import FakeClock
from bot.scheduler import EPOCH, TAKEN, TAKEN_LEASE_S, Scheduler
from bot.store.base import KeyBuilder
from bot.store.memory import MemoryStore
from bot.store.redis import RedisStore
from tests.redis_commands import commands_sent
from tests.redis_keys import run_key_prefix


class MishandlingStore(MemoryStore):
    """`pop_due` is in flight when the ticker is cancelled, and turns the cancellation into an error or
    swallows it."""

    def __init__(self, clock: FakeClock, on_cancel: str) -> None:
        super().__init__(clock)
        self.on_cancel = on_cancel
        self.in_flight = asyncio.Event()

    async def pop_due(self, kind: str, now: float, limit: int = 100) -> list[str]:
        self.in_flight.set()
        try:
            await asyncio.Event().wait()  # the reply that never comes before the cancellation
        except asyncio.CancelledError:
            if self.on_cancel == "error":
                raise ConnectionError("connection closed while reading the reply") from None
            return []
        return []


@pytest.mark.parametrize("on_cancel", ["error", "swallow"])
async def test_stop_returns_when_the_store_call_mishandles_the_cancellation(clock: FakeClock, on_cancel: str) -> None:
    store = MishandlingStore(clock, on_cancel)
    scheduler = Scheduler(store, clock)
    fired: list[str] = []

    async def record(member: str) -> None:
        fired.append(member)

    scheduler.on("sla", record)
    scheduler.start()
    await asyncio.wait_for(store.in_flight.wait(), 5)
    stopping = asyncio.ensure_future(scheduler.stop())
    done, _ = await asyncio.wait({stopping}, timeout=5)  # not wait_for: its own cancel would free the ticker
    if not done:
        stopping.cancel()
        pytest.fail("Scheduler.stop() still waiting for the ticker after 5 s")
    await stopping
    assert fired == []


async def test_due_deadlines_fire_once_and_the_ticker_stops(clock: FakeClock) -> None:
    store = MemoryStore(clock)
    scheduler = Scheduler(store, clock)
    fired: list[str] = []

    async def record(member: str) -> None:
        fired.append(member)

    scheduler.on("sla", record)
    await scheduler.at("sla", "a", clock.time() + 1)
    scheduler.start()
    await clock.advance(2)
    await scheduler.run_due()
    assert fired == ["a"]
    await asyncio.wait_for(scheduler.stop(), 5)
    await clock.advance(10)
    assert fired == ["a"]


async def test_a_tick_pops_every_kind_with_one_redis_command(clock: FakeClock, redis_url: str) -> None:
    store = RedisStore.from_url(redis_url, clock, KeyBuilder(run_key_prefix()))
    try:
        scheduler = Scheduler(store, clock)
        fired: list[tuple[str, str]] = []
        for kind in ("ack", "reply", "idle", "offer"):
            scheduler.on(kind, lambda member, kind=kind: _record(fired, kind, member))
        await store.schedule("reply", "c1", clock.time())
        await store.schedule("offer", "c2", clock.time())
        await store.pop_due_kinds(["ack"], 0)  # the scripts loaded: a fresh server answers NOSCRIPT once
        await store.delete_and_cancel([], {"loaded": ""}, "ack", "none")
        await store.set(store.keys(EPOCH), "drawn before")  # the store's epoch, drawn by a worker's first take
        with commands_sent(store) as commands:
            assert await scheduler.run_due() == 2
        # the pop is one command (with the leases), and the generations the deadlines taken have one more, with
        # the store's epoch (bot/outbox.py: none here); each deadline ended deletes its failure
        # counts and its lease in one command (bot/scheduler.py `_end`)
        assert commands == ["EVALSHA", "MGET", "EVALSHA", "EVALSHA"]
        assert sorted(fired) == [("offer", "c2"), ("reply", "c1")]
    finally:
        await store.close()


@pytest.mark.parametrize("store_kind", ["memory", "redis"])
async def test_a_worker_stopping_mid_tick_puts_back_what_it_took_and_never_began(clock: FakeClock, redis_url: str,
                                                                                  store_kind: str) -> None:
    """A tick takes every kind's due deadlines at once; cancelled during one callback (a deploy), the one in
    progress and those it had not begun are due again for the next worker, their leases gone. The one in
    progress used to lose its lease unrun: every deploy lost the deadline being fired. Run again, its texts
    are sent once (bot/outbox.py: tests/test_deadline_worker_gone.py)."""
    store = (MemoryStore(clock) if store_kind == "memory"
             else RedisStore.from_url(redis_url, clock, KeyBuilder(run_key_prefix())))
    try:
        scheduler = Scheduler(store, clock)
        entered = asyncio.Event()

        async def slow(member: str) -> None:
            entered.set()
            await asyncio.Event().wait()  # a send that has not returned when the worker stops

        scheduler.on("ack", slow)
        scheduler.on("idle", lambda member: _record([], "idle", member))
        await store.schedule("ack", "a1", clock.time())
        await store.schedule("ack", "a2", clock.time())
        await store.schedule("idle", "i1", clock.time())
        tick = asyncio.create_task(scheduler.run_due())
        await asyncio.wait_for(entered.wait(), 5)
        tick.cancel()
        with pytest.raises(asyncio.CancelledError):
            await tick

        popped = await store.pop_due_kinds(["ack", "idle", TAKEN], clock.time() + 2 * TAKEN_LEASE_S)
        assert {kind: sorted(members) for kind, members in popped.items() if members} == {
            "ack": ["a1", "a2"], "idle": ["i1"]}
    finally:
        await store.close()


async def _record(fired: list[tuple[str, str]], kind: str, member: str) -> None:
    fired.append((kind, member))
