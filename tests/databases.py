"""The PostgreSQL databases tests make: created under the run's name, dropped after, and what an
interrupted run left behind dropped at the next run's start.

Every database a run creates is named `csbot_t<owner>_<what>` (`tests/run_shared.py`: the owner is the
process that owns the run, its pid and start time), so a later run can tell a database whose run was
killed (SIGTERM, SIGKILL, a closed terminal: no `finally` ran) from one a run still going on this
machine is using, and drop only the first. The services are on 127.0.0.1, so every owner is a process
of this machine. Databases named as before this scheme (`csbot_<12 hex>`, `csbot_fuzz_<10 hex>`,
`csbot_run_<id>`) carry no owner: they are dropped once an hour old with nobody connected (no test
runs for an hour).
"""

from __future__ import annotations

import re
import uuid

import asyncpg

from tests.run_shared import owner_alive, run_owner

#: What the suite names its databases (and nothing else does: benches use `csbot_bench_...`).
OWNED = re.compile(r"csbot_t(\d+_\d+)_\w+")
UNOWNED = re.compile(r"csbot_(?:[0-9a-f]{12}|fuzz_[0-9a-f]{10}|run_\w+)")
UNOWNED_AFTER_S = 3600


def database_name(what: str | None = None) -> str:
    """This run's database called `what` (the same in every worker), or a new one's name."""
    return f"csbot_t{run_owner()}_{what or uuid.uuid4().hex[:12]}"


def url_of(postgres_url: str, name: str) -> str:
    """The URL of database `name` on the server of `postgres_url`."""
    return postgres_url.rsplit("/", 1)[0] + f"/{name}"


async def new_database(postgres_url: str, template: str | None = None, name: str | None = None) -> str:
    name = name or database_name()
    admin = await asyncpg.connect(postgres_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    finally:
        await admin.close()
    return name


async def drop_database(postgres_url: str, name: str) -> None:
    admin = await asyncpg.connect(postgres_url)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def drop_leftover_databases(postgres_url: str) -> list[str]:
    """Drop the databases of runs that ended without cleaning up; the names dropped."""
    admin = await asyncpg.connect(postgres_url, timeout=5)
    try:
        rows = await admin.fetch(
            # missing_ok: a database another run drops meanwhile is still listed, its files gone (its age NULL)
            "SELECT datname, extract(epoch FROM now() - (pg_stat_file('base/' || oid || '/PG_VERSION', true))"
            ".modification)"
            " AS age, (SELECT count(*) FROM pg_stat_activity AS a WHERE a.datname = d.datname) AS connected"
            " FROM pg_database AS d WHERE datname LIKE 'csbot\\_%'")
        left = [row["datname"] for row in rows if left_behind(row["datname"], row["age"], row["connected"])]
        for name in left:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()
    return left


def left_behind(name: str, age_s: float | None, connected: int) -> bool:
    """Whether database `name` is a test's that no run uses: its owner gone, or named before owners, an
    hour old (`age_s`, None for one being dropped) and unused."""
    if owned := OWNED.fullmatch(name):
        return not owner_alive(owned.group(1))
    return bool(UNOWNED.fullmatch(name)) and age_s is not None and age_s > UNOWNED_AFTER_S and connected == 0
