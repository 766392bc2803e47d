"""Opening and closing the database.

SQLite (the embedded default) gets its schema created on start; PostgreSQL is migrated with aerich
from `models/migrations`, so a production schema only ever changes through a reviewed migration.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tortoise import Tortoise

from models import MODEL_MODULES

MIGRATIONS = Path(__file__).resolve().parent.parent / "models" / "migrations"


def tortoise_config(database_url: str) -> dict[str, Any]:
    return {
        "connections": {"default": database_url},
        "apps": {"models": {"models": [*MODEL_MODULES, "aerich.models"], "default_connection": "default"}},
        "use_tz": True,
        "timezone": "UTC",
    }


def is_sqlite(database_url: str) -> bool:
    return database_url.startswith("sqlite://")


async def open_database(database_url: str) -> None:
    if is_sqlite(database_url):
        path = database_url.removeprefix("sqlite://")
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        await Tortoise.init(config=tortoise_config(database_url))
        await Tortoise.generate_schemas(safe=True)
        return
    await migrate(database_url)
    await Tortoise.init(config=tortoise_config(database_url))


async def migrate(database_url: str) -> None:
    """Apply pending aerich migrations (PostgreSQL)."""
    from aerich import Command

    command = Command(tortoise_config=tortoise_config(database_url), app="models", location=str(MIGRATIONS))
    await command.init()
    await command.upgrade(run_in_transaction=True)
    await Tortoise.close_connections()


async def close_database() -> None:
    await Tortoise.close_connections()
