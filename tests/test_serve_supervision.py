"""`main.py serve --workers 2` as production runs it: real processes, PostgreSQL, Redis.

The schema is applied once by the master before the workers start (a fresh PostgreSQL database used
to kill one of two workers racing to create it), every worker must be ready before the master says
so, a worker killed with SIGKILL is replaced, SIGTERM to the master stops every worker and its helpers,
the port keeps answering while a killed forkserver's workers are replaced, a worker whose master is
gone exits, and a worker failing at start-up stops the start instead of leaving a
smaller server running. The workers start with the intent matcher the forkserver built
(bot/worker_preload.py), and a replacement forked after intents.yaml changed builds its own (checked on
the first test's server: a `serve` start is several seconds of CPU; the failing preload is in
test_serve_preload.py). Each test polls the server's log and the process table, never sleeps blind.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import pytest

from tests.redis_keys import run_key_prefix

ROOT = Path(__file__).resolve().parent.parent
READY = re.compile(r"worker (\d+) ready \(pid (\d+)\)")
OPENED = re.compile(r"worker (\d+) open after [\d.]+ s \([\d.]+ s CPU\); intent matcher built (.+)$", re.MULTILINE)
pytestmark = pytest.mark.timeout(300)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def alive(pid: int) -> bool:
    """Running (a zombie waiting to be reaped by whoever adopted it counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")


def wait_for(what: str, condition: Callable[[], object], timeout: float = 120.0) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def fetchval(database_url: str, query: str) -> object:
    async def run() -> object:
        connection = await asyncpg.connect(database_url)
        try:
            return await connection.fetchval(query)
        finally:
            await connection.close()

    return asyncio.run(run())


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    log_path: Path
    port: int

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def ready_pids(self) -> dict[int, int]:
        """The latest pid reported ready for each worker slot."""
        return {int(slot): int(pid) for slot, pid in READY.findall(self.log())}

    def healthz(self) -> int:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=5) as response:
            return response.status

    def matchers_built(self) -> dict[int, str]:
        """Worker pid -> where its intent matcher was built, from the workers' start-up lines."""
        return {int(pid): origin for pid, origin in OPENED.findall(self.log())}


@contextmanager
def serve(
    tmp_path: Path, database_url: str, redis_url: str | None, workers: int = 2, scripts_dir: Path | None = None
) -> Iterator[Server]:
    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", ""), "DATABASE_URL": database_url, "BOT_PORT": str(port),
        "REDIS_KEY_PREFIX": run_key_prefix(), "REFERRAL_SECRET": "x" * 32,
        "SERVE_SHUTDOWN_GRACE_S": "5",
    }
    if redis_url:
        env["REDIS_URL"] = redis_url
    if scripts_dir:
        env["SCRIPTS_DIR"] = str(scripts_dir)
    log_path = tmp_path / f"serve-{port}.log"
    with log_path.open("wb") as log_file:
        process = subprocess.Popen([sys.executable, "main.py", "serve", "--workers", str(workers)], cwd=ROOT,
                                   env=env, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield Server(process, log_path, port)
    finally:
        try:
            os.killpg(process.pid, signal.SIGKILL)  # whatever a failed test left behind
        except ProcessLookupError:
            pass
        process.wait(10)


def children(pid: int) -> dict[int, str]:
    """The running children of `pid`, with their command lines."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            command = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if int(fields[1]) == pid and fields[0] not in ("Z", "X"):
            found[int(stat.parent.name)] = command
    return found


def test_fresh_postgres_two_workers_start_a_killed_one_is_replaced_and_sigterm_stops_all(
    tmp_path, fresh_postgres_url, redis_url
):
    scripts = tmp_path / "scripts_zh"
    shutil.copytree(ROOT / "scripts_zh", scripts)
    with serve(tmp_path, fresh_postgres_url, redis_url, scripts_dir=scripts) as server:
        wait_for("both workers ready", lambda: "2 of 2 workers ready" in server.log())
        first = server.ready_pids()
        assert sorted(first) == [0, 1] and all(alive(pid) for pid in first.values())
        assert "died" not in server.log() and "failed" not in server.log(), server.log()
        assert server.healthz() == 200
        assert fetchval(fresh_postgres_url, "SELECT count(*) FROM aerich") >= 1
        [forkserver] = [pid for pid, command in children(server.process.pid).items() if "forkserver" in command]
        assert f"forkserver {forkserver}: jieba and the intent matcher built" in server.log(), server.log()
        built = server.matchers_built()
        assert {built[pid] for pid in first.values()} == {f"before the fork (pid {forkserver})"}, server.log()

        with (scripts / "intents.yaml").open("a", encoding="utf-8") as intents:
            intents.write("\n# edited while serving\n")  # the next worker must not use the old file's matcher
        os.kill(first[0], signal.SIGKILL)
        replaced = wait_for("worker 0 replaced", lambda: server.ready_pids()[0] != first[0] and server.ready_pids())
        assert isinstance(replaced, dict) and alive(replaced[0]) and replaced[1] == first[1]
        assert server.matchers_built()[replaced[0]] == "in this worker", server.log()
        assert server.healthz() == 200
        helpers = list(children(server.process.pid))  # the forkserver and multiprocessing's resource tracker
        assert len(helpers) == 2, children(server.process.pid)

        server.process.send_signal(signal.SIGTERM)
        assert server.process.wait(60) == 0
        workers = [*first.values(), replaced[0]]
        wait_for("every worker gone", lambda: not any(alive(pid) for pid in workers), timeout=10)
        wait_for("the master's helpers gone", lambda: not any(alive(pid) for pid in helpers), timeout=10)
        # workers log with timestamp, level, pid and logger (they used to log nothing below WARNING)
        stamp = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}"
        line = rf"^{stamp} INFO \[{first[1]}\] csbot\.server msg=-: worker {first[1]} shutting down$"
        assert re.search(line, server.log(), re.MULTILINE), server.log()
        with pytest.raises(OSError):
            server.healthz()


def test_the_port_keeps_answering_when_the_forkserver_is_killed_and_workers_exit_with_their_master(
    tmp_path, redis_url
):
    """The forkserver's death reports its workers dead while they still run; they must keep serving
    until their replacements are ready, not all stop at once and leave the port unanswered. Then the
    master is killed (SIGKILL: no chance to stop anyone): its workers and helpers must exit by
    themselves. One server for both (a `serve` start is several seconds of CPU); SIGTERM's clean stop is
    checked by the first test."""
    with serve(tmp_path, f"sqlite://{tmp_path / 'bot.sqlite3'}", redis_url) as server:
        wait_for("both workers ready", lambda: "2 of 2 workers ready" in server.log())
        first = server.ready_pids()
        [forkserver] = [pid for pid, command in children(server.process.pid).items() if "forkserver" in command]
        os.kill(forkserver, signal.SIGKILL)
        failures = 0
        deadline = time.monotonic() + 120
        while set(server.ready_pids().values()) & set(first.values()) and time.monotonic() < deadline:
            try:
                server.healthz()
            except OSError:
                failures += 1
            time.sleep(0.1)
        replaced = server.ready_pids()
        assert not set(replaced.values()) & set(first.values()), server.log()
        # at most one connection caught in a retiring worker's accept queue (SO_REUSEPORT hashes it there)
        assert failures <= 1, (failures, server.log())
        assert server.healthz() == 200
        wait_for("the orphaned workers gone", lambda: not any(alive(pid) for pid in first.values()), timeout=30)
        assert all(alive(pid) for pid in replaced.values())
        helpers = list(children(server.process.pid))  # the new forkserver and the resource tracker
        assert len(helpers) == 2, children(server.process.pid)

        server.process.kill()
        server.process.wait(10)
        wait_for("orphaned workers gone", lambda: not any(alive(pid) for pid in replaced.values()), timeout=30)
        wait_for("the master's helpers gone", lambda: not any(alive(pid) for pid in helpers), timeout=30)


def test_a_worker_failing_at_start_up_stops_the_start(tmp_path):
    closed = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens: every worker fails opening the store
    with serve(tmp_path, f"sqlite://{tmp_path / 'bot.sqlite3'}", closed) as server:
        assert server.process.wait(120) == 1
        assert "failed at start-up" in server.log()
        started = [int(pid) for pid in re.findall(r"worker \d+ started \(pid (\d+)\)", server.log())]
        assert len(started) == 2
        wait_for("no worker left", lambda: not any(alive(pid) for pid in started), timeout=30)


def test_migrate_command_applies_the_schema_once(fresh_postgres_url, csbot):
    for _ in range(2):  # the second run finds nothing to do
        result = csbot("migrate", env={"DATABASE_URL": fresh_postgres_url})
        assert result.returncode == 0, result.stderr
        assert "schema up to date" in result.stdout
    assert fetchval(fresh_postgres_url, "SELECT to_regclass('public.message') IS NOT NULL")
