"""What "down for now" means, defined once: a backing service that cannot serve, not a fault of ours.

The store says which of its errors mean that (`Store.unavailable`: `StoreUnavailable`, and on Redis
redis-py's connection and timeout errors from the commands sent through its client); the database
connection's are tortoise's `DBConnectionError`, the operating system's `ConnectionError`, and what
asyncpg raises while PostgreSQL restarts (tortoise passes those through: a query in flight gets
`AdminShutdownError`, a dropped connection `ConnectionDoesNotExistError`, a start-up
`CannotConnectNowError`, a full server `TooManyConnectionsError`). The web
layer answers them with 503 and `Retry-After` (bot/web/guards.py), WeChat's request path lets them
through to it, and a channel's background work logs them as a warning without a traceback
(bot/background.py).
"""

from __future__ import annotations

from asyncpg import exceptions as asyncpg_errors
from tortoise.exceptions import DBConnectionError

from bot.store.base import Store, StoreUnavailable

DATABASE_UNAVAILABLE: tuple[type[BaseException], ...] = (
    DBConnectionError, ConnectionError,
    asyncpg_errors.PostgresConnectionError,  # class 08: ConnectionDoesNotExistError, ConnectionFailureError, ...
    asyncpg_errors.AdminShutdownError, asyncpg_errors.CrashShutdownError, asyncpg_errors.CannotConnectNowError,
    asyncpg_errors.TooManyConnectionsError,
)


def outages(store: Store | None) -> tuple[type[BaseException], ...]:
    """The failures meaning `store` or the database is down for now (`StoreUnavailable` for a store
    not open yet)."""
    return (*(store.unavailable if store is not None else (StoreUnavailable,)), *DATABASE_UNAVAILABLE)
