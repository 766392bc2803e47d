"""Tortoise configuration, also read by the aerich CLI (`aerich --app models ...` via pyproject).

`TORTOISE_ORM` takes `DATABASE_URL` from the environment so that `aerich migrate` can be pointed at
a PostgreSQL database when a model changes.
"""

import os
from typing import Any

from models import MODEL_MODULES


def tortoise_config(database_url: str) -> dict[str, Any]:
    return {
        "connections": {"default": database_url},
        "apps": {"models": {"models": [*MODEL_MODULES, "aerich.models"], "default_connection": "default"}},
        "use_tz": True,
        "timezone": "UTC",
    }


TORTOISE_ORM = tortoise_config(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test"))
