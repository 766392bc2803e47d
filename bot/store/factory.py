"""Choose the store from settings, so that `app.py` and `cli.py` need not know the backends.

With `REDIS_URL` set every worker shares Redis; without it the bot runs on one process with the
in-memory store, which is enough for `csbot chat` and a single-worker deployment. redis-py is
imported only when Redis is used (a twentieth of the bot's import otherwise: docs/performance.md,
"Start-up, issues 11 and 13").
"""

from __future__ import annotations

from bot.clock import Clock
from bot.config import Settings
from bot.store.base import KeyBuilder, Store
from bot.store.memory import MemoryStore


def open_store(settings: Settings, clock: Clock) -> Store:
    """A Redis store when `settings.redis_url` is set, else a memory store; the caller closes it."""
    if settings.redis_url:
        from bot.store.redis import RedisStore

        return RedisStore.from_url(settings.redis_url, clock, KeyBuilder(settings.redis_key_prefix),
                                   max_connections=settings.redis_max_connections,
                                   pool_wait_s=settings.redis_pool_wait_s,
                                   reconnect_backoff_s=settings.redis_reconnect_backoff_s)
    return MemoryStore(clock, KeyBuilder(settings.redis_key_prefix))
