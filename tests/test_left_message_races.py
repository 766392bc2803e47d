"""Two copies of one 留言 handled at the same moment write one row, and both copies tell the customer
the promise that row holds (docs/handoff-sla.md "A 留言 sent again"). Each copy's INSERT checks for an
open 留言 of the text in the same statement, but on PostgreSQL (READ COMMITTED) it sees what was
committed when it began: a copy whose write was not yet committed passed the check, and a second row
was written. The table's unique key (models/handoff.py `OpenLeftMessageKey`) refuses it now.

The race on real PostgreSQL: the other copy's transaction holds its write (the 留言 and, when it left the
queue, the conversation) while ours is sent, then commits (tests/test_escalation_races.py). The key
itself, and a database from before it, on both databases."""

from __future__ import annotations

import importlib
from datetime import timedelta

import pytest
from tortoise import connections
from tortoise.exceptions import IntegrityError

from bot.db import close_database, migration_files, open_database
from handlers.handoff import reads
from handlers.handoff.queue import Queue
from models.conversation import Conversation
from models.customer import Customer
from models.handoff import OPEN_LEFT_MESSAGE_KEY, LeftMessage
from tests.test_escalation_races import beside_another_writer, other_writer
from tests.test_handoff_reads import NOW, Services

__all__ = ["other_writer"]  # the fixture: a second PostgreSQL connection, another worker

TEXT = "麻烦尽快帮我处理退款，电话13800000000"
#: What the other copy was told: its promise, a minute before the one ours computed.
THEIRS, OURS = NOW + timedelta(minutes=30), NOW + timedelta(minutes=31)
#: The other copy's 留言, and with it (when queued) the conversation leaving the queue, as its statement does.
OTHER_COPY = ("WITH left_message_row AS (INSERT INTO left_message (conversation_id, text, promised_by, created_at) "
              "VALUES ($1, $2, $3, $4)) UPDATE conversation SET status = 'bot' WHERE id = $1 AND status = 'queued'")


async def a_conversation(status: str, key: str = "wechat:c") -> Conversation:
    customer = await Customer.create(channel="wechat", external_id=key, created_at=NOW)
    return await Conversation.create(key=key, customer=customer, channel="wechat", opened_at=NOW, status=status,
                                     queued_at=NOW if status == "queued" else None)


async def test_two_copies_leaving_the_queue_at_once_write_one_left_message_and_tell_one_promise(
        other_writer, migrated_postgres_url: str) -> None:
    row = await a_conversation("queued")
    left, kept = await beside_another_writer(
        other_writer, migrated_postgres_url, Queue(Services()).leave_queue_with_message(row.id, TEXT, OURS, NOW),
        OTHER_COPY, row.id, TEXT, THEIRS, NOW)
    assert await LeftMessage.filter(conversation_id=row.id).count() == 1
    assert left is None  # the other copy took it out of the queue
    assert kept == THEIRS  # what the row holds, not this copy's fresh promise
    assert (await Conversation.get(id=row.id)).status == "bot"


async def test_two_copies_while_not_queued_write_one_left_message_and_tell_one_promise(
        other_writer, migrated_postgres_url: str) -> None:
    """The 留言 alone (`Handoff.leave_message` for a conversation the store says no queue holds), then the
    promise read by a statement of its own."""
    row = await a_conversation("bot")
    await beside_another_writer(other_writer, migrated_postgres_url,
                                reads.record_left_message(row.id, TEXT, OURS, NOW), OTHER_COPY, row.id, TEXT,
                                THEIRS, NOW)
    assert await LeftMessage.filter(conversation_id=row.id).count() == 1
    assert await Queue.promise_kept(row.id, TEXT, OURS) == THEIRS


async def test_the_database_keeps_one_open_left_message_of_a_text_per_conversation(database: None) -> None:
    """Whoever writes it. A done 留言 and an erased one (handlers/archive/erase.py empties every text of the
    person, open ones too) are outside the key; a long text is keyed too (PostgreSQL: by its md5)."""
    row, other = await a_conversation("bot"), await a_conversation("bot", "wechat:d")
    long_text = "我的订单一直没有发货，" * 300  # 3,300 characters, 9.9 kB in UTF-8
    for text in (TEXT, long_text):
        await LeftMessage.create(conversation_id=row.id, text=text, promised_by=NOW, created_at=NOW)
        with pytest.raises(IntegrityError):
            await LeftMessage.create(conversation_id=row.id, text=text, promised_by=OURS, created_at=NOW)
        await LeftMessage.create(conversation_id=other.id, text=text, promised_by=NOW, created_at=NOW)
    await LeftMessage.filter(conversation_id=row.id, text=TEXT).update(done_at=NOW)
    await LeftMessage.create(conversation_id=row.id, text=TEXT, promised_by=OURS, created_at=NOW)
    assert await LeftMessage.filter(conversation_id=row.id, text=TEXT).count() == 2
    await LeftMessage.filter(conversation_id=row.id).update(text="")  # the person erased: two open, no text
    assert await LeftMessage.filter(conversation_id=row.id, text="", done_at=None).count() == 2


@pytest.fixture(params=["sqlite", "postgres"])
def empty_database_url(request: pytest.FixtureRequest, tmp_path) -> str:
    """A database with no schema yet: a new SQLite file, a new PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite://{tmp_path / 'bot.sqlite3'}"
    return request.getfixturevalue("fresh_postgres_url")


async def test_a_database_from_before_the_key_closes_its_copies_and_gets_it(empty_database_url: str) -> None:
    """SQLite: a file with the schema from before the key (its index dropped); PostgreSQL: migrated from
    empty, then the key's migration undone by its own downgrade. Copies written then are closed at the
    next start, all but the first of each text in each conversation, and the key holds from then on."""
    url = empty_database_url
    await open_database(url)
    try:
        client = connections.get("default")
        if url.startswith("sqlite"):
            await client.execute_script(f'DROP INDEX "{OPEN_LEFT_MESSAGE_KEY}";')
        else:
            [keyed] = [name for name in migration_files() if name.endswith("_left_message_open_text.py")]
            migration = importlib.import_module(f"models.migrations.models.{keyed.removesuffix('.py')}")
            assert OPEN_LEFT_MESSAGE_KEY in await migration.upgrade(client), keyed  # the key's migration
            await client.execute_script(await migration.downgrade(client))
            await client.execute_query("DELETE FROM aerich WHERE version = $1", [keyed])
        row, other = await a_conversation("bot"), await a_conversation("bot", "wechat:d")
        written = [(row.id, TEXT, None), (row.id, TEXT, None), (row.id, "别的事", None), (row.id, TEXT, None),
                   (row.id, TEXT, NOW), (other.id, TEXT, None), (row.id, "", None), (row.id, "", None)]
        ids = [(await LeftMessage.create(conversation_id=conversation_id, text=text, promised_by=NOW,
                                         created_at=NOW + timedelta(seconds=n), done_at=done_at)).id
               for n, (conversation_id, text, done_at) in enumerate(written)]
    finally:
        await close_database()
    await open_database(url)
    try:
        done = dict(await LeftMessage.filter(id__in=ids).values_list("id", "done_at"))
        assert [done[i] for i in ids] == [None, NOW + timedelta(seconds=1), None, NOW + timedelta(seconds=3), NOW,
                                          None, None, None]
        with pytest.raises(IntegrityError):
            await LeftMessage.create(conversation_id=row.id, text=TEXT, promised_by=NOW, created_at=NOW)
    finally:
        await close_database()
