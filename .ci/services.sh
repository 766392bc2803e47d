#!/usr/bin/env bash
# Start the services the tests talk to, on loopback only, unless they already answer:
#   Redis       redis://127.0.0.1:6379/0                    (no persistence)
#   PostgreSQL  postgres://postgres@127.0.0.1:5432/test     (user postgres, trusted on loopback)
# Trust for `postgres` from 127.0.0.1 and ::1 is meant for throw-away CI and dev machines: tests
# need no password. Run as root (it starts the Debian cluster and edits its pg_hba.conf).
set -euo pipefail

wait_until() {  # wait_until <what> <command...>: retry for up to 30 s
    local what=$1
    shift
    for _ in $(seq 1 60); do
        "$@" >/dev/null 2>&1 && return 0
        sleep 0.5
    done
    echo "services.sh: $what did not answer within 30 s" >&2
    return 1
}

# --- Redis ---
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no
fi
wait_until "Redis on 127.0.0.1:6379" redis-cli -h 127.0.0.1 -p 6379 ping

# --- PostgreSQL (Debian cluster "main" of the newest installed version) ---
version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" { found = 1 } END { exit !found }'; then
    pg_createcluster "$version" main --port 5432 >/dev/null
fi
hba=/etc/postgresql/$version/main/pg_hba.conf
if ! grep -q '^# csbot-ci' "$hba"; then
    # First matching line wins, so the trust lines go on top.
    sed -i '1i # csbot-ci: tests connect as postgres over loopback without a password\nhost all postgres 127.0.0.1/32 trust\nhost all postgres ::1/128 trust' "$hba"
    pg_ctlcluster "$version" main reload 2>/dev/null || true
fi
# The cluster holds throw-away test databases: no waiting for the disk on every commit, CREATE and
# DROP DATABASE (a test's own database) included. Reloadable settings, so a running cluster takes them.
tuning=/etc/postgresql/$version/main/conf.d/csbot-ci.conf
if [[ ! -f $tuning ]]; then
    mkdir -p "$(dirname "$tuning")"
    printf '%s\n' "# csbot-ci: a throw-away test cluster; never on a server holding data" \
        "fsync = off" "synchronous_commit = off" "full_page_writes = off" >"$tuning"
    pg_ctlcluster "$version" main reload 2>/dev/null || true
fi
if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    pg_ctlcluster "$version" main start
fi
wait_until "PostgreSQL on 127.0.0.1:5432" pg_isready -q -h 127.0.0.1 -p 5432

psql=(psql -h 127.0.0.1 -p 5432 -U postgres -v ON_ERROR_STOP=1 -tAq)
if [[ -z $("${psql[@]}" -c "SELECT 1 FROM pg_database WHERE datname = 'test'") ]]; then
    "${psql[@]}" -c 'CREATE DATABASE test'
fi
