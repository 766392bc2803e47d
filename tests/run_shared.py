"""What one test run makes once and every pytest-xdist worker shares: the SQLite schema file and the
migrated PostgreSQL database that tests' databases are copied from.

Each worker used to make its own (a child process importing the bot and applying the schema, twice
per worker: a few seconds of CPU each time, four workers at once at the start of the run). Now the
first worker to ask makes it under a file lock while the others wait, in a directory of the run's own
(`CSBOT_TEST_RUN_DIR`, made by the controlling process, or by pytest itself without xdist, and given
to the workers through the environment). The controlling process drops the database and removes the
directory when the run ends (`finish_run`).

A run killed before `finish_run` (SIGTERM, SIGKILL, a closed terminal) leaves its directory and its
databases behind: the run's owner (the process that made the directory: its pid and start time,
`run_owner`) is in the directory's name and the databases' (tests/databases.py), and the next run
removes what belongs to an owner no longer running (`start_run`, `owner_alive`).
"""

from __future__ import annotations

import atexit
import fcntl
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

RUN_DIRECTORY = "CSBOT_TEST_RUN_DIR"
RUN_OWNER = "CSBOT_TEST_RUN_OWNER"
_PREFIX = "csbot-test-run-"
_OWNED_DIRECTORY = re.compile(re.escape(_PREFIX) + r"(\d+_\d+)-\w+")
#: A run directory of the older naming (no owner in it) is left behind once this old.
_UNOWNED_AFTER_S = 3600


def start_run() -> None:
    """The run's directory, made by the process that owns the run (not by an xdist worker), after
    removing the directories that runs no longer running left."""
    os.environ[RUN_OWNER] = _process_token(os.getpid())
    remove_leftover_directories()
    os.environ[RUN_DIRECTORY] = tempfile.mkdtemp(prefix=f"{_PREFIX}{os.environ[RUN_OWNER]}-")


def run_directory() -> Path:
    """The run's directory; a process outside a pytest run (a bench using tests/fakes) gets one of its
    own, removed when it exits."""
    if RUN_DIRECTORY not in os.environ:
        start_run()
        atexit.register(shutil.rmtree, os.environ[RUN_DIRECTORY], True)
    return Path(os.environ[RUN_DIRECTORY])


def run_owner() -> str:
    """`<pid>_<start time>` of the process owning the run (a pid alone could be a later process's)."""
    run_directory()
    return os.environ[RUN_OWNER]


def owner_alive(owner: str) -> bool:
    """Whether the process `run_owner` named is still running (unknown counts as running)."""
    pid = int(owner.split("_")[0])
    try:
        return _process_token(pid) == owner
    except FileNotFoundError:
        return False
    except OSError:
        return True


def owner_of_process(pid: int) -> str:
    """The owner token (`run_owner`'s form) of running process `pid`."""
    return _process_token(pid)


def _process_token(pid: int) -> str:
    """Pid and start time (clock ticks since boot, field 22 of /proc/<pid>/stat); FileNotFoundError
    when no such process runs."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    if fields[0] in ("Z", "X"):
        raise FileNotFoundError(pid)
    return f"{pid}_{fields[19]}"


def remove_leftover_directories() -> None:
    for directory in Path(tempfile.gettempdir()).glob(f"{_PREFIX}*"):
        owned = _OWNED_DIRECTORY.fullmatch(directory.name)
        try:
            age = time.time() - directory.stat().st_mtime
        except OSError:
            continue
        if not owner_alive(owned.group(1)) if owned else age > _UNOWNED_AFTER_S:
            shutil.rmtree(directory, ignore_errors=True)


def made_once(name: str, make: Callable[[], object]) -> None:
    """Call `make` unless a process of this run already did: the first to ask makes it, the others wait
    for the lock. A `make` that raised left no mark, so the next to ask tries again (and fails alike)."""
    directory = run_directory()
    done = directory / f"{name}.done"
    with (directory / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            make()
            done.touch()


def finish_run(drop_schema_database: Callable[[], object]) -> None:
    """Drop the run's PostgreSQL database if a worker made it, and remove the run's directory."""
    directory = run_directory()
    try:
        if (directory / "postgres-schema.done").exists():
            drop_schema_database()
    finally:
        shutil.rmtree(directory, ignore_errors=True)
        del os.environ[RUN_DIRECTORY]
