"""The embedded default's SQLite engine (`bot.sqlite_client`): reads leave the writing connection
(to reader threads, or inline on a message's path) but never see less than it would; writes on a
message's path run inline but never wait on the loop for another process's lock."""

from __future__ import annotations

import asyncio
import contextvars
import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from tortoise import connections
from tortoise.exceptions import IntegrityError, TransactionManagementError
from tortoise.transactions import in_transaction

from bot.batch_writer import Batch, SqliteBatchWriter
from bot.clock import Clock, FakeClock, SystemClock
from bot.db import close_database, open_database
from bot.recorder import COLUMNS
from bot.sqlite_client import SHORT_READS, ReadPoolSqliteClient
from models.conversation import Conversation
from models.customer import Customer
from models.message import Message

NOW = datetime(2026, 11, 27, tzinfo=UTC)


@pytest.fixture
async def database(tmp_path: Path):
    await open_database(f"sqlite://{tmp_path / 'bot.sqlite3'}")
    yield tmp_path / "bot.sqlite3"
    await close_database()


def client() -> ReadPoolSqliteClient:
    db = connections.get("default")
    assert isinstance(db, ReadPoolSqliteClient)
    return db


async def test_reads_see_every_commit_and_transactions_read_their_own_writes(database: Path) -> None:
    await Customer.create(channel="wechat", external_id="o1", created_at=NOW)
    assert client()._readers, "a file database gets reader connections"
    for short in (False, True):
        token = SHORT_READS.set(short)
        try:
            assert await Customer.filter(channel="wechat").count() == 1 + short
            async with in_transaction() as connection:
                await Customer.create(channel="wechat", external_id=f"o-{short}", created_at=NOW,
                                      using_db=connection)
                # inside the transaction: its own connection, which sees the uncommitted row
                assert await Customer.filter(channel="wechat").using_db(connection).count() == 2 + short
                assert await Customer.filter(channel="wechat").count() == 2 + short
        finally:
            SHORT_READS.reset(token)
    assert await Customer.filter(channel="wechat").count() == 3



async def test_a_write_lock_held_by_another_process_never_stalls_the_loop(database: Path) -> None:
    """Inline writes (a message's INSERT, the group commit) do not wait for the lock on the loop's
    thread: they go to aiosqlite's thread, which waits there, and land once the lock is free."""
    customer = await Customer.create(channel="wechat", external_id="o1", created_at=NOW)
    other = hold_the_write_lock(database)
    token = SHORT_READS.set(True)
    try:
        insert = asyncio.create_task(Customer.create(channel="wechat", external_id="o2", created_at=NOW))
        commit = asyncio.create_task(SqliteBatchWriter().write(Batch(COLUMNS, [], {customer.id}, {}, NOW)))
        started = time.monotonic()
        for _ in range(10):
            await asyncio.sleep(0.01)
        assert time.monotonic() - started < 1.0, "the loop went on while the lock was held"
        assert not insert.done() and not commit.done()
        other.execute("COMMIT")
        await asyncio.wait_for(asyncio.gather(insert, commit), 10)
    finally:
        SHORT_READS.reset(token)
        other.close()
    assert await Customer.filter(external_id="o2").exists()
    assert (await Customer.get(id=customer.id)).last_inbound_at == NOW


async def test_inline_writes_keep_the_orm_errors(database: Path) -> None:
    token = SHORT_READS.set(True)
    try:
        await Customer.create(channel="wechat", external_id="o1", created_at=NOW)
        with pytest.raises(IntegrityError):
            await Customer.create(channel="wechat", external_id="o1", created_at=NOW)
        assert await Customer.filter(external_id="o1").update(is_vip=True) == 1
    finally:
        SHORT_READS.reset(token)
    assert (await Customer.get(external_id="o1")).is_vip


async def test_checkpoints_run_on_a_readers_thread_not_in_a_commit(database: Path) -> None:
    """The writing connection's automatic checkpoint is off (it ran inside an inline commit, on the
    loop); a passive checkpoint on a reader copies the WAL into the database instead."""
    db = client()
    assert db._connection._conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
    for n in range(50):
        await Customer.create(channel="wechat", external_id=f"c{n}", created_at=NOW)
    busy, frames, copied = await db.checkpoint()
    assert busy == 0 and frames > 0 and copied == frames
    assert db._checkpoints is not None and not db._checkpoints.done()  # the periodic one is running


async def test_the_group_commit_stores_datetimes_as_the_orm_does(database: Path) -> None:
    """The batch hands datetimes to sqlite3 as they are: the text stored is the ORM's own."""
    from bot.recorder import MessageRecord

    customer = await Customer.create(channel="wechat", external_id="o1", created_at=NOW)
    at = datetime(2026, 11, 27, 8, 30, 15, 123456, tzinfo=UTC)
    conversation = await Conversation.create(key="wechat:o1", customer=customer, channel="wechat", opened_at=at)
    row = MessageRecord(conversation.id, "wechat", "in", "text", "在吗", "m-1", "customer", at, "received")
    await SqliteBatchWriter().write(Batch(COLUMNS, [row], {customer.id}, {}, at))
    plain = sqlite3.connect(database)
    try:
        stored = plain.execute("SELECT created_at FROM message").fetchone()[0]
        contact = plain.execute("SELECT last_inbound_at FROM customer").fetchone()[0]
        orm = plain.execute("SELECT opened_at FROM conversation").fetchone()[0]
    finally:
        plain.close()
    assert stored == contact == orm == "2026-11-27 08:30:15.123456+00:00"
    assert (await Customer.get(id=customer.id)).last_inbound_at == at


@pytest.mark.parametrize("source", [SystemClock(), FakeClock()], ids=["system", "fake"])
async def test_the_clocks_datetimes_are_stored_by_the_group_commit_as_by_the_orm(database: Path, source: Clock) -> None:
    """The group commit does not turn datetimes into UTC as the ORM does: it relies on the clock giving
    aware UTC ones (microseconds or none), and the stored text must be the ORM's for range filters."""
    from bot.recorder import MessageRecord

    at = source.now()
    customer = await Customer.create(channel="wechat", external_id="o1", created_at=at)
    conversation = await Conversation.create(key="wechat:o1", customer=customer, channel="wechat", opened_at=at)
    row = MessageRecord(conversation.id, "wechat", "in", "text", "在吗", "m-1", "customer", at, "received")
    await SqliteBatchWriter().write(Batch(COLUMNS, [row], {customer.id}, {}, at))
    plain = sqlite3.connect(database)
    try:
        stored, contact, orm = plain.execute(
            "SELECT m.created_at, cu.last_inbound_at, cu.created_at FROM message m "
            "JOIN conversation c ON c.id = m.conversation_id JOIN customer cu ON cu.id = c.customer_id").fetchone()
    finally:
        plain.close()
    assert stored == contact == orm
    assert await Message.filter(created_at__gte=at).count() == 1
    assert await Message.filter(created_at__gt=at).count() == 0


class Failed(Exception):
    """Raised inside a transaction to roll it back."""


async def loop_turns_during(work) -> tuple[object, int]:
    """`work()`'s result and how many turns the event loop took meanwhile (0: it never suspended)."""
    turns = 0

    async def count() -> None:
        nonlocal turns
        while True:
            await asyncio.sleep(0)
            turns += 1

    counter = asyncio.create_task(count())
    await asyncio.sleep(0)
    turns = 0
    try:
        return await work(), turns
    finally:
        counter.cancel()


async def test_a_transaction_on_a_message_path_runs_inline_and_rolls_back_with_the_orms_errors(database: Path) -> None:
    """No trip to aiosqlite's thread (the loop never turns while it runs); an error rolls it back and
    keeps the ORM's error types; off a message's path the transaction is tortoise's, on the thread."""
    await Customer.create(channel="wechat", external_id="taken", created_at=NOW)

    async def case() -> int:
        async with in_transaction() as connection:
            customer = await Customer.create(channel="wechat", external_id="o1", created_at=NOW, using_db=connection)
            await Conversation.create(key="wechat:o1", customer=customer, channel="wechat", opened_at=NOW,
                                      using_db=connection)
            return await Conversation.filter(customer_id=customer.id).using_db(connection).count()

    async def duplicate() -> None:
        async with in_transaction() as connection:
            await Customer.create(channel="wechat", external_id="o2", created_at=NOW, using_db=connection)
            await Customer.create(channel="wechat", external_id="taken", created_at=NOW, using_db=connection)

    token = SHORT_READS.set(True)
    try:
        assert await loop_turns_during(case) == (1, 0)
        with pytest.raises(IntegrityError):
            await duplicate()
    finally:
        SHORT_READS.reset(token)
    assert await Conversation.filter(key="wechat:o1").exists()
    assert not await Customer.filter(external_id="o2").exists()  # rolled back
    await Conversation.filter(key="wechat:o1").delete()
    await Customer.filter(external_id="o1").delete()
    result, turns = await loop_turns_during(case)
    assert result == 1 and turns > 0  # off the message path: tortoise's, through the thread


async def test_other_writes_wait_for_an_inline_transaction_and_never_land_inside_it(database: Path) -> None:
    """A transaction that awaits something else between its statements lets other messages run: their
    writes wait for it on the thread's way (the ORM's lock), so its rollback does not take them along."""
    token = SHORT_READS.set(True)
    try:
        async def other_message() -> None:
            await Customer.create(channel="wechat", external_id="other", created_at=NOW)

        outside = contextvars.copy_context()  # another message's task: not inside this transaction
        with pytest.raises(Failed):
            async with in_transaction() as connection:
                await Customer.create(channel="wechat", external_id="mine", created_at=NOW, using_db=connection)
                other = asyncio.create_task(other_message(), context=outside)
                await asyncio.sleep(0.02)
                assert not other.done()  # waits for this transaction
                raise Failed
        await asyncio.wait_for(other, 10)
    finally:
        SHORT_READS.reset(token)
    assert await Customer.filter(external_id="other").exists()
    assert not await Customer.filter(external_id="mine").exists()


def hold_the_write_lock(database: Path) -> sqlite3.Connection:
    """Another process's connection in a write transaction: the bot's writes must wait for it."""
    other = sqlite3.connect(database, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    return other


async def create_in_a_transaction(external_id: str) -> None:
    async with in_transaction() as connection:
        await Customer.create(channel="wechat", external_id=external_id, created_at=NOW, using_db=connection)


async def test_an_inline_transaction_waits_on_the_thread_when_another_process_holds_the_lock(database: Path) -> None:
    other = hold_the_write_lock(database)
    token = SHORT_READS.set(True)
    try:
        task = asyncio.create_task(create_in_a_transaction("o1"))
        started = time.monotonic()
        for _ in range(10):
            await asyncio.sleep(0.01)
        assert time.monotonic() - started < 1.0 and not task.done()  # the loop went on
        other.execute("COMMIT")
        await asyncio.wait_for(task, 10)
    finally:
        SHORT_READS.reset(token)
        other.close()
    assert await Customer.filter(external_id="o1").exists()


async def test_an_inline_transaction_begins_on_a_connection_a_failure_left_in_a_transaction(database: Path) -> None:
    """A transaction left open on the writing connection (a cancelled `execute_many`, a failed COMMIT):
    as tortoise's, the next transaction still runs (tortoise's way, which commits the leftover first),
    and the ORM's lock is free after it, where BEGIN IMMEDIATE failed and the lock stayed held."""
    client()._connection._conn.execute("BEGIN")
    token = SHORT_READS.set(True)
    try:
        async with in_transaction() as connection:
            await Customer.create(channel="wechat", external_id="o1", created_at=NOW, using_db=connection)
    finally:
        SHORT_READS.reset(token)
    assert not client()._lock.locked()
    assert not client()._connection._conn.in_transaction
    assert await asyncio.wait_for(Customer.filter(external_id="o1").exists(), 5)


async def test_the_group_commit_begins_on_a_connection_a_failure_left_in_a_transaction(database: Path) -> None:
    """A transaction left open on the writing connection (a statement cancelled on aiosqlite's thread):
    the group commit still writes, where its BEGIN IMMEDIATE failed for every batch after it."""
    from bot.recorder import MessageRecord

    customer = await Customer.create(channel="wechat", external_id="o1", created_at=NOW)
    conversation = await Conversation.create(key="wechat:o1", customer=customer, channel="wechat", opened_at=NOW)
    client()._connection._conn.execute("BEGIN")
    row = MessageRecord(conversation.id, "wechat", "in", "text", "在吗", "m-1", "customer", NOW, "received")
    await SqliteBatchWriter().write(Batch(COLUMNS, [row], {customer.id}, {}, NOW))
    assert not client()._connection._conn.in_transaction
    assert await Message.filter(source_id="m-1").exists()


async def test_an_inline_commit_that_fails_leaves_no_transaction_open(database: Path) -> None:
    """A COMMIT refused (here a deferred foreign key) leaves SQLite's transaction open: it is rolled
    back, so the message path's next inline writes (autocommit) are not caught in it, uncommitted."""
    db = client()._connection._conn
    db.execute("CREATE TABLE parent (id INTEGER PRIMARY KEY)")
    db.execute("CREATE TABLE child (id INTEGER PRIMARY KEY, "
               "parent_id INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)")
    token = SHORT_READS.set(True)
    try:
        with pytest.raises(IntegrityError):
            async with in_transaction() as connection:
                await connection.execute_query("INSERT INTO child (parent_id) VALUES (?)", [7])
        assert not db.in_transaction
        await Customer.create(channel="wechat", external_id="after", created_at=NOW)  # inline, autocommit
    finally:
        SHORT_READS.reset(token)
    other = sqlite3.connect(database)
    try:
        assert other.execute("SELECT count(*) FROM customer WHERE external_id = 'after'").fetchone()[0] == 1
        assert other.execute("SELECT count(*) FROM child").fetchone()[0] == 0
    finally:
        other.close()


async def test_a_transaction_cancelled_while_it_begins_frees_the_orms_lock(database: Path) -> None:
    """Cancelled in its BEGIN on the thread (another process held the write lock): the ORM's lock is
    released, where tortoise's context kept it and every later write waited for ever."""
    other = hold_the_write_lock(database)
    token = SHORT_READS.set(True)
    try:
        task = asyncio.create_task(create_in_a_transaction("o1"))
        await asyncio.sleep(0)  # the task runs until its BEGIN waits for the thread
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    finally:
        SHORT_READS.reset(token)
        other.execute("COMMIT")
        other.close()
    assert not client()._lock.locked()
    await asyncio.wait_for(Customer.create(channel="wechat", external_id="o2", created_at=NOW), 5)


async def test_an_inline_transaction_ended_by_a_transaction_management_error_is_rolled_back(database: Path) -> None:
    """tortoise's context does not roll back on a `TransactionManagementError`: inline, the transaction
    stayed open on the writing connection, the ORM's lock free, and the next inline writes went into it."""
    token = SHORT_READS.set(True)
    try:
        with pytest.raises(TransactionManagementError):
            async with in_transaction() as connection:
                await Customer.create(channel="wechat", external_id="mine", created_at=NOW, using_db=connection)
                raise TransactionManagementError("raised inside")
        assert not client()._connection._conn.in_transaction
    finally:
        SHORT_READS.reset(token)
    assert not await Customer.filter(external_id="mine").exists()
