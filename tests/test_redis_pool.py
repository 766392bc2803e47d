"""The Redis store's connection pool (bot/store/redis.py `WaitingPool`): connections taken and given
back directly when nobody waits, on a real Redis; a connection the server closed is replaced,
waiters keep their turn."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest_asyncio
from redis.asyncio import Redis

from bot.clock import FakeClock
from bot.store.base import KeyBuilder
from bot.store.redis import RedisStore
from tests.fakes.bot_app import eventually


@pytest_asyncio.fixture
async def store(redis_url: str) -> AsyncIterator[RedisStore]:
    store = RedisStore.from_url(redis_url, FakeClock(), KeyBuilder(f"pool-{uuid.uuid4().hex[:8]}"),
                                max_connections=2, pool_wait_s=0.3)
    yield store
    await store.close()


def connections(store: RedisStore) -> tuple[int, int]:
    pool = store.client.connection_pool
    return len(pool._available_connections), len(pool._in_use_connections)


async def test_one_caller_at_a_time_reuses_one_connection(store: RedisStore) -> None:
    for n in range(20):
        await store.set(store.keys("k"), str(n))
        assert await store.get(store.keys("k")) == str(n)
    assert connections(store) == (1, 0)


async def test_a_connection_the_server_closed_is_replaced(store: RedisStore, redis_url: str) -> None:
    await store.set(store.keys("k"), "before")
    client_id = await store.client.client_id()
    async with Redis.from_url(redis_url) as admin:
        assert await admin.client_kill_filter(_id=client_id) == 1
    (idle,) = store.client.connection_pool._available_connections
    await eventually(lambda: asyncio.sleep(0, idle._reader.at_eof()), "the close to reach the idle connection")
    assert await store.get(store.keys("k")) == "before"
    assert await store.client.client_id() != client_id


async def test_a_waiter_gets_the_connection_given_back(store: RedisStore) -> None:
    pool = store.client.connection_pool
    held = [await pool.get_connection(), await pool.get_connection()]  # max_connections=2
    waiting = asyncio.ensure_future(store.get(store.keys("k")))
    await eventually(lambda: asyncio.sleep(0, bool(pool._condition._waiters)), "the caller to wait for a connection")
    assert not waiting.done()
    await pool.release(held.pop())
    assert await asyncio.wait_for(waiting, 1) is None
    await pool.release(held.pop())
    assert connections(store) == (2, 0)


async def test_a_redis_that_forgot_the_scripts_still_answers_the_lean_path(store: RedisStore, redis_url: str) -> None:
    """The store's scripts go as `EVALSHA` on its lean path; a Redis restarted or flushed answers
    NOSCRIPT, and the call is made again through redis-py, which loads the script."""
    async with store.hold_conversation("wechat:o1") as held:
        held.save = {"turns": 1}
    async with Redis.from_url(redis_url) as admin:
        await admin.script_flush()
    async with store.hold_conversation("wechat:o1") as held:
        assert held.state == {"turns": 1}
        held.save = {"turns": 2}
    assert await store.get_state("wechat:o1") == {"turns": 2}


async def test_a_command_cancelled_while_waiting_for_its_reply_leaves_no_reply_for_the_next(
        store: RedisStore) -> None:
    """The lean path reads the reply with the connection's own method, which disconnects on a
    cancellation: the late reply never answers the next command on that connection."""
    await store.set(store.keys("k"), "value")
    waiting = asyncio.ensure_future(store._command("BLPOP", store.keys("empty"), 1))
    await asyncio.sleep(0.05)
    waiting.cancel()
    await asyncio.gather(waiting, return_exceptions=True)
    await store.client.rpush(store.keys("empty"), "late")
    for _ in range(3):
        assert await store._command("GET", store.keys("k")) == "value"
    assert await store.client.lrange(store.keys("empty"), 0, -1) == ["late"]
