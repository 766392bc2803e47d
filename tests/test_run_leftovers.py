"""What a killed test run leaves (its directory, its PostgreSQL databases, its Redis keys) is removed by the
next run's start, and nothing of a run still going is (tests/run_shared.py, tests/databases.py,
tests/redis_keys.py); a run's end deletes its own Redis keys."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import asyncpg
import redis

from tests.databases import drop_database, drop_leftover_databases, left_behind, new_database
from tests.fakes.bot_app import make_settings
from tests.redis_keys import delete_leftover_keys, delete_run_keys, owner_of, run_key_prefix
from tests.run_shared import owner_alive, remove_leftover_directories, run_directory, run_owner


def gone_owner() -> str:
    """The owner token of a process that has ended (its pid with a start time no process has)."""
    child = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return f"{child.stdout.strip()}_0"


def test_an_owner_is_alive_while_its_process_runs() -> None:
    assert owner_alive(run_owner())
    assert not owner_alive(gone_owner())


def test_a_killed_runs_directory_is_removed_and_a_running_ones_kept() -> None:
    left = Path(tempfile.mkdtemp(prefix=f"csbot-test-run-{gone_owner()}-"))
    (left / "schema.sqlite3").write_bytes(b"")
    remove_leftover_directories()
    assert not left.exists()
    assert run_directory().is_dir()


async def test_a_killed_runs_databases_are_dropped_and_a_running_ones_kept(postgres_url: str) -> None:
    left = await new_database(postgres_url, name=f"csbot_t{gone_owner()}_schema")
    kept = await new_database(postgres_url)  # this run's
    try:
        assert left in await drop_leftover_databases(postgres_url)
        admin = await asyncpg.connect(postgres_url)
        try:
            names = {row[0] for row in await admin.fetch("SELECT datname FROM pg_database")}
        finally:
            await admin.close()
        assert left not in names and kept in names
    finally:
        await drop_database(postgres_url, left)
        await drop_database(postgres_url, kept)


def test_databases_named_before_owners_are_dropped_only_when_old_and_unused() -> None:
    for name in ("csbot_0123456789ab", "csbot_fuzz_0123456789", "csbot_run_ab12_x9z"):
        assert left_behind(name, age_s=7200, connected=0)
        assert not left_behind(name, age_s=600, connected=0)
        assert not left_behind(name, age_s=7200, connected=1)
    assert not left_behind("csbot_bench_4242_1700000000", age_s=7200, connected=0)  # not the suite's
    assert not left_behind("test", age_s=7200, connected=0)


def test_a_test_bots_redis_keys_are_named_by_its_run(tmp_path: Path) -> None:
    """Every test bot had a prefix of its own that named no run: nothing could tell a finished run's keys
    (the deadlines' sets and the store's epoch never expire) from a running one's, and none were deleted."""
    prefix = make_settings(tmp_path).redis_key_prefix
    assert owner_of(f"{prefix}:store-epoch") == run_owner()


def test_a_runs_redis_keys_are_deleted_at_its_end_and_a_killed_ones_at_the_next_start(redis_url: str) -> None:
    gone, other_gone = gone_owner(), f"{gone_owner()}1"
    with redis.Redis.from_url(redis_url) as client:
        ended, killed, running = (f"{run_key_prefix(owner)}:due:daily" for owner in (gone, other_gone, run_owner()))
        old_idle, old_fresh = (f"csbot-test-{'0' * 9}{digit}:store-epoch" for digit in "12")
        for key in (ended, killed, running, old_fresh):
            client.zadd(key, {"2026-11-29": 1.0})
        client.restore(old_idle, 0, client.dump(running), idletime=7200)  # untouched for two hours
        try:
            assert delete_run_keys(redis_url, gone) == 1  # the run's end: its own keys only
            assert [client.exists(key) for key in (ended, killed, running)] == [0, 1, 1]
            delete_leftover_keys(redis_url)  # the next run's start
            assert [client.exists(key) for key in (killed, running, old_idle, old_fresh)] == [0, 1, 0, 1]
        finally:
            client.delete(ended, killed, running, old_idle, old_fresh)
