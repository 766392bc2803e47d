"""Tortoise's SQLite client with reads on their own connections (the embedded default's engine).

Tortoise gives SQLite one connection, one aiosqlite thread and one lock, so every query of every
conversation waits for the one before it, and each takes a trip to that thread and back through
the event loop. Under load the reads of one customer queued behind the group-commit writes and the
first-contact transactions of others: a quarter of a second at 50 concurrent senders
(docs/performance.md). In WAL mode readers never block the writer nor each other, so a SELECT
outside a transaction runs on one of `READERS` extra connections (an idle one when there is one);
everything else (writes, DDL, and every statement inside a transaction, which runs on the
transaction's own wrapper of the writing connection) stays where it was. A read sees every commit
made before it starts, as on the writing connection. An in-memory database gets no readers: other
connections would not see it.

On a customer's message path (`SHORT_READS`, set by the dispatcher) a read runs inline on the event
loop instead, on a connection of its own: those reads are lookups by key of a few rows (tens of
microseconds), while a trip to a reader thread costs the loop more than that in handing the GIL
back and forth, and the request a turn of the busy loop. It never waits for a lock (busy timeout
0, read-only); a busy database sends the read to a reader thread after all.

Writes are the same on a message's path: a handler's INSERT or UPDATE outside a transaction runs
inline on the writing connection, when no one holds the ORM's lock on it (nothing is running on
aiosqlite's thread then, and nothing else runs on the loop until the statement is done), without
waiting for SQLite's write lock (`without_waiting`): when another process holds it, the statement
takes the usual way through aiosqlite's thread and waits there. Each hop to that thread cost the
loop more than the statement (docs/performance.md). The group commit writes inline the same way
(bot/batch_writer.py). The writing connection is opened usable from the loop's thread for this
(`check_same_thread` off); transactions and everything off the message path still go through
aiosqlite's thread.

Checkpoints leave the loop too. SQLite's automatic checkpoint runs in the commit that fills the WAL
past 1,000 pages: with the commits inline, that commit copied the WAL into the database and synced
both files on the event loop, a 10-20 ms stall every few thousand messages for everyone waiting
(docs/performance.md). The writing connection turns it off, and a passive checkpoint runs every
`CHECKPOINT_EVERY_S` on a reader's thread instead; passive never waits for, nor blocks, a reader or
the writer.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import itertools
import logging
import sqlite3
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import aiosqlite
from tortoise.backends.sqlite.client import SqliteClient, translate_exceptions
from tortoise.exceptions import IntegrityError, OperationalError

READERS = 3
CHECKPOINT_EVERY_S = 1.0
READER_PRAGMAS = ("busy_timeout", "foreign_keys")
#: True while the current task handles a customer message: its reads run inline (see above).
SHORT_READS: contextvars.ContextVar[bool] = contextvars.ContextVar("short_reads", default=False)
T = TypeVar("T")
log = logging.getLogger(__name__)


class Busy(Exception):
    """Another connection holds SQLite's write lock: the work was not done."""


def _translated(method: Callable[..., T]) -> Callable[..., T]:
    """tortoise's `translate_exceptions` for a method that does not await: the ORM's error types."""

    @functools.wraps(method)
    def translated(*args: Any) -> T:
        try:
            return method(*args)
        except sqlite3.OperationalError as exc:
            raise OperationalError(exc) from exc
        except sqlite3.IntegrityError as exc:
            raise IntegrityError(exc) from exc

    return translated


class ReadPoolSqliteClient(SqliteClient):
    def __init__(self, file_path: str, **kwargs: Any) -> None:
        super().__init__(file_path, **kwargs)
        self._readers: list[tuple[asyncio.Lock, aiosqlite.Connection]] = []
        self._inline: sqlite3.Connection | None = None
        self._checkpoints: asyncio.Task[None] | None = None
        self._turns = itertools.count()
        self._busy_timeout_ms = 0  # the writing connection's, read once it is open

    def without_waiting(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """`work` on the writing connection, on this thread, with its busy timeout at 0 (restored
        after): raises `Busy` rather than sleeping in SQLite's busy handler when another process
        holds the write lock. The caller makes sure no one else uses the connection meanwhile."""
        assert self._connection is not None
        db = self._connection._conn
        db.execute("PRAGMA busy_timeout=0")
        try:
            return work(db)
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise Busy from exc
            raise
        finally:
            db.execute(f"PRAGMA busy_timeout={self._busy_timeout_ms}")

    async def create_connection(self, with_db: bool) -> None:
        if not self._connection:  # tortoise's own, opened usable from the loop's thread (see above)
            self._connection = await aiosqlite.connect(self.filename, isolation_level=None, check_same_thread=False)
            self._connection._conn.row_factory = sqlite3.Row
            for pragma, value in self.pragmas.items():
                await (await self._connection.execute(f"PRAGMA {pragma}={value}")).close()
            await self._post_connect()
            self._busy_timeout_ms = int((await self._connection.execute_fetchall("PRAGMA busy_timeout"))[0][0])
        await super().create_connection(with_db)
        if self._readers or self.filename == ":memory:":
            return
        for _ in range(READERS):
            reader = await aiosqlite.connect(self.filename, isolation_level=None)
            reader._conn.row_factory = sqlite3.Row  # as the writing connection (aiosqlite has no setter)
            for pragma in READER_PRAGMAS:
                if pragma in self.pragmas:
                    await reader.execute(f"PRAGMA {pragma}={self.pragmas[pragma]}")
            self._readers.append((asyncio.Lock(), reader))
        self._inline = sqlite3.connect(self.filename, isolation_level=None, check_same_thread=False)
        self._inline.row_factory = sqlite3.Row
        self._inline.execute("PRAGMA busy_timeout=0")
        self._inline.execute("PRAGMA query_only=1")
        await self._connection.execute("PRAGMA wal_autocheckpoint=0")
        self._checkpoints = asyncio.create_task(self._checkpoint_now_and_then())

    async def checkpoint(self) -> tuple[int, int, int]:
        """One passive checkpoint on a reader's thread: SQLite's (busy, WAL frames, frames copied)."""
        lock, reader = self._idle_reader()
        async with lock:
            busy, frames, copied = (await reader.execute_fetchall("PRAGMA wal_checkpoint(PASSIVE)"))[0]
        return busy, frames, copied

    async def _checkpoint_now_and_then(self) -> None:
        while True:
            await asyncio.sleep(CHECKPOINT_EVERY_S)
            try:
                await self.checkpoint()
            except sqlite3.Error as exc:  # a full disk, say: the next round tries again
                log.warning("SQLite checkpoint failed: %s", type(exc).__name__)

    async def close(self) -> None:
        if self._checkpoints is not None:
            self._checkpoints.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._checkpoints
            self._checkpoints = None
        if self._inline is not None:
            self._inline.close()
            self._inline = None
        readers, self._readers = self._readers, []
        for _, reader in readers:
            await reader.close()
        await super().close()

    async def execute_query(self, query: str, values: list | None = None) -> tuple[int, Sequence[dict]]:
        if not self._reads(query):
            if self._writes_inline():
                try:
                    return self._write_now(query.replace("\x00", "'||CHAR(0)||'"), values)
                except Busy:
                    pass
            return await super().execute_query(query, values)
        rows = await self._read(query, values)
        return len(rows), rows

    async def execute_insert(self, query: str, values: list) -> int:
        if self._writes_inline():
            try:
                return self._insert_now(query, values)
            except Busy:
                pass
        return await super().execute_insert(query, values)

    def _writes_inline(self) -> bool:
        """On a message's path, with the writing connection idle (see the module's docstring)."""
        return self._connection is not None and not self._lock.locked() and SHORT_READS.get()

    @_translated
    def _write_now(self, query: str, values: list | None) -> tuple[int, Sequence[dict]]:
        """As tortoise's `execute_query`, inline (the caller checked `_writes_inline`)."""
        self.log.debug("%s", query)  # not its values: customer data

        def run(db: sqlite3.Connection) -> tuple[int, list]:
            start = db.total_changes
            rows = db.execute(query, values or ()).fetchall()
            return (db.total_changes - start) or len(rows), rows

        return self.without_waiting(run)

    @_translated
    def _insert_now(self, query: str, values: list) -> int:
        """As tortoise's `execute_insert` (aiosqlite's: the row id asked for after the insert), inline."""
        self.log.debug("%s", query)  # not its values: customer data

        def run(db: sqlite3.Connection) -> int:
            cursor = db.execute(query, values)
            cursor.execute("SELECT last_insert_rowid()")
            return cursor.fetchone()[0]

        return self.without_waiting(run)

    async def execute_query_dict(self, query: str, values: list | None = None) -> list[dict]:
        if not self._reads(query):
            return await super().execute_query_dict(query, values)
        return list(map(dict, await self._read(query, values)))

    def _reads(self, query: str) -> bool:
        return bool(self._readers) and query.lstrip()[:6].upper() == "SELECT"

    @translate_exceptions
    async def _read(self, query: str, values: list | None) -> list[Any]:
        query = query.replace("\x00", "'||CHAR(0)||'")
        self.log.debug("%s", query)  # not its values: customer data
        if self._inline is not None and SHORT_READS.get():
            try:
                return self._inline.execute(query, values or ()).fetchall()
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
        lock, reader = self._idle_reader()
        async with lock:
            return list(await reader.execute_fetchall(query, values))

    def _idle_reader(self) -> tuple[asyncio.Lock, aiosqlite.Connection]:
        for lock, reader in self._readers:
            if not lock.locked():
                return lock, reader
        return self._readers[next(self._turns) % len(self._readers)]


client_class = ReadPoolSqliteClient
