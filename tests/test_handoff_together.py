"""`Store.together_with_read` (bot/store/base.py, bot/store/redis.py): a store write and a database read sent together,
with the outcomes `Store.together` gives, in fewer turns of the event loop where the store is Redis."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

import pytest

from bot.clock import FakeClock
from bot.store.memory import MemoryStore
from bot.store.redis import RedisStore


async def turns_of(awaitable: Awaitable[Any]) -> tuple[int, Any]:
    """How many turns the event loop made while `awaitable` ran (a callback re-arming itself each turn)."""
    loop, count, handle = asyncio.get_running_loop(), 0, None

    def tick() -> None:
        nonlocal count, handle
        count += 1
        handle = loop.call_soon(tick)

    handle = loop.call_soon(tick)
    try:
        result = await awaitable
    finally:
        handle.cancel()
    return count, result


async def after(turns: int, value: Any) -> Any:
    """`value` after `turns` suspensions (a round trip's stand-in); an exception is raised instead."""
    for _ in range(turns):
        await asyncio.sleep(0)
    if isinstance(value, Exception):
        raise value
    return value


async def test_the_read_waits_in_the_callers_task_three_turns_sooner_than_a_gather(redis_url: str) -> None:
    store = RedisStore.from_url(redis_url, FakeClock())
    try:
        gathered_turns, gathered = await turns_of(store.together([after(1, ["written"]), after(4, True)]))
        turns, outcomes = await turns_of(store.together_with_read([after(1, ["written"])], after(4, True)))
        assert outcomes == gathered == [["written"], True]
        assert turns <= gathered_turns - 3, (turns, gathered_turns)
        # a write slower than the read: both outcomes still, in fewer turns than the gather's
        gathered_turns, gathered = await turns_of(store.together([after(6, ["written"]), after(1, True)]))
        turns, outcomes = await turns_of(store.together_with_read([after(6, ["written"])], after(1, True)))
    finally:
        await store.close()
    assert outcomes == gathered == [["written"], True]
    assert turns < gathered_turns, (turns, gathered_turns)


async def test_failures_come_back_in_their_place_and_a_cancellation_cancels_the_write(redis_url: str) -> None:
    store = RedisStore.from_url(redis_url, FakeClock())
    try:
        failed = await store.together_with_read([after(1, OSError("redis"))], after(2, ValueError("pg")))
        assert [type(outcome) for outcome in failed] == [OSError, ValueError]
        started = asyncio.Event()
        write_cancelled = asyncio.Event()

        async def write() -> list[Any]:
            started.set()
            try:
                await asyncio.sleep(3600)
            except asyncio.CancelledError:
                write_cancelled.set()
                raise
            return []

        escalating = asyncio.ensure_future(store.together_with_read([write()], asyncio.sleep(3600)))
        await started.wait()
        escalating.cancel()
        with pytest.raises(asyncio.CancelledError):
            await escalating
        await asyncio.wait_for(write_cancelled.wait(), 1)
    finally:
        await store.close()


async def test_the_in_process_store_does_them_in_order_in_the_callers_task() -> None:
    done: list[str] = []

    async def step(name: str) -> str:
        done.append(name)
        return name

    store = MemoryStore(FakeClock())
    assert await store.together_with_read([step("write")], step("read")) == ["write", "read"]
    assert done == ["write", "read"]
