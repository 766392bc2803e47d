"""What a killed test run leaves (its directory, its PostgreSQL databases, its Redis keys) is removed by the
next run's start, and nothing of a run still going is (tests/run_shared.py, tests/databases.py,
tests/redis_keys.py); a run's end deletes its own Redis keys.

Other runs share the servers, and each one's start removes what killed runs left: a killed run's leftovers
made here may go by another run's start before this test's clean-up runs, so the tests check that they are
gone, not who removed them, and check what must be kept on runs still going (this one, a child process's).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg
import redis

from tests.databases import drop_database, drop_leftover_databases, left_behind, new_database
from tests.fakes.bot_app import make_settings
from tests.redis_keys import delete_leftover_keys, delete_run_keys, owner_of, run_key_prefix
from tests.run_shared import owner_alive, owner_of_process, remove_leftover_directories, run_directory, run_owner


def gone_owner() -> str:
    """The owner token of a process that has ended (its pid with a start time no process has)."""
    child = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return f"{child.stdout.strip()}_0"


@contextmanager
def other_run() -> Iterator[subprocess.Popen[bytes]]:
    """Another run going on: a child process (`owner_of_process`), killed at the latest on leaving."""
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        yield child
    finally:
        child.kill()
        child.wait()


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
        await drop_leftover_databases(postgres_url)
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
        assert not left_behind(name, age_s=None, connected=0)  # being dropped by another run: its files gone
    assert not left_behind("csbot_bench_4242_1700000000", age_s=7200, connected=0)  # not the suite's
    assert not left_behind("test", age_s=7200, connected=0)


def test_a_test_bots_redis_keys_are_named_by_its_run(tmp_path: Path) -> None:
    """Every test bot had a prefix of its own that named no run: nothing could tell a finished run's keys
    (the deadlines' sets and the store's epoch never expire) from a running one's, and none were deleted."""
    prefix = make_settings(tmp_path).redis_key_prefix
    assert owner_of(f"{prefix}:store-epoch") == run_owner()


def test_a_runs_redis_keys_are_deleted_at_its_end_and_a_killed_ones_at_the_next_start(redis_url: str) -> None:
    gone = gone_owner()
    with redis.Redis.from_url(redis_url) as client, other_run() as other:
        ended, others, running = (f"{run_key_prefix(owner)}:due:daily"
                                  for owner in (gone, owner_of_process(other.pid), run_owner()))
        old_idle, old_fresh = (f"csbot-test-{'0' * 9}{digit}:store-epoch" for digit in "12")
        for key in (ended, others, running, old_fresh):
            client.zadd(key, {"2026-11-29": 1.0})
        client.restore(old_idle, 0, client.dump(running), idletime=7200)  # untouched for two hours
        try:
            delete_run_keys(redis_url, gone)  # the run's end: its own keys only
            assert [client.exists(key) for key in (ended, others, running)] == [0, 1, 1]
            delete_leftover_keys(redis_url)  # the next run's start, the other run still going
            assert [client.exists(key) for key in (others, running, old_idle, old_fresh)] == [1, 1, 0, 1]
            other.kill()
            other.wait()
            delete_leftover_keys(redis_url)  # the other run killed
            assert [client.exists(key) for key in (others, running)] == [0, 1]
        finally:
            client.delete(ended, others, running, old_idle, old_fresh)
