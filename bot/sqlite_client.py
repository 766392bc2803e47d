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
(bot/batch_writer.py), and so do a message's transactions (`InlineTransaction`). The writing
connection is opened usable from the loop's thread for this (`check_same_thread` off); everything
off the message path still goes through aiosqlite's thread.

Checkpoints leave the loop too. SQLite's automatic checkpoint runs in the commit that fills the WAL
past 1,000 pages: with the commits inline, that commit copied the WAL into the database and synced
both files on the event loop, a 10-20 ms stall every few thousand messages for everyone waiting
(docs/performance.md). The writing connection turns it off, and a passive checkpoint runs every
`CHECKPOINT_EVERY_S` on a reader's thread instead; passive never waits for, nor blocks, a reader or
the writer.

A statement still busy after the busy timeout (another process held SQLite's lock that long) raises
`DatabaseBusy` wherever this client runs it: alone or in a transaction, inline or on aiosqlite's thread,
and in the group commit (bot/batch_writer.py). It was SQLite's or tortoise's `OperationalError`, a 500
on a web path; it is the database down for now (bot/outages.py): 503 with `Retry-After`.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import itertools
import logging
import sqlite3
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

import aiosqlite
from tortoise.backends.base.client import NestedTransactionContext, TransactionContext
from tortoise.backends.sqlite.client import (
    SqliteClient,
    SqliteTransactionContext,
    SqliteTransactionWrapper,
)
from tortoise.connection import get_connections
from tortoise.exceptions import DBConnectionError, IntegrityError, OperationalError, TransactionManagementError

READERS = 3
CHECKPOINT_EVERY_S = 1.0
READER_PRAGMAS = ("busy_timeout", "foreign_keys")
#: True while the current task handles a customer message: its reads run inline (see above).
SHORT_READS: contextvars.ContextVar[bool] = contextvars.ContextVar("short_reads", default=False)
T = TypeVar("T")
log = logging.getLogger(__name__)


class Busy(Exception):
    """Another connection holds SQLite's write lock: the work was not done."""


class DatabaseBusy(DBConnectionError):
    """Another process held SQLite's lock past the busy timeout: the statement (or the settling of a
    transaction left open, before a new one) was not done, and may succeed shortly. Raised wherever this
    client runs SQL (`busy_is_an_outage`, `_translated`) and by the group commit (bot/batch_writer.py), in
    place of SQLite's or tortoise's `OperationalError('database is locked')`. A `DBConnectionError`, so
    bot/outages.py counts it as the database down for now: the web layer answers 503 with `Retry-After`,
    the scheduler backs off and retries, never a 500."""


BUSY = "SQLite busy past the busy timeout: another process holds its lock"


def _busy(exc: BaseException) -> bool:
    """SQLite's busy error, raw or as tortoise's `OperationalError` (which carries it as its argument)."""
    cause = exc.args[0] if isinstance(exc, OperationalError) and exc.args else exc
    return isinstance(cause, sqlite3.Error) and is_busy(cause)


def busy_is_an_outage(method: Callable[..., Awaitable[T]]) -> Callable[..., Awaitable[T]]:
    """`method` (a coroutine function running SQL) raising `DatabaseBusy` where SQLite was busy."""

    @functools.wraps(method)
    async def wrapped(*args: Any, **kwargs: Any) -> T:
        try:
            return await method(*args, **kwargs)
        except (sqlite3.OperationalError, OperationalError) as exc:
            if _busy(exc):
                raise DatabaseBusy(BUSY) from exc
            raise

    return wrapped


def _translated(method: Callable[..., T]) -> Callable[..., T]:
    """tortoise's `translate_exceptions` for a method that does not await: the ORM's error types, and
    `DatabaseBusy` for a busy database."""

    @functools.wraps(method)
    def translated(*args: Any) -> T:
        try:
            return method(*args)
        except (sqlite3.OperationalError, sqlite3.IntegrityError) as exc:
            raise _ours(exc) from exc

    return translated


def _translated_async(method: Callable[..., Awaitable[T]]) -> Callable[..., Awaitable[T]]:
    """`_translated` for a coroutine function."""

    @functools.wraps(method)
    async def translated(*args: Any) -> T:
        try:
            return await method(*args)
        except (sqlite3.OperationalError, sqlite3.IntegrityError) as exc:
            raise _ours(exc) from exc

    return translated


def _ours(exc: sqlite3.OperationalError | sqlite3.IntegrityError) -> Exception:
    if isinstance(exc, sqlite3.IntegrityError):
        return IntegrityError(exc)
    return DatabaseBusy(BUSY) if is_busy(exc) else OperationalError(exc)


class ReadPoolSqliteClient(SqliteClient):
    def __init__(self, file_path: str, **kwargs: Any) -> None:
        super().__init__(file_path, **kwargs)
        self._readers: list[tuple[asyncio.Lock, aiosqlite.Connection]] = []
        self._inline: sqlite3.Connection | None = None
        self._checkpoints: asyncio.Task[None] | None = None
        self._turns = itertools.count()
        #: Puts the writing connection's busy timeout back (read once it is open): one text, so
        #: sqlite3's statement cache finds it without a new string per inline write.
        self._restore_busy_timeout = "PRAGMA busy_timeout=0"

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
            if is_busy(exc):
                raise Busy from exc
            raise
        finally:
            db.execute(self._restore_busy_timeout)

    async def create_connection(self, with_db: bool) -> None:
        if not self._connection:  # tortoise's own, opened usable from the loop's thread (see above)
            self._connection = await aiosqlite.connect(self.filename, isolation_level=None, check_same_thread=False)
            self._connection._conn.row_factory = sqlite3.Row
            for pragma, value in self.pragmas.items():
                await (await self._connection.execute(f"PRAGMA {pragma}={value}")).close()
            await self._post_connect()
            busy_timeout_ms = int((await self._connection.execute_fetchall("PRAGMA busy_timeout"))[0][0])
            self._restore_busy_timeout = f"PRAGMA busy_timeout={busy_timeout_ms}"
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
            return await self._threaded_query(query, values)
        rows = await self._read(query, values)
        return len(rows), rows

    @busy_is_an_outage
    async def _threaded_query(self, query: str, values: list | None) -> tuple[int, Sequence[dict]]:
        return await super().execute_query(query, values)

    async def execute_insert(self, query: str, values: list) -> int:
        if self._writes_inline():
            try:
                return self._insert_now(query, values)
            except Busy:
                pass
        return await self._threaded_insert(query, values)

    @busy_is_an_outage
    async def _threaded_insert(self, query: str, values: list) -> int:
        return await super().execute_insert(query, values)

    execute_many = busy_is_an_outage(SqliteClient.execute_many)
    execute_script = busy_is_an_outage(SqliteClient.execute_script)

    def _writes_inline(self) -> bool:
        """On a message's path, with the writing connection idle (see the module's docstring)."""
        return self._connection is not None and not self._lock.locked() and SHORT_READS.get()

    def _in_transaction(self) -> TransactionContext:
        """On a message's path, a transaction that runs inline (`InlineTransaction`); elsewhere tortoise's
        on aiosqlite's thread. Both in a `ReleasingTransactionContext`."""
        if self._connection is not None and SHORT_READS.get():
            return ReleasingTransactionContext(InlineTransaction(self), self._lock)
        return ReleasingTransactionContext(ThreadedTransaction(self), self._lock)

    @_translated
    def _write_now(self, query: str, values: list | None) -> tuple[int, Sequence[dict]]:
        """As tortoise's `execute_query`, inline (the caller checked `_writes_inline`)."""
        self.log.debug("%s", query)  # not its values: customer data

        return self.without_waiting(functools.partial(_query, query=query, values=values))

    @_translated
    def _insert_now(self, query: str, values: list) -> int:
        """As tortoise's `execute_insert` (aiosqlite's: the row id asked for after the insert), inline."""
        self.log.debug("%s", query)  # not its values: customer data

        return self.without_waiting(functools.partial(_insert, query=query, values=values))

    async def execute_query_dict(self, query: str, values: list | None = None) -> list[dict]:
        if not self._reads(query):
            return await self._threaded_query_dict(query, values)
        return list(map(dict, await self._read(query, values)))

    @busy_is_an_outage
    async def _threaded_query_dict(self, query: str, values: list | None) -> list[dict]:
        return await super().execute_query_dict(query, values)

    def _reads(self, query: str) -> bool:
        return bool(self._readers) and query.lstrip()[:6].upper() == "SELECT"

    @_translated_async
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


def _query(db: sqlite3.Connection, query: str, values: list | None) -> tuple[int, list]:
    """tortoise's `execute_query` on a sqlite3 connection: (rows changed, or else rows read; the rows)."""
    start = db.total_changes
    rows = db.execute(query, values or ()).fetchall()
    return (db.total_changes - start) or len(rows), rows


def _insert(db: sqlite3.Connection, query: str, values: list) -> int:
    """tortoise's `execute_insert` (aiosqlite's: the row id asked for after the insert)."""
    cursor = db.execute(query, values)
    cursor.execute("SELECT last_insert_rowid()")
    return cursor.fetchone()[0]


#: `_translated` once, not per statement (`functools.wraps` per call cost more than an inline statement).
_query_translated = _translated(_query)
_insert_translated = _translated(_insert)
_execute_translated = _translated(sqlite3.Connection.execute)
_executemany_translated = _translated(sqlite3.Connection.executemany)


def begin_immediate(db: sqlite3.Connection) -> None:
    """A write transaction with the write lock taken at once (`Busy` at once when another process has
    it, under `without_waiting`): no later statement of it can find the database busy."""
    db.execute("BEGIN IMMEDIATE")


class ThreadedTransaction(SqliteTransactionWrapper):
    """tortoise's transaction on aiosqlite's thread, whose every statement raises `DatabaseBusy` where
    SQLite was busy past the busy timeout: its BEGIN is deferred, so its first write waits there for
    another process's write lock, and its COMMIT for readers in a rollback journal."""

    def _in_transaction(self) -> TransactionContext:
        return NestedTransactionContext(ThreadedTransaction(self))


for _method in ("execute_query", "execute_insert", "execute_query_dict", "execute_many", "execute_script",
                "begin", "commit", "rollback", "savepoint", "savepoint_rollback", "release_savepoint"):
    setattr(ThreadedTransaction, _method, busy_is_an_outage(getattr(SqliteTransactionWrapper, _method)))


class InlineTransaction(ThreadedTransaction):
    """A transaction on a customer's message path (an after-sales case, a complaint, a 留言 leaving
    the queue), run inline on the writing connection like the message path's single writes.

    tortoise's takes a trip to aiosqlite's thread for its BEGIN (two: a COMMIT first), for each
    statement and for the COMMIT, each a turn of the busy event loop, while it holds the ORM's lock,
    which sends every other message's writes (and the group commit) the thread's way meanwhile: the
    留言's transaction of two statements was about 5% of the embedded loop's samples in waits for
    those hops (docs/performance.md "Seventh round"). This one begins with `BEGIN IMMEDIATE` without waiting
    (the write lock taken at once, so no later statement can find it busy); when another process holds
    it, the transaction goes tortoise's way and waits on the thread as before. The statements between
    run inline under the ORM's lock, which the transaction context holds, so nothing else uses the
    connection meanwhile; a savepoint or script still goes through the thread, on the same connection."""

    def __init__(self, client: ReadPoolSqliteClient) -> None:
        super().__init__(client)
        self._client = client
        self._db: sqlite3.Connection | None = None  # set when begun inline

    async def begin(self) -> None:
        try:  # on a connection no transaction was left open on (`settle_leftover`, before this)
            self._client.without_waiting(begin_immediate)
        except Busy:  # another process writes: wait for it on aiosqlite's thread
            await super().begin()
        else:
            self._db = self._connection._conn

    async def commit(self) -> None:
        await self._end("COMMIT", super().commit)

    async def rollback(self) -> None:
        await self._end("ROLLBACK", super().rollback)

    async def _end(self, statement: str, threaded: Callable[[], Any]) -> None:
        if self._db is None:
            return await threaded()
        if self._finalized:
            raise TransactionManagementError("Transaction already finalised")
        self._finalized = True
        if statement == "COMMIT" or self._db.in_transaction:  # as sqlite3's rollback(): none left by an error
            _execute_translated(self._db, statement)

    async def execute_query(self, query: str, values: list | None = None) -> tuple[int, Sequence[dict]]:
        if self._db is None:
            return await super().execute_query(query, values)
        self.log.debug("%s", query)  # not its values: customer data
        return _query_translated(self._db, query.replace("\x00", "'||CHAR(0)||'"), values)

    async def execute_query_dict(self, query: str, values: list | None = None) -> list[dict]:
        if self._db is None:
            return await super().execute_query_dict(query, values)
        return list(map(dict, (await self.execute_query(query, values))[1]))

    async def execute_insert(self, query: str, values: list) -> int:
        if self._db is None:
            return await super().execute_insert(query, values)
        self.log.debug("%s", query)  # not its values: customer data
        return _insert_translated(self._db, query, values)

    async def execute_many(self, query: str, values: list[list]) -> None:
        if self._db is None:
            return await super().execute_many(query, values)
        self.log.debug("%s", query)  # not its values: customer data
        _executemany_translated(self._db, query, values)


@busy_is_an_outage
async def settle_leftover(connection: aiosqlite.Connection) -> None:
    """`settle_leftover_now` on aiosqlite's thread, before tortoise's transaction's BEGIN. Its COMMIT
    waits there for the busy timeout; still busy after it, the leftover stays open (its writes were
    reported written) and the caller gets `DatabaseBusy`, a retryable outage."""
    if connection._conn.in_transaction:
        await connection._execute(settle_leftover_now, connection._conn)


def settle_leftover_now(db: sqlite3.Connection) -> None:
    """End a transaction a failure left open on the writing connection, before the next BEGIN (a
    transaction's, or the group commit's: bot/batch_writer.py).

    Committed, as tortoise's BEGIN does, not rolled back: since the transaction contexts roll back
    what they leave open (`ReleasingTransactionContext`), what is left comes from a statement whose
    caller stopped waiting for it (tortoise's `execute_many` cancelled on the thread never commits
    its BEGIN), and the autocommit writes that ran since landed in it: the message path's inline
    INSERTs and UPDATEs, already reported written (a customer's message, a delivery). Rolling back
    would lose those silently; committing keeps them and, with them, the cancelled statement's rows,
    whose caller could not know whether they were written anyway. A leftover that cannot commit (a
    deferred constraint, a full disk) is rolled back instead: every later BEGIN would fail on it. One
    that cannot commit yet (another process holds the lock: `Busy` under `without_waiting`, or
    `DatabaseBusy` after the busy timeout on the thread) stays open, and the error goes to the caller:
    a later BEGIN commits it."""
    if not db.in_transaction:
        return
    try:
        db.commit()
    except sqlite3.Error as exc:
        if is_busy(exc):
            raise
        log.warning("SQLite: a transaction left open could not be committed and is rolled back (%s)",
                    type(exc).__name__)
        db.rollback()


_LOCK_CODES = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED})


def is_busy(exc: sqlite3.Error) -> bool:
    """SQLite's error for a lock another connection holds (busy, or locked): the work may succeed later.
    Told by SQLite's result code, never the message's words: "no such column: locked_until" is a fault
    of ours, which an outage (`DatabaseBusy`: 503, retried for ever) would hide."""
    code = getattr(exc, "sqlite_errorcode", None)  # the primary code is the extended one's low byte
    return isinstance(exc, sqlite3.OperationalError) and code is not None and code & 0xFF in _LOCK_CODES


class ReleasingTransactionContext(SqliteTransactionContext):
    """tortoise's SQLite transaction context, which never leaves the writing connection unusable, for
    the inline transaction and for tortoise's own on aiosqlite's thread alike:
    - it releases the ORM's lock when the BEGIN fails or is cancelled (on the thread, when another
      process held the write lock), where tortoise's kept it and every later write waited for ever;
    - a transaction a failure left open before it is settled first (`settle_leftover`);
    - a transaction still open at the end (a COMMIT refused by a deferred constraint or a full disk,
      a `TransactionManagementError` raised inside, which tortoise does not roll back) is rolled
      back before the lock is released, so the next writes, in autocommit, are not caught in it
      uncommitted."""

    async def __aenter__(self) -> SqliteTransactionWrapper:
        await self._trxlock.acquire()
        try:
            await self.ensure_connection()
            await settle_leftover(self.connection._connection)
            self.token = get_connections().set(self.connection_name, self.connection)
            try:
                await self.connection.begin()
            except BaseException:
                get_connections().reset(self.token)
                raise
        except BaseException:
            self._trxlock.release()
            raise
        return self.connection

    async def __aexit__(self, exc_type: Any, exc_val: Any, exc_tb: Any) -> None:
        try:
            if not self.connection._finalized:
                if exc_type is None:
                    await self.connection.commit()
                elif exc_type is not TransactionManagementError:  # as tortoise's: that one is not rolled back
                    await self.connection.rollback()
        finally:
            try:
                if self.connection._connection._conn.in_transaction:  # the caller hears of the failure;
                    await self.connection._connection.rollback()  # nothing of it is kept
            finally:
                get_connections().reset(self.token)
                self._trxlock.release()


client_class = ReadPoolSqliteClient
