"""Tortoise's PostgreSQL client without a session reset on every release (the production engine), and
whose pool gives a connection back without making its caller wait for turns of the event loop.

asyncpg's pool resets a connection each time it goes back to the pool (`SELECT
pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL`): one more round trip to PostgreSQL for
every statement the ORM runs outside a transaction, which doubled the worker's database round trips
per message (docs/performance.md). The bot keeps no session state on pooled connections (no
LISTEN, advisory locks, cursors or SET; `server_settings` are connection defaults, which RESET ALL
would keep anyway), so the reset only rolls back a transaction left open, which asyncpg does itself
before calling a custom `reset` (here: nothing more).

asyncpg's `Pool.release` runs the release in a task of its own under `asyncio.shield`, so that a
cancelled caller still gives the connection back. The caller then waits three turns of the event loop
(the task's start, its end, the shield's callback) after its statement's answer has arrived, and on a
busy worker a turn is every other request's next step: milliseconds per statement, paid by every
message's database work and by each group-commit batch, which every message waits for
(docs/performance.md, "Eleventh round"). When the release has nothing to wait for (the connection is
open and idle, not in a transaction nor being cancelled, not due to be replaced, and the reset is this
module's, which awaits nothing), `InlineReleasePool` runs it in the caller's step: it completes before
the caller can next be suspended, so no cancellation can interrupt it either, which is what the
shield is for. Anything else goes through asyncpg's own release, and so does a release while someone
waits for a connection: asyncpg's queue hands a returned connection to whoever asks first, and a
caller going straight on to its next statement would take it from the waiter again and again (seen
as waits of hundreds of milliseconds on a saturated pool), where asyncpg's turns let the waiter in.
"""

from __future__ import annotations

from typing import Any

import asyncpg
from asyncpg.pool import PoolConnectionProxy
from tortoise.backends.asyncpg.client import AsyncpgDBClient


async def _keep_session(connection: asyncpg.Connection) -> None:
    """Nothing to reset beyond asyncpg's own rollback of a transaction left open."""


class InlineReleasePool(asyncpg.Pool):
    """asyncpg's pool, releasing an idle connection in the caller's own step (see the module's docstring).

    Reads asyncpg's pool internals (the proxy's holder, its generation and query count): the tests of
    tests/test_pg_release.py fail if a new asyncpg changes what they mean."""

    __slots__ = ()  # asyncpg's layout unchanged, so `asyncpg.create_pool`'s pool can take this class

    # asyncpg's signature, `timeout` included
    async def release(self, connection: Any, *, timeout: float | None = None) -> None:  # noqa: ASYNC109
        if self._releases_at_once(connection):
            holder = connection._holder
            connection._con._on_release()
            await holder.release(holder._timeout if timeout is None else timeout)  # suspends nowhere
            return
        await super().release(connection, timeout=timeout)

    def _releases_at_once(self, connection: Any) -> bool:
        """Whether asyncpg's release of `connection` would finish without awaiting anything."""
        if type(connection) is not PoolConnectionProxy or self._reset is not _keep_session:
            return False
        holder, con = connection._holder, connection._con
        return (not self._queue._getters  # someone waits: they get it before this caller's next statement
                and con is not None and holder._pool is self and holder._in_use is not None and not con.is_closed()
                and not con.is_in_transaction() and con._top_xact is None
                and not con._protocol._is_cancelling()
                and con._protocol.queries_count < holder._max_queries
                and holder._generation == self._generation)


class KeepSessionAsyncpgClient(AsyncpgDBClient):
    async def create_pool(self, **kwargs: Any) -> asyncpg.Pool:
        pool = asyncpg.create_pool(None, reset=_keep_session, **kwargs)  # not opened until awaited
        pool.__class__ = InlineReleasePool
        return await pool


client_class = KeepSessionAsyncpgClient
