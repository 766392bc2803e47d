"""The SLA events' indexes (models/handoff.py, migration 9): the teaching review's subquery (the conversations an
agent served) reads the (agent, conversation) index and the supervisor's summary of today's events the index
by time, on both databases, on a fresh database and on one from before them (SQLite: a file without them,
which the next start completes; PostgreSQL: migration 9 undone by its own downgrade and its row in aerich's
table deleted, then the next start). Before, both read every row of the table.
"""

from __future__ import annotations

import importlib

from tortoise import connections
from tortoise.functions import Count
from tortoise.queryset import QuerySet, ValuesQuery
from tortoise.transactions import in_transaction

from bot.db import close_database, migration_files, open_database
from handlers.teaching.api import _reviewable
from models.agent import Agent
from models.handoff import SLA_EVENT_AGENT_INDEX, SLA_EVENT_AT_INDEX, SlaEvent
from tests.table_indexes import table_indexes
from tests.test_handoff_reads import NOW
from tests.test_left_message_races import empty_database_url

__all__ = ["empty_database_url"]  # the fixture: a new SQLite file, a new PostgreSQL database

[MIGRATION] = [name for name in migration_files() if name.endswith("_sla_event_indexes.py")]


async def plan(url: str, query: QuerySet | ValuesQuery) -> str:
    """The query plan of `query` as the ORM sends it (its parameters bound: `sql(params_inline=True)` leaves a
    subquery's out)."""
    query._choose_db_if_not_chosen()
    query._make_query()
    sql, params = query.query.get_parameterized_sql()
    if url.startswith("sqlite"):
        rows = await connections.get("default").execute_query_dict(f"EXPLAIN QUERY PLAN {sql}", params)
        return " ".join(row["detail"] for row in rows)
    async with in_transaction() as transaction:  # an empty table: the planner must not prefer a scan
        await transaction.execute_script("SET LOCAL enable_seqscan = off")
        rows = await transaction.execute_query_dict(f"EXPLAIN {sql}", params)
    return " ".join(row["QUERY PLAN"] for row in rows)


async def review_plan(url: str) -> str:
    """The plan of an agent's review as `_reviewable` builds it (the subquery of the events naming them)."""
    return await plan(url, _reviewable(Agent(id=7, role="agent")))


async def summary_plan(url: str) -> str:
    """The plan of the supervisor's summary of today's events (handlers/handoff/views.py `supervisor_summary`)."""
    today = SlaEvent.filter(at__gte=NOW).group_by("kind", "within").annotate(n=Count("id")).values(
        "kind", "within", "n")
    return await plan(url, today)


async def assert_indexed(url: str) -> None:
    indexes = await table_indexes(url, "sla_event")
    assert set(indexes) == {SLA_EVENT_AGENT_INDEX, SLA_EVENT_AT_INDEX}
    assert indexes[SLA_EVENT_AGENT_INDEX].replace('"', "").endswith("(agent_id, conversation_id)")
    assert indexes[SLA_EVENT_AT_INDEX].replace('"', "").endswith("(at)")
    review = await review_plan(url)
    assert SLA_EVENT_AGENT_INDEX in review, review
    if url.startswith("sqlite"):  # the subquery reads the index alone
        assert f"COVERING INDEX {SLA_EVENT_AGENT_INDEX}" in review, review
    summary = await summary_plan(url)
    assert SLA_EVENT_AT_INDEX in summary, summary


async def test_a_fresh_database_has_the_indexes_and_the_review_uses_them(empty_database_url: str) -> None:
    url = empty_database_url
    await open_database(url)
    try:
        await assert_indexed(url)
    finally:
        await close_database()


async def test_a_database_from_before_the_indexes_gets_them_at_the_next_start(empty_database_url: str) -> None:
    url = empty_database_url
    await open_database(url)
    try:
        client = connections.get("default")
        if url.startswith("sqlite"):  # the schema as it was: no index on the events
            await client.execute_script(f'DROP INDEX "{SLA_EVENT_AGENT_INDEX}"; DROP INDEX "{SLA_EVENT_AT_INDEX}";')
        else:
            migration = importlib.import_module(f"models.migrations.models.{MIGRATION.removesuffix('.py')}")
            await client.execute_script(await migration.downgrade(client))
            await client.execute_query("DELETE FROM aerich WHERE version = $1", [MIGRATION])
        assert await table_indexes(url, "sla_event") == {}
        assert SLA_EVENT_AGENT_INDEX not in await review_plan(url)
    finally:
        await close_database()
    for _ in range(2):  # the start that adds the indexes, and one after it
        await open_database(url)
        try:
            await assert_indexed(url)
        finally:
            await close_database()
