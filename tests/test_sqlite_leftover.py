"""A transaction left open on SQLite's writing connection is settled by one policy, before tortoise's
transaction and before the group commit's batch alike (bot/sqlite_client.py `settle_leftover_now`):
committed when it can be (it holds writes already reported written), rolled back when it cannot (or
every later BEGIN fails on it), kept open while another process holds the lock (committed later).

The group commit's BEGIN only committed it: a leftover that could not commit failed every batch of
customers' messages until the process restarted. Real SQLite files; the leftover is made on the
writing connection as a cancelled statement leaves it."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from tortoise import Tortoise

from bot.batch_writer import Batch, SqliteBatchWriter
from bot.clock import FakeClock
from bot.db import close_database
from bot.outages import outages
from bot.recorder import CLOSE_GRACE_S, COLUMNS, MessageRecord, Recorder, outbound_message
from bot.sqlite_client import SHORT_READS, settle_leftover_now
from models.config import tortoise_config
from models.customer import Customer
from tests.test_sqlite_client import NOW, client, create_in_a_transaction, database, hold_the_write_lock
from tests.test_sqlite_transactions import (
    acknowledge_a_write_in_a_leftover_transaction,
    leave_a_transaction_that_cannot_commit,
)

__all__ = ["database"]  # the fixture, shared with tests/test_sqlite_client.py


def read(database: Path, query: str) -> object:
    """One value, read by another connection: what is committed."""
    other = sqlite3.connect(database)
    try:
        return other.execute(query).fetchone()[0]
    finally:
        other.close()


async def test_a_leftover_that_cannot_commit_is_rolled_back_before_the_group_commit(
        database: Path, caplog: pytest.LogCaptureFixture) -> None:
    customer = await Customer.create(channel="wechat", external_id="o1", created_at=NOW)
    leave_a_transaction_that_cannot_commit()
    with caplog.at_level(logging.WARNING, "bot.sqlite_client"):
        for _ in range(2):  # the next batch too: the connection is usable again
            await SqliteBatchWriter().write(Batch(COLUMNS, [], {customer.id}, {}, NOW))
    assert "could not be committed and is rolled back (IntegrityError)" in caplog.text
    assert not client()._connection._conn.in_transaction
    assert read(database, f"SELECT last_inbound_at FROM customer WHERE id = {customer.id}") is not None
    assert read(database, "SELECT count(*) FROM child") == 0


async def test_writes_reported_done_in_a_leftover_are_committed_by_the_group_commit(database: Path) -> None:
    customer = await Customer.create(channel="wechat", external_id="o1", created_at=NOW)
    await acknowledge_a_write_in_a_leftover_transaction("acknowledged")
    await SqliteBatchWriter().write(Batch(COLUMNS, [], {customer.id}, {}, NOW))
    assert read(database, "SELECT count(*) FROM customer WHERE external_id = 'acknowledged'") == 1


def test_a_leftover_that_cannot_commit_yet_stays_open_for_a_later_begin(tmp_path: Path) -> None:
    """Another connection reading holds the lock a COMMIT needs (a rollback journal): the leftover's
    writes are not rolled back for that, and commit once it lets go."""
    path = tmp_path / "journal.sqlite3"
    db, reader = sqlite3.connect(path, isolation_level=None, timeout=0), sqlite3.connect(path, isolation_level=None)
    try:
        db.execute("CREATE TABLE note (text TEXT)")
        db.execute("BEGIN")
        db.execute("INSERT INTO note VALUES ('reported written')")
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM note").fetchone()  # its shared lock: no COMMIT meanwhile
        with pytest.raises(sqlite3.OperationalError):
            settle_leftover_now(db)
        assert db.in_transaction
        reader.execute("COMMIT")
        settle_leftover_now(db)
        assert reader.execute("SELECT count(*) FROM note").fetchone()[0] == 1
    finally:
        db.close()
        reader.close()


@pytest.fixture
async def journal_database(tmp_path: Path):
    """The bot's SQLite engine on a file in rollback-journal mode, where another connection's read
    blocks a COMMIT (in WAL nothing does), with a short busy timeout (the wait is SQLite's own)."""
    path = tmp_path / "journal.sqlite3"
    config = tortoise_config(f"sqlite://{path}")
    config["connections"]["default"]["engine"] = "bot.sqlite_client"
    config["connections"]["default"]["credentials"].update(journal_mode="DELETE", busy_timeout=50)
    await Tortoise.init(config=config)
    await Tortoise.generate_schemas(safe=True)
    yield path
    await close_database()


async def test_a_leftover_still_busy_after_the_busy_timeout_is_a_retryable_outage_not_a_500(
        journal_database: Path) -> None:
    """Another process reads past the busy timeout, so the leftover cannot commit before the next
    transaction: that transaction fails with an error the web layer answers 503 with Retry-After (and
    the scheduler backs off from), never SQLite's own (a 500); the ORM's lock is free, and the writes
    reported written in the leftover are kept and committed by the next transaction once it can."""
    await acknowledge_a_write_in_a_leftover_transaction("acknowledged")
    other = sqlite3.connect(journal_database, isolation_level=None)
    try:
        other.execute("BEGIN")
        other.execute("SELECT count(*) FROM customer").fetchone()  # its shared lock: no COMMIT meanwhile
        with pytest.raises(Exception) as failure:
            await asyncio.wait_for(create_in_a_transaction("next"), 5)
        assert isinstance(failure.value, outages(None)), repr(failure.value)
        assert not client()._lock.locked()
        assert client()._connection._conn.in_transaction, "the writes reported written are not rolled back"
        other.execute("COMMIT")
        await asyncio.wait_for(create_in_a_transaction("next"), 5)
        assert other.execute("SELECT count(*) FROM customer WHERE external_id IN ('acknowledged', 'next')"
                             ).fetchone()[0] == 2
    finally:
        other.close()


async def create_alone(external_id: str) -> None:
    await Customer.create(channel="wechat", external_id=external_id, created_at=NOW)


async def create_in_a_transaction_on_a_message_path(external_id: str) -> None:
    token = SHORT_READS.set(True)  # the inline transaction: begun on the thread when the lock is held
    try:
        await create_in_a_transaction(external_id)
    finally:
        SHORT_READS.reset(token)


@pytest.mark.parametrize("write", [create_in_a_transaction, create_alone, create_in_a_transaction_on_a_message_path],
                         ids=["in a transaction", "alone", "in a message path's transaction"])
async def test_a_write_still_busy_after_the_busy_timeout_is_a_retryable_outage_not_a_500(
        journal_database: Path, write: Any) -> None:
    """Another process holds the write lock past the busy timeout: a transaction's statement (its BEGIN
    deferred, its first write waits on aiosqlite's thread) or a write alone failed with SQLite's own
    'database is locked' (a 500 on a web path); it is `DatabaseBusy`, an outage (503 with Retry-After,
    the scheduler's backoff), the ORM's lock free, and the write goes through once the lock is let go."""
    other = hold_the_write_lock(journal_database)
    try:
        with pytest.raises(Exception) as failure:
            await asyncio.wait_for(write("o_busy"), 5)
        assert isinstance(failure.value, outages(None)), repr(failure.value)
        assert not client()._lock.locked()
    finally:
        other.execute("ROLLBACK")
        other.close()
    await asyncio.wait_for(write("o_busy"), 5)
    assert read(journal_database, "SELECT count(*) FROM customer WHERE external_id = 'o_busy'") == 1


async def test_a_group_commit_still_busy_after_the_busy_timeout_is_an_outage_and_keeps_its_marks(
        journal_database: Path, caplog: pytest.LogCaptureFixture) -> None:
    """The group commit's batch, sent to aiosqlite's thread while another process holds the write lock,
    failed with SQLite's own error after the busy timeout: each caller got a 500, the batch was split and
    each part waited the busy timeout again, and the marks nobody waits for (a reply noted sent) were
    dropped, the row "pending" for good. Now the callers get `DatabaseBusy` at once (one wait), and the
    marks go with the next batch."""
    recorder = Recorder(FakeClock(NOW), SqliteBatchWriter())
    identity = await recorder.identify("wechat", "o_busy")
    replied, sent_later = (outbound_message("wechat", identity.conversation_id, text, "bot", NOW)
                           for text in ("您好", "请稍等"))
    await recorder.record([replied])
    other = hold_the_write_lock(journal_database)
    try:
        recorder.note_sent([replied.source_id])  # queued with the next caller's rows: one batch
        with caplog.at_level(logging.WARNING, "csbot.recorder"), pytest.raises(Exception) as failure:
            await asyncio.wait_for(recorder.record([sent_later]), 5)
        assert isinstance(failure.value, outages(None)), repr(failure.value)
        assert "writing its parts one by one" not in caplog.text
    finally:
        other.execute("ROLLBACK")
        other.close()
    await recorder.record([sent_later])
    status = "SELECT delivery_status FROM message WHERE source_id = '{}'"
    assert [read(journal_database, status.format(row.source_id)) for row in (replied, sent_later)] == [
        "sent", "pending"]


@pytest.mark.parametrize("query", ["SELECT locked_until FROM customer", "UPDATE customer SET busy = 1"],
                         ids=["a read", "a write"])
async def test_an_error_naming_a_lock_is_not_taken_for_a_busy_database(database: Path, query: str) -> None:
    """SQLite's busy error was told by the words "locked" or "busy" in any message, so a statement naming
    a column so (a fault of ours, say a migration not run) became `DatabaseBusy`: a 503 and the scheduler
    retrying for ever, the fault hidden. Only SQLite's busy and locked result codes are."""
    with pytest.raises(Exception) as failure:
        await client().execute_query(query)
    assert not isinstance(failure.value, outages(None)), repr(failure.value)
    assert "no such column" in str(failure.value)


async def test_marks_an_outage_left_for_the_next_batch_are_written_when_the_recorder_settles(
        journal_database: Path) -> None:
    """A reply noted sent in a batch the busy database failed waits for the next batch; at shutdown
    (`settle`, then `close`) none comes, and its row stayed "pending" for good though the database was
    back."""
    recorder = Recorder(FakeClock(NOW), SqliteBatchWriter())
    identity = await recorder.identify("wechat", "o_settle")
    replied = outbound_message("wechat", identity.conversation_id, "您好", "bot", NOW)
    await recorder.record([replied])
    other = hold_the_write_lock(journal_database)
    try:
        recorder.note_sent([replied.source_id])
        await asyncio.wait_for(recorder.settle(), 5)
    finally:
        other.execute("ROLLBACK")
        other.close()
    await recorder.close()
    status = f"SELECT delivery_status FROM message WHERE source_id = '{replied.source_id}'"
    assert read(journal_database, status) == "sent"


class SleepWatchingClock(FakeClock):
    """A FakeClock that tells the test when something waits on it (`asleep`)."""

    def __init__(self) -> None:
        super().__init__(NOW)
        self.asleep = asyncio.Event()

    async def sleep(self, seconds: float) -> None:
        self.asleep.set()
        await super().sleep(seconds)


async def a_reply_noted_sent_while_locked_out(
        journal_database: Path, clock: SleepWatchingClock) -> tuple[Recorder, MessageRecord, sqlite3.Connection]:
    """A recorder whose reply is stored and then noted sent while another connection holds SQLite's
    write lock (the outage): the recorder, the reply, and the connection holding the lock."""
    recorder = Recorder(clock, SqliteBatchWriter())
    identity = await recorder.identify("wechat", "o_stop")
    replied = outbound_message("wechat", identity.conversation_id, "您好，已为您登记", "bot", NOW)
    await recorder.record([replied])
    other = hold_the_write_lock(journal_database)
    recorder.note_sent([replied.source_id])
    return recorder, replied, other


@pytest.mark.parametrize("database_back", [True, False], ids=["back within the grace", "down past the grace"])
async def test_marks_an_outage_left_are_written_by_a_stop_that_waits_for_the_database(
        journal_database: Path, caplog: pytest.LogCaptureFixture, database_back: bool) -> None:
    """A reply noted sent while the database is down (busy past its timeout), then the worker stops: the
    stop's one more batch failed too and the mark was lost without a word, the row "pending" for good
    though the database came back a moment later. The stop now tries again for a few seconds of the
    clock; what it still cannot write is logged as counts, never the row or the customer's text."""
    clock = SleepWatchingClock()
    recorder, replied, other = await a_reply_noted_sent_while_locked_out(journal_database, clock)
    try:
        closing = asyncio.ensure_future(recorder.close())
        waiting = asyncio.ensure_future(clock.asleep.wait())
        await asyncio.wait_for(asyncio.wait({closing, waiting}, return_when=asyncio.FIRST_COMPLETED), 5)
        waiting.cancel()
        if database_back:
            other.execute("ROLLBACK")
        await clock.advance(CLOSE_GRACE_S)
        await asyncio.wait_for(closing, 5)
    finally:
        if other.in_transaction:
            other.execute("ROLLBACK")
        other.close()
    status = f"SELECT delivery_status FROM message WHERE source_id = '{replied.source_id}'"
    assert read(journal_database, status) == ("sent" if database_back else "pending")
    if not database_back:
        assert "stopped with 1 delivery mark(s) (sent 1) not written" in caplog.text
    assert replied.source_id not in caplog.text and "您好" not in caplog.text


async def test_a_stop_during_an_outage_lasts_its_grace_counting_its_first_try(
        journal_database: Path, caplog: pytest.LogCaptureFixture) -> None:
    """The stop's first try at the marks an outage left waits SQLite's busy timeout (5 s in production)
    before it fails; the grace was counted after it, so a stop lasted the busy timeout, the grace and a
    last try's wait, past what bot/server.py gives a stopping worker beside its channels' stop (whose
    background sends take up to 10 s of its 15). Here the first try takes the whole grace on the clock:
    the stop ends after it, logging what stays unwritten."""
    clock = SleepWatchingClock()
    recorder, _, other = await a_reply_noted_sent_while_locked_out(journal_database, clock)
    try:
        closing = asyncio.ensure_future(recorder.close())
        await asyncio.sleep(0)  # the stop has begun, its first try waiting on SQLite's lock
        await clock.advance(CLOSE_GRACE_S)  # the try's wait is the whole grace
        done, _ = await asyncio.wait({closing}, timeout=5)
        assert done, "the stop goes on trying past its grace"
        await closing
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert not clock.asleep.is_set()  # no pause for another try
    assert "stopped with 1 delivery mark(s) (sent 1) not written" in caplog.text
