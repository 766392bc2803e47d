#!/usr/bin/env bash
# The test command: install what is missing, start the services, run pytest with the arguments
# given (e.g. `bash .ci/test.sh tests/test_store_contract.py -q`). URLs already set are kept.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export TEST_POSTGRES_URL="${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"
export TEST_REDIS_URL="${TEST_REDIS_URL:-redis://127.0.0.1:6379/0}"

bash .ci/install.sh
bash .ci/services.sh

# Python's bytecode cache, and pytest's cache of rewritten test modules, even where the environment
# turns them off (PYTHONDONTWRITEBYTECODE=1): without them every xdist worker and every child
# process compiles the application and the test modules again (collection: 12.7 s of CPU instead
# of 4.9 s per worker). Both caches are checked against the sources' times and sizes.
unset PYTHONDONTWRITEBYTECODE

# Two pytest workers per core (pytest-xdist) unless the arguments choose (`-n 1`, `-p no:xdist`) or
# TEST_WORKERS is set. Many tests wait rather than compute (a `serve` starting in another process,
# PostgreSQL copying a database, Chromium drawing), so a second worker per core fills those waits: on
# the 2-core CI machine, quiet, four workers ran the suite in 181 s of pytest time against 238 s for
# two, for no more CPU (each worker's own start-up, about 5 s, is paid back many times). Parallel
# tests never meet: each has its own SQLite file, PostgreSQL database (one test at a time; emptied
# and reused by the worker's next), Redis key prefix and temp directory; each worker its own
# Chromium (only half the workers get browser tests: tests/browser_workers.py); the schemas are made
# once per run and copied (tests/run_shared.py).
# Tests go to the workers two at a time as they finish (`--maxschedchunk 1`): by default xdist's
# `load` first deals each worker a run of consecutive tests (an eighth of the suite each), and
# `worksteal` a contiguous half, so every long module tests/conftest.py puts first would land on
# the first worker, one after the other, while the others ran the short tests.
workers=(-n "${TEST_WORKERS:-$((2 * $(nproc)))}" --maxschedchunk 1)
for arg in "$@"; do
    case $arg in -n | -n* | --numprocesses* | no:xdist) workers=() ;; esac
done
exec .venv/bin/python -m pytest "${workers[@]}" "$@"
