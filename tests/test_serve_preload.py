"""`serve --workers 2` forks its workers with jieba's dictionary and the intent matcher already built in
the forkserver (bot/worker_preload.py): each worker's start-up line names the process that built the
matcher it uses. A matcher whose files changed since (here intents.yaml) is built again by the worker
that needs it, and a preload that fails (no intents file) only logs, without stopping anything.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import uuid
from pathlib import Path

from tests.test_serve_supervision import ROOT, Server, children, free_port, wait_for

OPENED = re.compile(r"worker (\d+) open after [\d.]+ s \([\d.]+ s CPU\); intent matcher built (.+)$", re.MULTILINE)


def serve_env(tmp_path: Path, redis_url: str, scripts_dir: Path, port: int) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", ""), "DATABASE_URL": f"sqlite://{tmp_path / 'bot.sqlite3'}",
        "BOT_PORT": str(port), "REDIS_URL": redis_url, "REDIS_KEY_PREFIX": f"csbot-test-{uuid.uuid4().hex[:10]}",
        "REFERRAL_SECRET": "x" * 32, "SERVE_SHUTDOWN_GRACE_S": "5", "SCRIPTS_DIR": str(scripts_dir),
    }


def opened(server: Server) -> dict[int, str]:
    """Worker pid -> where its intent matcher was built, from the workers' start-up lines."""
    return {int(pid): origin for pid, origin in OPENED.findall(server.log())}


def test_workers_start_with_the_forkservers_matcher_and_rebuild_it_for_changed_files(tmp_path, redis_url):
    scripts = tmp_path / "scripts_zh"
    shutil.copytree(ROOT / "scripts_zh", scripts)
    port = free_port()
    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as log_file:
        process = subprocess.Popen([sys.executable, "main.py", "serve", "--workers", "2"], cwd=ROOT,
                                   env=serve_env(tmp_path, redis_url, scripts, port), stdout=log_file,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    server = Server(process, log_path, port)
    try:
        wait_for("both workers ready", lambda: "2 of 2 workers ready" in server.log())
        first = server.ready_pids()
        [forkserver] = [pid for pid, command in children(process.pid).items() if "forkserver" in command]
        assert f"forkserver {forkserver}: jieba and the intent matcher built" in server.log(), server.log()
        origins = opened(server)
        assert {origins[pid] for pid in first.values()} == {f"before the fork (pid {forkserver})"}, server.log()

        with (scripts / "intents.yaml").open("a", encoding="utf-8") as intents:
            intents.write("\n# edited while serving\n")  # the next worker must not use the old file's matcher
        os.kill(first[0], signal.SIGKILL)
        replaced = wait_for("worker 0 replaced", lambda: server.ready_pids()[0] != first[0] and server.ready_pids())
        assert isinstance(replaced, dict)
        assert opened(server)[replaced[0]] == "in this worker", server.log()
        assert server.healthz() == 200
    finally:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(10)


def test_a_preload_that_fails_only_logs(tmp_path, redis_url):
    """What the forkserver runs at its start: with no intents file it logs the failure by its type
    (no path, no text of the file) and the forkserver goes on to fork workers that build their own."""
    empty = tmp_path / "no_scripts"
    empty.mkdir()
    result = subprocess.run([sys.executable, "-c", "import bot.worker_preload"], cwd=ROOT, capture_output=True,
                            text=True, env=serve_env(tmp_path, redis_url, empty, free_port()), timeout=120)
    assert result.returncode == 0, result.stderr
    assert "intent matcher not built before the fork (FileNotFoundError" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and str(empty) not in result.stderr, result.stderr
