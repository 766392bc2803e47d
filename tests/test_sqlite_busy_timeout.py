"""The writing connection's busy timeout (bot/sqlite_client.py `WritingConnection`): 0 for the loop's inline
work, which must never sleep on the loop, the configured timeout for every piece of work on aiosqlite's
thread, which waits there for another process's write lock. It changes only when the side using the
connection changes: inline writes in a row set it once and never put it back, the thread's next work does."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tortoise.transactions import in_transaction

from bot.batch_writer import Batch, SqliteBatchWriter
from bot.recorder import COLUMNS
from bot.sqlite_client import SHORT_READS
from models.customer import Customer
from tests.test_sqlite_client import NOW, client, database

__all__ = ["database"]  # the fixture: a SQLite file opened by the bot's engine

CONFIGURED_MS = 5000  # models/config.py


async def thread_side_timeout() -> int:
    """The busy timeout that work queued to aiosqlite's thread runs with."""
    [[timeout]] = await client()._connection.execute_fetchall("PRAGMA busy_timeout")
    return timeout


def inline_timeout() -> int:
    """The busy timeout that the loop's inline work runs with."""
    return client().without_waiting(lambda db: db.execute("PRAGMA busy_timeout").fetchone()[0])


def count_timeouts(db: sqlite3.Connection) -> list[str]:
    """Every `PRAGMA busy_timeout` statement run on `db` from now on."""
    seen: list[str] = []
    db.set_trace_callback(lambda statement: seen.append(statement) if "busy_timeout" in statement else None)
    return seen


async def test_inline_work_runs_without_waiting_and_the_threads_work_with_the_timeout(database: Path) -> None:
    assert await thread_side_timeout() == CONFIGURED_MS
    assert inline_timeout() == 0
    assert await thread_side_timeout() == CONFIGURED_MS, "the thread's work puts the timeout back first"
    assert inline_timeout() == 0
    async with in_transaction() as transaction:  # tortoise's transaction on the thread (off a message's path)
        [row] = await transaction.execute_query_dict("PRAGMA busy_timeout")
        assert list(row.values()) == [CONFIGURED_MS]
    assert inline_timeout() == 0


async def test_inline_writes_in_a_row_set_the_timeout_once(database: Path) -> None:
    customer = await Customer.create(channel="wechat", external_id="o1", created_at=NOW)
    assert await thread_side_timeout() == CONFIGURED_MS
    seen = count_timeouts(client()._connection._conn)
    token = SHORT_READS.set(True)  # a message's path: its writes run inline
    try:
        for n in range(3):
            await Customer.create(channel="wechat", external_id=f"o{n + 2}", created_at=NOW)
            await SqliteBatchWriter().write(Batch(COLUMNS, [], {customer.id}, {}, NOW))
            async with in_transaction() as connection:  # inline, begun without waiting
                await Customer.filter(id=customer.id).using_db(connection).update(is_vip=True)
    finally:
        SHORT_READS.reset(token)
    assert seen == ["PRAGMA busy_timeout=0"]
    assert await thread_side_timeout() == CONFIGURED_MS
    assert seen == ["PRAGMA busy_timeout=0", f"PRAGMA busy_timeout={CONFIGURED_MS}", "PRAGMA busy_timeout"]
    assert await Customer.filter(channel="wechat").count() == 4
