"""`main.py migrate`: apply the database schema (SQLite) or the pending aerich migrations
(PostgreSQL) once, before any server starts; `serve` also does it in its master process.

Run it on deploy; with `MIGRATE_ON_START=false` nothing else touches the schema.
"""

from __future__ import annotations

import argparse
import asyncio
import logging

from bot.commands import Command
from bot.db import prepare_database
from bot.logs import describe_failure

log = logging.getLogger("csbot.migrate")


def cmd_migrate(args: argparse.Namespace, command: Command) -> int:
    try:
        asyncio.run(prepare_database(command.settings.database_url))
    except Exception as exc:
        log.error("schema not applied: %s", describe_failure(exc))
        return 1
    print("schema up to date")
    return 0


def add_migrate(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("migrate", help="apply the database schema and migrations, then exit")
    parser.set_defaults(func=cmd_migrate)
