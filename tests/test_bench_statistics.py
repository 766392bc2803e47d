"""What `bench/webhook.py --production` measures of PostgreSQL: the plans production runs, and every
backend's CPU counted once.

The group commit's statement (bot/batch_writer.py) is prepared once per connection; PostgreSQL keeps the
generic plan it made on the bench's then empty `message` table until the table's statistics change, which
autovacuum did, or did not, inside a 40 s run. The bench analyzes the database after its warm-up, as
autovacuum keeps a production one.
"""

from __future__ import annotations

import subprocess
import sys

import asyncpg

from bench.webhook import CpuOfProcesses, analyze_database
from bot.batch_writer import postgres_batch_statement
from bot.recorder import COLUMNS

#: `EXPLAIN EXECUTE` of the prepared batch: every parameter NULL (the generic plan does not look at them).
EXPLAIN_BATCH = f"EXPLAIN EXECUTE batch({', '.join(['NULL'] * (len(COLUMNS) + 5))})"


async def batch_plan(connection: asyncpg.Connection) -> str:
    return "\n".join(row[0] for row in await connection.fetch(EXPLAIN_BATCH))


def marks_found_by_index(plan: str) -> bool:
    """Whether the delivery marks' rows are looked up by their source_id in an index, rather than every
    message read and compared with the marks (a join filter)."""
    return "Index Cond: ((source_id)::text = (mark.source_id)::text)" in plan and "Join Filter" not in plan


async def test_the_batch_marks_by_index_once_the_bench_took_statistics(migrated_postgres_url: str) -> None:
    connection = await asyncpg.connect(migrated_postgres_url)
    try:
        await connection.execute("SET plan_cache_mode = force_generic_plan")  # as a busy worker's, after 5 runs
        await connection.execute(f"PREPARE batch AS {postgres_batch_statement(COLUMNS)}")
        empty_table_plan = await batch_plan(connection)  # made now, on the empty table, and kept
        await connection.execute(
            "WITH who AS (INSERT INTO customer (channel, external_id, created_at, is_vip, opted_out) "
            "VALUES ('wechat', 'o-plan', now(), false, false) RETURNING id), "
            "talk AS (INSERT INTO conversation (\"key\", customer_id, channel, opened_at, status, priority, "
            "holding_sent, lapsed_agents) SELECT 'wechat:o-plan', id, 'wechat', now(), 'bot', 0, 0, '[]' FROM who "
            "RETURNING id) "
            "INSERT INTO message (conversation_id, channel, direction, kind, text, source_id, author, created_at, "
            "delivery_status) SELECT talk.id, 'wechat', CASE WHEN n % 2 = 0 THEN 'in' ELSE 'out' END, 'text', "
            "'你好', 'm' || n, 'customer', now(), 'sent' FROM talk, generate_series(1, 20000) AS n")
        grown_plan = await batch_plan(connection)
        assert await analyze_database(migrated_postgres_url) == 20000
        analyzed_plan = await batch_plan(connection)
    finally:
        await connection.close()
    # the bench's artefact: 20,000 rows later, every batch still compares each message with each mark
    assert not marks_found_by_index(empty_table_plan) and not marks_found_by_index(grown_plan)
    assert "Join Filter: ((message_1.source_id)::text = (mark.source_id)::text)" in grown_plan
    # with statistics (a production database's), each mark finds its row through the source_id index
    assert marks_found_by_index(analyzed_plan)

def test_a_backend_that_ended_between_two_probes_keeps_the_cpu_it_was_seen_with() -> None:
    # a process that uses some CPU, says so, and ends when its input closes
    busy = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\n"
         "end = time.process_time() + 0.1\n"
         "while time.process_time() < end: pass\n"
         "print('busy', flush=True)\nsys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert busy.stdout.readline() == "busy\n"
        tally = CpuOfProcesses()
        seen = tally.total([busy.pid])
        assert seen > 0.02  # /proc counts in clock ticks, sampled: less exact than the process's own clock
    finally:
        busy.communicate("", timeout=30)
    assert tally.total([]) == seen  # ended, no longer listed: its CPU stays in the total
    assert tally.total([busy.pid]) == seen  # nor does its pid, read after it ended, take it away
