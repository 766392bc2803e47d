"""Writing one group-commit batch of messages: on the ORM's connection, inline on SQLite.

On SQLite every statement the ORM runs is a round trip to aiosqlite's thread, and under load each
round trip waits for a turn of the busy event loop: a five-statement transaction then takes tens of
milliseconds while every waiting request holds on. `SqliteBatchWriter` runs the whole transaction
on the ORM's own connection under its lock, so it never contends with the ORM's own writes (a
second connection would, and SQLite's busy handler sleeps in steps of milliseconds), and runs it
inline on the event loop: in WAL mode with synchronous=NORMAL a commit writes the WAL without an
fsync, so the batch costs a fraction of a millisecond, less than handing it to aiosqlite's thread
and waking the loop again (the hop and the GIL passing back and forth cost the loop about 5% of its
time, docs/performance.md). The transaction is begun without waiting for SQLite's write lock: when
another process holds it, the batch goes to aiosqlite's thread, which waits there with the
connection's busy timeout. Other databases go through the ORM, whose asyncpg driver has no thread to
cross.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from tortoise import connections
from tortoise.transactions import in_transaction

from bot.sqlite_client import Busy


@dataclass(frozen=True, slots=True)
class Batch:
    columns: Sequence[str]
    rows: list[list[Any]]  # values in `columns` order
    customers_heard: set[int]  # whose `last_inbound_at` becomes `now`
    marks: dict[tuple[str, str | None], list[str]]  # (status, reason) → outbound source ids
    now: datetime


class BatchWriter(Protocol):
    async def write(self, batch: Batch) -> None: ...

    async def close(self) -> None: ...


def insert_statement(columns: Sequence[str], dialect: str) -> str:
    """An INSERT that skips a row whose unique key exists (a retried delivery)."""
    names = ", ".join(columns)
    if dialect == "sqlite":
        return f"INSERT OR IGNORE INTO message ({names}) VALUES ({', '.join('?' * len(columns))})"
    placeholders = ", ".join(f"${n}" for n in range(1, len(columns) + 1))
    return f"INSERT INTO message ({names}) VALUES ({placeholders}) ON CONFLICT DO NOTHING"


class OrmBatchWriter:
    """PostgreSQL (any database but SQLite): one transaction on the ORM's connection, with fixed SQL
    (the ORM's query builder cost the worker more than the statements themselves, and fixed text lets
    asyncpg reuse its prepared statements)."""

    async def write(self, batch: Batch) -> None:
        async with in_transaction() as connection:
            if batch.rows:
                await connection.execute_many(insert_statement(batch.columns, connection.capabilities.dialect),
                                              batch.rows)
            if batch.customers_heard:
                await connection.execute_query("UPDATE customer SET last_inbound_at = $1 WHERE id = ANY($2)",
                                               [batch.now, sorted(batch.customers_heard)])
            for (status, reason), source_ids in batch.marks.items():
                await connection.execute_query(
                    "UPDATE message SET delivery_status = $1, failure_reason = $2, sent_at = $3 "
                    "WHERE direction = 'out' AND source_id = ANY($4)",
                    [status, reason, batch.now if status == "sent" else None, source_ids])

    async def close(self) -> None:
        return None


class SqliteBatchWriter:
    async def write(self, batch: Batch) -> None:
        client = connections.get("default")
        async with client.acquire_connection() as connection:  # the ORM's lock: no transaction of its own runs
            db: sqlite3.Connection = connection._conn
            try:
                client.without_waiting(_begin)
            except (Busy, sqlite3.ProgrammingError):  # locked by another process; a connection bound to its thread
                # aiosqlite's `_execute` queues a function on the connection's thread (the way its own
                # methods work): the whole transaction is one hop instead of one per statement.
                await connection._execute(_begin_and_write, db, batch)
            else:
                _write(db, batch)

    async def close(self) -> None:
        return None


def _begin(db: sqlite3.Connection) -> None:
    db.execute("BEGIN IMMEDIATE")


def _begin_and_write(db: sqlite3.Connection, batch: Batch) -> None:
    _begin(db)
    _write(db, batch)


def _write(db: sqlite3.Connection, batch: Batch) -> None:
    """The batch's statements and COMMIT, in the transaction just begun (rolled back on failure)."""
    now = _text(batch.now)
    try:
        if batch.rows:
            db.executemany(insert_statement(batch.columns, "sqlite"),
                           [[_text(value) for value in row] for row in batch.rows])
        if batch.customers_heard:
            ids = sorted(batch.customers_heard)
            db.execute(f"UPDATE customer SET last_inbound_at = ? WHERE id IN ({', '.join('?' * len(ids))})",
                       [now, *ids])
        for (status, reason), source_ids in batch.marks.items():
            db.execute(
                "UPDATE message SET delivery_status = ?, failure_reason = ?, sent_at = ? "
                f"WHERE direction = 'out' AND source_id IN ({', '.join('?' * len(source_ids))})",
                [status, reason, now if status == "sent" else None, *source_ids])
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


def _text(value: Any) -> Any:
    """Datetimes as the ORM stores them in SQLite ("YYYY-MM-DD HH:MM:SS[.ffffff]+00:00")."""
    return value.isoformat(" ") if isinstance(value, datetime) else value
