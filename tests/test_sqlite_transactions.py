"""tortoise's own SQLite transaction, off a customer's message path (a report job, learning, a CLI
command), never leaves the writing connection unusable, as the inline one on the path does not
(tests/test_sqlite_client.py): a BEGIN that fails or is cancelled frees the ORM's lock, and what a
failure leaves open is ended before the next writes land in it. A transaction left open before a
BEGIN is committed (it holds writes already reported written), or rolled back when it cannot commit."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from pathlib import Path

import pytest
from tortoise.exceptions import TransactionManagementError
from tortoise.transactions import in_transaction

from bot.sqlite_client import SHORT_READS
from models.customer import Customer
from tests.test_sqlite_client import NOW, client, create_in_a_transaction, database

__all__ = ["database"]  # the fixture, shared with tests/test_sqlite_client.py


def leave_a_transaction_that_cannot_commit() -> None:
    """The writing connection left in a transaction whose COMMIT SQLite refuses (a deferred foreign key)."""
    db = client()._connection._conn
    db.execute("CREATE TABLE parent (id INTEGER PRIMARY KEY)")
    db.execute("CREATE TABLE child (id INTEGER PRIMARY KEY, "
               "parent_id INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)")
    db.execute("BEGIN")
    db.execute("INSERT INTO child (parent_id) VALUES (7)")


async def acknowledge_a_write_in_a_leftover_transaction(external_id: str) -> None:
    """A message-path write reported written inside a transaction left open on the writing connection
    (as a cancelled `execute_many` leaves it): the case `settle_leftover_now` commits rather than rolls back."""
    client()._connection._conn.execute("BEGIN")
    token = SHORT_READS.set(True)
    try:
        await Customer.create(channel="wechat", external_id=external_id, created_at=NOW)  # inline: lands in it
    finally:
        SHORT_READS.reset(token)


async def test_a_transaction_cancelled_while_it_begins_on_the_thread_frees_the_orms_lock(database: Path) -> None:
    task = asyncio.create_task(create_in_a_transaction("o1"))
    await asyncio.sleep(0)  # the task runs until its BEGIN waits for aiosqlite's thread
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not client()._lock.locked()
    await asyncio.wait_for(Customer.create(channel="wechat", external_id="o2", created_at=NOW), 5)


async def test_a_begin_that_fails_frees_the_orms_lock_and_a_leftover_that_cannot_commit_is_rolled_back(
        database: Path, caplog: pytest.LogCaptureFixture) -> None:
    """tortoise's BEGIN commits a leftover first; that COMMIT failing kept the ORM's lock for good (every
    write after it waited for ever) and the leftover stayed, so every later BEGIN failed the same way."""
    leave_a_transaction_that_cannot_commit()
    with caplog.at_level(logging.WARNING, "bot.sqlite_client"):
        await asyncio.wait_for(create_in_a_transaction("o1"), 5)
    assert not client()._lock.locked()
    assert "could not be committed and is rolled back (IntegrityError)" in caplog.text
    other = sqlite3.connect(database)
    try:
        assert other.execute("SELECT count(*) FROM child").fetchone()[0] == 0
        assert other.execute("SELECT count(*) FROM customer WHERE external_id = 'o1'").fetchone()[0] == 1
    finally:
        other.close()


async def test_a_transaction_ended_by_a_transaction_management_error_on_the_thread_is_rolled_back(
        database: Path) -> None:
    """tortoise's context does not roll back on a `TransactionManagementError`: its writes stayed open on
    the writing connection, and the next transaction's BEGIN committed them."""
    with pytest.raises(TransactionManagementError):
        async with in_transaction() as connection:
            await Customer.create(channel="wechat", external_id="mine", created_at=NOW, using_db=connection)
            raise TransactionManagementError("raised inside")
    assert not client()._connection._conn.in_transaction
    assert not client()._lock.locked()
    await create_in_a_transaction("next")
    assert not await Customer.filter(external_id="mine").exists()
    assert await Customer.filter(external_id="next").exists()


async def test_writes_reported_done_in_a_leftover_transaction_are_kept_by_the_next_begin(database: Path) -> None:
    """The decision in `settle_leftover`: a message-path write that landed in a transaction left open
    (and was reported written) is committed, not rolled back, when the next transaction begins."""
    await acknowledge_a_write_in_a_leftover_transaction("acknowledged")
    await create_in_a_transaction("next")
    other = sqlite3.connect(database)
    try:
        assert other.execute("SELECT count(*) FROM customer WHERE external_id IN ('acknowledged', 'next')"
                             ).fetchone()[0] == 2
    finally:
        other.close()
