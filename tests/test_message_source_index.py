"""The outbound rows' `source_id` index (models/message.py `OutboundSourceIndex`, migration 8): the delivery
marks' UPDATE, the only statement that looks a message up by `source_id` alone, goes through it on both
databases, and the index on every row it replaced is gone, on a fresh database and on one from before it
(SQLite: a file with the old index, which the next start drops; PostgreSQL: migration 8 undone by its own
downgrade and its row in aerich's table deleted, then the next start). A mark still reaches its row.
"""

from __future__ import annotations

import importlib
from datetime import timedelta

from tortoise import connections
from tortoise.transactions import in_transaction

from bot.batch_writer import Batch, postgres_batch_statement
from bot.db import batch_writer, close_database, migration_files, open_database
from bot.recorder import COLUMNS, MessageRecord
from models.conversation import Conversation
from models.customer import Customer
from models.message import ALL_ROWS_SOURCE_INDEX, OUTBOUND_SOURCE_INDEX, Message
from tests.table_indexes import table_indexes
from tests.test_handoff_reads import NOW
from tests.test_left_message_races import empty_database_url

__all__ = ["empty_database_url"]  # the fixture: a new SQLite file, a new PostgreSQL database

[MIGRATION] = [name for name in migration_files() if name.endswith("_message_source_out_index.py")]


async def marks_plan(url: str) -> str:
    """The query plan of the delivery marks' UPDATE as the batch writer sends it."""
    client = connections.get("default")
    if url.startswith("sqlite"):
        rows = await client.execute_query_dict(
            "EXPLAIN QUERY PLAN UPDATE message SET delivery_status = ?, failure_reason = ?, sent_at = ? "
            "WHERE direction = 'out' AND source_id IN (?, ?)", ["sent", None, NOW, "a", "b"])
        return " ".join(row["detail"] for row in rows)
    statement = postgres_batch_statement(COLUMNS)
    values = [[] for _ in COLUMNS] + [NOW, [], ["a", "b"], ["sent", "sent"], [None, None]]
    async with in_transaction() as transaction:  # an empty table: the planner must not prefer a scan
        await transaction.execute_script("SET LOCAL enable_seqscan = off")
        rows = await transaction.execute_query_dict(f"EXPLAIN {statement}", values)
    return " ".join(row["QUERY PLAN"] for row in rows)


async def a_reply_marked_sent(url: str) -> str:
    """An inbound and an outbound row written by a group commit, then the outbound one marked sent by the next:
    the outbound row's status."""
    customer = await Customer.create(channel="wechat", external_id="o1", created_at=NOW)
    conversation = await Conversation.create(key="wechat:o1", customer=customer, channel="wechat", opened_at=NOW,
                                             status="bot")
    rows = [MessageRecord(conversation.id, "wechat", direction, "text", "你好", "m1", "bot", NOW,
                          "received" if direction == "in" else "pending") for direction in ("in", "out")]
    writer = batch_writer(url)
    await writer.write(Batch(COLUMNS, rows, set(), {}, NOW))
    await writer.write(Batch(COLUMNS, [], set(), {("sent", None): ["m1"]}, NOW + timedelta(seconds=1)))
    statuses = dict(await Message.filter(conversation_id=conversation.id).values_list("direction", "delivery_status"))
    assert statuses["in"] == "received"  # the inbound row of the same source id is not the mark's
    return statuses["out"]


async def test_the_marks_use_the_outbound_index_on_a_fresh_database(empty_database_url: str) -> None:
    url = empty_database_url
    await open_database(url)
    try:
        indexes = await table_indexes(url, "message")
        assert ALL_ROWS_SOURCE_INDEX not in indexes
        assert "'out'" in indexes[OUTBOUND_SOURCE_INDEX] and "source_id" in indexes[OUTBOUND_SOURCE_INDEX]
        assert OUTBOUND_SOURCE_INDEX in await marks_plan(url)
        assert await a_reply_marked_sent(url) == "sent"
    finally:
        await close_database()


async def test_a_database_from_before_the_index_gets_it_at_the_next_start(empty_database_url: str) -> None:
    url = empty_database_url
    await open_database(url)
    try:
        client = connections.get("default")
        if url.startswith("sqlite"):  # the schema as it was: the index on every row
            await client.execute_script(f'DROP INDEX "{OUTBOUND_SOURCE_INDEX}"; '
                                        f'CREATE INDEX "{ALL_ROWS_SOURCE_INDEX}" ON "message" ("source_id");')
        else:
            migration = importlib.import_module(f"models.migrations.models.{MIGRATION.removesuffix('.py')}")
            await client.execute_script(await migration.downgrade(client))
            await client.execute_query("DELETE FROM aerich WHERE version = $1", [MIGRATION])
        assert set(await table_indexes(url, "message")) == {ALL_ROWS_SOURCE_INDEX}
    finally:
        await close_database()
    for _ in range(2):  # the start that changes the index, and one after it
        await open_database(url)
        try:
            assert set(await table_indexes(url, "message")) == {OUTBOUND_SOURCE_INDEX}
            assert OUTBOUND_SOURCE_INDEX in await marks_plan(url)
        finally:
            await close_database()
    await open_database(url)
    try:
        assert await a_reply_marked_sent(url) == "sent"
    finally:
        await close_database()
