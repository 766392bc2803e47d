"""Opening and closing the database.

SQLite (the embedded default) gets its schema created on start; PostgreSQL is migrated with aerich
from `models/migrations`, so a production schema only ever changes through a reviewed migration.
SQLite runs with `bot.sqlite_client` as its engine: reads on their own connections; PostgreSQL with
`bot.pg_client`: no session reset round trip after every statement.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from tortoise import Tortoise
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.context import get_current_context
from tortoise.exceptions import OperationalError

from bot.batch_writer import BatchWriter, PostgresBatchWriter, SqliteBatchWriter
from models.config import tortoise_config

MIGRATIONS = Path(__file__).resolve().parent.parent / "models" / "migrations"
#: Migrations that change rows, not the schema, by file name. SQLite's schema is the models' (aerich never
#: runs there), so a file applies these too (`apply_data_migrations`); their SQL is plain, for both databases.
DATA_MIGRATIONS = ("7_20261128222305_erased_left_messages_done",)


def is_sqlite(database_url: str) -> bool:
    return database_url.startswith("sqlite://")


async def open_database(database_url: str, *, apply_schema: bool = True) -> None:
    """Connect the ORM; with `apply_schema` create (SQLite) or migrate (PostgreSQL) the schema.

    PostgreSQL asks aerich only when `pending_migrations` finds a file not yet applied.

    `serve` applies the schema once in the master and opens the workers with `apply_schema=False`, so
    workers starting together never race to create the same tables.
    """
    if is_sqlite(database_url):
        path = database_url.removeprefix("sqlite://")
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        config = tortoise_config(database_url)
        config["connections"]["default"]["engine"] = "bot.sqlite_client"
        await Tortoise.init(config=config)
        if apply_schema:
            await Tortoise.generate_schemas(safe=True)
            await apply_data_migrations()
        return
    config = tortoise_config(database_url)
    config["connections"]["default"] = {**expand_db_url(database_url), "engine": "bot.pg_client"}
    await Tortoise.init(config=config)
    if apply_schema and await pending_migrations():
        await close_database()
        await migrate(database_url)
        await Tortoise.init(config=config)


def migration_files() -> list[str]:
    """The migration files aerich would apply, by the name aerich records for each in its table."""
    folder = MIGRATIONS / "models"  # aerich keeps each app's files in a folder named after the app
    files = [path.name for path in folder.glob("*_*.py") if path.name.split("_")[0].isdigit()]
    return sorted(files, key=lambda name: int(name.split("_")[0]))


async def apply_data_migrations() -> None:
    """SQLite: the `DATA_MIGRATIONS` numbered above the file's `PRAGMA user_version`, each recorded there once
    applied (a number in the file's header: a start after that reads no row). A migration and its record are
    one transaction (the version rolls back with it): a start cut short leaves neither, and the next applies
    both."""
    connection = Tortoise.get_connection("default")
    [row] = await connection.execute_query_dict("PRAGMA user_version")
    for name in DATA_MIGRATIONS:
        number = int(name.split("_")[0])
        if number > row["user_version"]:
            migration = importlib.import_module(f"models.migrations.models.{name}")
            statements = (await migration.upgrade(connection)).strip().rstrip(";")
            await connection.execute_script(f"BEGIN IMMEDIATE; {statements}; PRAGMA user_version = {number}; COMMIT;")


async def pending_migrations() -> list[str]:
    """Migration files not yet recorded in aerich's table, read with one query on the open connection.

    Nearly every start finds none; asking aerich would initialise the ORM a second time and query once per
    file, so aerich is only run when this list is not empty (or the table does not exist yet).
    """
    connection = Tortoise.get_connection("default")
    try:
        rows = await connection.execute_query_dict("SELECT version FROM aerich WHERE app = 'models'")
    except OperationalError:
        return migration_files()
    applied = {row["version"] for row in rows}
    return [name for name in migration_files() if name not in applied]


async def prepare_database(database_url: str) -> None:
    """Apply the schema and disconnect: what `main.py migrate` and the master of `serve` run."""
    await open_database(database_url)
    await close_database()


async def migrate(database_url: str) -> None:
    """Apply pending aerich migrations (PostgreSQL)."""
    from aerich import Command

    async with Command(tortoise_config(database_url), app="models", location=str(MIGRATIONS)) as command:
        await command.init()
        await command.upgrade(run_in_transaction=True)


async def close_database() -> None:
    """Close the connections and leave the ORM context, so the next `open_database` starts clean."""
    context = get_current_context()
    if context is not None:
        await context.__aexit__(None, None, None)
    # Tortoise caches each model's INSERT/UPDATE SQL by connection name, not by database kind; a process
    # that opens SQLite and later PostgreSQL under the same name (the test suite) would reuse
    # SQLite's placeholders.
    EXECUTOR_CACHE.clear()


def batch_writer(database_url: str) -> BatchWriter:
    """How group-commit batches reach the database (see `bot.batch_writer`)."""
    if is_sqlite(database_url):
        return SqliteBatchWriter()
    return PostgresBatchWriter()
