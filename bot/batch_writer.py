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
connection's busy timeout; still busy after it, the batch fails with `DatabaseBusy`, an outage
(bot/outages.py), which bot/recorder.py neither splits nor drops what it carries. On PostgreSQL the
batch is one statement through the ORM's connection (asyncpg has no thread to cross):
`PostgresBatchWriter`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from bot.prebuilt_sql import default_connection
from bot.sqlite_client import Busy, begin_immediate, busy_is_an_outage, settle_leftover_now


@dataclass(frozen=True, slots=True)
class Batch:
    columns: Sequence[str]
    rows: Sequence[Sequence[Any]]  # values in `columns` order
    customers_heard: set[int]  # whose `last_inbound_at` becomes `now`
    marks: dict[tuple[str, str | None], list[str]]  # (status, reason) → outbound source ids
    now: datetime


class BatchWriter(Protocol):
    async def write(self, batch: Batch) -> None: ...

    async def close(self) -> None: ...


def insert_statement(columns: Sequence[str]) -> str:
    """SQLite's INSERT that skips a row whose unique key exists (a retried delivery)."""
    return f"INSERT OR IGNORE INTO message ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"


class PostgresBatchWriter:
    """PostgreSQL: the whole batch is one statement, so one round trip and no BEGIN/COMMIT around it.

    The rows go in as arrays (`unnest`), the customers heard from and the delivery marks are updated
    in data-modifying CTEs of the same statement, which PostgreSQL runs to completion, atomically, as
    one implicit transaction. It was a transaction of five statements, each a round trip and a turn
    of the busy event loop: 9% of a production worker's samples (docs/performance.md). A mark never
    names a row inserted by the same statement (a CTE would not see it): rows are marked only after
    the batch that wrote them committed (`Recorder.note_sent`, `mark_delivery`). Fixed SQL text lets
    asyncpg reuse its prepared statement."""

    async def write(self, batch: Batch) -> None:
        marks: dict[str, tuple[str, str | None]] = {}
        for (status, reason), source_ids in batch.marks.items():  # a later mark of a row wins, as before
            marks.update(dict.fromkeys(source_ids, (status, reason)))
        columns = list(zip(*batch.rows, strict=True)) if batch.rows else [()] * len(batch.columns)
        await default_connection().execute_query(
            postgres_batch_statement(batch.columns),
            [*map(list, columns), batch.now, sorted(batch.customers_heard), list(marks),
             [status for status, _ in marks.values()], [reason for _, reason in marks.values()]])

    async def close(self) -> None:
        return None


#: PostgreSQL array types of the message columns a batch inserts (`MessageRecord`'s fields).
POSTGRES_TYPES = {"conversation_id": "int", "created_at": "timestamptz", "confidence": "float8", "text": "text"}


def postgres_batch_statement(columns: Sequence[str]) -> str:
    """`PostgresBatchWriter`'s statement: $1..$n the columns' arrays, then now, the customers heard
    from, and the marks' source ids, statuses and reasons."""
    n = len(columns)
    arrays = ", ".join(f"${i}::{POSTGRES_TYPES.get(name, 'varchar')}[]" for i, name in enumerate(columns, 1))
    now, heard, ids, statuses, reasons = (f"${n + i}" for i in range(1, 6))
    return (
        f"WITH inserted AS (INSERT INTO message ({', '.join(columns)}) SELECT * FROM unnest({arrays}) "
        f"ON CONFLICT DO NOTHING), "
        f"heard AS (UPDATE customer SET last_inbound_at = {now}::timestamptz WHERE id = ANY({heard}::int[])), "
        f"marked AS (UPDATE message SET delivery_status = mark.status, failure_reason = mark.reason, "
        f"sent_at = CASE WHEN mark.status = 'sent' THEN {now}::timestamptz END "
        f"FROM unnest({ids}::varchar[], {statuses}::varchar[], {reasons}::varchar[]) "
        f"AS mark(source_id, status, reason) "
        f"WHERE message.direction = 'out' AND message.source_id = mark.source_id) "
        f"SELECT 1"
    )


class SqliteBatchWriter:
    @busy_is_an_outage  # still busy after the busy timeout on the thread: the database down for now
    async def write(self, batch: Batch) -> None:
        client = default_connection()
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
    settle_leftover_now(db)  # left open by a statement cancelled on the thread: as before tortoise's BEGIN
    begin_immediate(db)


def _begin_and_write(db: sqlite3.Connection, batch: Batch) -> None:
    _begin(db)
    _write(db, batch)


def _write(db: sqlite3.Connection, batch: Batch) -> None:
    """The batch's statements and COMMIT, in the transaction just begun (rolled back on failure).
    Datetimes go in as they are: sqlite3 turns them into text with the adapter tortoise's SQLite
    backend registers (`isoformat(" ")`), in C; converting each row's values here cost a Python loop
    per row. That is the ORM's text ("YYYY-MM-DD HH:MM:SS[.ffffff]+00:00") only for aware UTC
    datetimes, which is what `bot/clock.py` gives: the ORM first turns other zones (and naive values)
    into UTC, this does not, and SQLite compares these columns as text."""
    try:
        if batch.rows:
            db.executemany(insert_statement(batch.columns), batch.rows)
        if batch.customers_heard:
            ids = sorted(batch.customers_heard)
            db.execute(f"UPDATE customer SET last_inbound_at = ? WHERE id IN ({', '.join('?' * len(ids))})",
                       [batch.now, *ids])
        for (status, reason), source_ids in batch.marks.items():
            db.execute(
                "UPDATE message SET delivery_status = ?, failure_reason = ?, sent_at = ? "
                f"WHERE direction = 'out' AND source_id IN ({', '.join('?' * len(source_ids))})",
                [status, reason, batch.now if status == "sent" else None, *source_ids])
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
