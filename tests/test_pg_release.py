"""The production engine's pool gives an idle connection back in its caller's step (bot/pg_client.py).

asyncpg's own release runs in a task under `asyncio.shield`: its caller waits three turns of the event
loop after each statement, turns that on a busy worker are every other request's next step. Measured
here in turns of the loop (a callback that re-arms itself once per turn), on the test PostgreSQL.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from tortoise import connections

from bot.db import close_database, open_database
from bot.pg_client import InlineReleasePool


class TurnCounter:
    """Counts the event loop's turns while running: one callback per turn, re-armed with `call_soon`."""

    def __init__(self) -> None:
        self.turns = 0
        self._running = False

    def start(self) -> None:
        self.turns, self._running = 0, True
        asyncio.get_running_loop().call_soon(self._tick)

    def stop(self) -> int:
        self._running = False
        return self.turns

    def _tick(self) -> None:
        if self._running:
            self.turns += 1
            asyncio.get_running_loop().call_soon(self._tick)


def with_pool_size(url: str, size: int) -> str:
    return f"{url}{'&' if '?' in url else '?'}maxsize={size}"


@pytest.fixture
async def pool(request: pytest.FixtureRequest, postgres_url: str) -> AsyncIterator[InlineReleasePool]:
    size = getattr(request, "param", 5)
    await open_database(with_pool_size(postgres_url, size), apply_schema=False)
    try:
        client = connections.get("default")
        await client.execute_query("SELECT 1")  # the pool is opened by the first statement
        yield client._pool
    finally:
        await close_database()


async def test_the_engine_opens_the_inline_release_pool(pool: InlineReleasePool) -> None:
    assert isinstance(pool, InlineReleasePool)


async def test_an_idle_connection_goes_back_without_a_turn_of_the_loop(pool: InlineReleasePool) -> None:
    counter = TurnCounter()
    for _ in range(5):
        connection = await pool.acquire()
        await connection.fetchval("SELECT 1")
        counter.start()
        await pool.release(connection)
        assert counter.stop() == 0  # asyncpg's own release: 3 turns
        assert pool._queue.qsize() == len(pool._holders)  # every connection back in the pool


async def test_the_orms_statements_give_their_connection_back_without_a_turn(pool: InlineReleasePool) -> None:
    """What tortoise runs around each statement outside a transaction: its wrapper's exit is the release."""
    client = connections.get("default")
    counter = TurnCounter()
    for _ in range(5):
        wrapper = client.acquire_connection()
        connection = await wrapper.__aenter__()
        assert await connection.fetchval("SELECT 41 + 1") == 42
        counter.start()
        await wrapper.__aexit__(None, None, None)
        assert counter.stop() == 0
    assert pool._queue.qsize() == len(pool._holders)


async def test_a_connection_left_in_a_transaction_is_rolled_back_by_asyncpgs_release(
        pool: InlineReleasePool) -> None:
    connection = await pool.acquire()
    raw = connection._con
    await connection.execute("BEGIN")
    await connection.execute("CREATE TEMPORARY TABLE left_open (n int)")
    assert raw.is_in_transaction()
    await pool.release(connection)
    assert not raw.is_in_transaction()
    again = await pool.acquire()
    try:
        assert await again.fetchval("SELECT to_regclass('pg_temp.left_open') IS NULL")
    finally:
        await pool.release(again)


@pytest.mark.parametrize("pool", [1], indirect=True)
async def test_a_waiting_caller_gets_the_connection_before_the_releasers_next_statement(
        pool: InlineReleasePool) -> None:
    order: list[str] = []
    held = await pool.acquire()

    async def waiter() -> None:
        connection = await pool.acquire()
        order.append("waiter")
        await pool.release(connection)

    waiting = asyncio.create_task(waiter())
    await asyncio.sleep(0.01)  # the waiter is queued for the only connection
    await pool.release(held)
    again = await pool.acquire()  # the releaser's next statement: behind the waiter
    order.append("releaser")
    await pool.release(again)
    await waiting
    assert order == ["waiter", "releaser"]


async def test_a_cancelled_caller_leaves_every_connection_in_the_pool(pool: InlineReleasePool) -> None:
    client = connections.get("default")

    async def slow() -> None:
        await client.execute_query("SELECT pg_sleep(0.05)")

    tasks = [asyncio.create_task(slow()) for _ in range(3)]
    await asyncio.sleep(0.01)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await asyncio.sleep(0.1)  # asyncpg's cancellation of the statements in flight settles
    assert await client.execute_query_dict("SELECT 1 AS one") == [{"one": 1}]
    assert pool._queue.qsize() == len(pool._holders)
