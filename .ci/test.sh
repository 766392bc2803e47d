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

# One pytest worker per core (pytest-xdist) unless the arguments choose (`-n 1`, `-p no:xdist`) or
# TEST_WORKERS is set. Parallel tests never meet: each has its own SQLite file, PostgreSQL
# database, Redis key prefix and temp directory; each worker its own schema copies and Chromium.
# xdist's default `load` schedule, not `worksteal`: `load` deals the first quarter of the tests one
# by one to the workers in turn, so the long modules tests/conftest.py puts first are spread over
# every worker; `worksteal` gives each worker a contiguous half, so one worker would run every long
# module in a row while the others run the short tests.
workers=(-n "${TEST_WORKERS:-auto}")
for arg in "$@"; do
    case $arg in -n | -n* | --numprocesses* | no:xdist) workers=() ;; esac
done
exec .venv/bin/python -m pytest "${workers[@]}" "$@"
