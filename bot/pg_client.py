"""Tortoise's PostgreSQL client without a session reset on every release (the production engine).

asyncpg's pool resets a connection each time it goes back to the pool (`SELECT
pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL`): one more round trip to PostgreSQL for
every statement the ORM runs outside a transaction, which doubled the worker's database round trips
per message (docs/performance.md). The bot keeps no session state on pooled connections (no
LISTEN, advisory locks, cursors or SET; `server_settings` are connection defaults, which RESET ALL
would keep anyway), so the reset only rolls back a transaction left open, which asyncpg does itself
before calling a custom `reset` (here: nothing more).
"""

from __future__ import annotations

from typing import Any

import asyncpg
from tortoise.backends.asyncpg.client import AsyncpgDBClient


async def _keep_session(connection: asyncpg.Connection) -> None:
    """Nothing to reset beyond asyncpg's own rollback of a transaction left open."""


class KeepSessionAsyncpgClient(AsyncpgDBClient):
    async def create_pool(self, **kwargs: Any) -> asyncpg.Pool:
        return await asyncpg.create_pool(None, reset=_keep_session, **kwargs)


client_class = KeepSessionAsyncpgClient
