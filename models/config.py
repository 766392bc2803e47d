"""Tortoise configuration, also read by the aerich CLI (`aerich --app models ...` via pyproject).

`TORTOISE_ORM` takes `DATABASE_URL` from the environment so that `aerich migrate` can be pointed at
a PostgreSQL database when a model changes.
"""

import os
from typing import Any

from models import MODEL_MODULES


def tortoise_config(database_url: str) -> dict[str, Any]:
    return {
        "connections": {"default": connection(database_url)},
        "apps": {"models": {"models": [*MODEL_MODULES, "aerich.models"], "default_connection": "default"}},
        "use_tz": True,
        "timezone": "UTC",
    }


def connection(database_url: str) -> str | dict[str, Any]:
    """SQLite runs in WAL mode with synchronous=NORMAL: a commit is durable against a crash of the
    process (not of the machine's power), and costs no fsync, which is what makes a per-message commit
    affordable on the embedded default. PostgreSQL URLs are passed as they are."""
    if not database_url.startswith("sqlite://"):
        return database_url
    return {"engine": "tortoise.backends.sqlite",
            "credentials": {"file_path": database_url.removeprefix("sqlite://"), "journal_mode": "WAL",
                            "synchronous": "NORMAL",
                            # keep the WAL file's size after a checkpoint instead of shrinking and regrowing it
                            "journal_size_limit": 64 * 1024 * 1024,
                            # several workers may share the file: wait for the write lock, don't fail
                            "busy_timeout": 5000}}


TORTOISE_ORM = tortoise_config(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test"))
