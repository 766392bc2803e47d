#!/usr/bin/env bash
# The test command: install what is missing, start the services, run pytest with the arguments
# given (e.g. `bash .ci/test.sh tests/test_store_contract.py -q`). URLs already set are kept.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export TEST_POSTGRES_URL="${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"
export TEST_REDIS_URL="${TEST_REDIS_URL:-redis://127.0.0.1:6379/0}"

bash .ci/install.sh
bash .ci/services.sh
exec .venv/bin/python -m pytest "$@"
