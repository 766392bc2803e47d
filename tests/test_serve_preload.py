"""`serve --workers 2` forks its workers with jieba's dictionary and the intent matcher already built in
the forkserver (bot/worker_preload.py). That the workers use the forkserver's matcher, and that a
replacement forked after intents.yaml changed builds its own, is checked on a server of
test_serve_supervision.py (each `serve` start is several seconds of CPU); here, a preload that fails
(no intents file) only logs, without stopping anything.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.redis_keys import run_key_prefix
from tests.test_serve_supervision import ROOT, free_port


def serve_env(tmp_path: Path, redis_url: str, scripts_dir: Path, port: int) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", ""), "DATABASE_URL": f"sqlite://{tmp_path / 'bot.sqlite3'}",
        "BOT_PORT": str(port), "REDIS_URL": redis_url, "REDIS_KEY_PREFIX": run_key_prefix(),
        "REFERRAL_SECRET": "x" * 32, "SERVE_SHUTDOWN_GRACE_S": "5", "SCRIPTS_DIR": str(scripts_dir),
    }


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
