#!/usr/bin/env bash
# Install the bot's Python dependencies (first run only takes time) and start it on the embedded
# default: SQLite under data/, in-process store. Arguments go to `csbot serve` (e.g. --workers 2).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash .ci/install.sh --runtime
exec .venv/bin/python -m bot serve "$@"
