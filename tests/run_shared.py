"""What one test run makes once and every pytest-xdist worker shares: the SQLite schema file and the
migrated PostgreSQL database that tests' databases are copied from.

Each worker used to make its own (a child process importing the bot and applying the schema, twice
per worker: a few seconds of CPU each time, four workers at once at the start of the run). Now the
first worker to ask makes it under a file lock while the others wait, in a directory of the run's own
(`CSBOT_TEST_RUN_DIR`, made by the controlling process, or by pytest itself without xdist, and given
to the workers through the environment). The controlling process drops the database and removes the
directory when the run ends (`finish_run`).
"""

from __future__ import annotations

import atexit
import fcntl
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

RUN_DIRECTORY = "CSBOT_TEST_RUN_DIR"
_PREFIX = "csbot-test-run-"


def start_run() -> None:
    """The run's directory, made by the process that owns the run (not by an xdist worker)."""
    os.environ[RUN_DIRECTORY] = tempfile.mkdtemp(prefix=_PREFIX)


def run_directory() -> Path:
    """The run's directory; a process outside a pytest run (a bench using tests/fakes) gets one of its
    own, removed when it exits."""
    if RUN_DIRECTORY not in os.environ:
        start_run()
        atexit.register(shutil.rmtree, os.environ[RUN_DIRECTORY], True)
    return Path(os.environ[RUN_DIRECTORY])


def postgres_schema_name() -> str:
    """The run's migrated PostgreSQL database (named after the run's directory: runs never meet)."""
    return "csbot_run_" + run_directory().name.removeprefix(_PREFIX)


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


def finish_run(drop_database: Callable[[str], object]) -> None:
    """Drop the run's PostgreSQL database if a worker made it, and remove the run's directory."""
    directory = run_directory()
    try:
        if (directory / "postgres-schema.done").exists():
            drop_database(postgres_schema_name())
    finally:
        shutil.rmtree(directory, ignore_errors=True)
        del os.environ[RUN_DIRECTORY]
