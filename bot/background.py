"""Background work: stopping a loop for sure, and a channel's fire-and-forget tasks.

`task.cancel()` is a request: library code the loop is inside at that moment may swallow the
CancelledError (redis-py does, now and then, while reconnecting after Redis restarted), and the loop
then goes back to sleep for ever, hanging shutdown. `stop_task` repeats the request until the task
has really ended.

A background task that fails because the store or the database is down for now is logged at WARNING,
without a traceback: the work it carried is met again by whatever retries it (WeChat's retries, the
inbox's, the periodic sync), and where nothing does (a long answer's tail) this line is the trace.
Any other failure is a bug and logged at ERROR with its type and reason (never the customer's text).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from bot.logs import describe_failure
from bot.store.base import StoreUnavailable
from bot.web.guards import DATABASE_UNAVAILABLE

RECANCEL_EVERY_S = 0.1

#: Failures of a service that is down for now, not of our code: the store (`StoreUnavailable`, and
#: redis-py's own errors from the commands it sends through its client) and the database connection,
#: as the web layer answers them with 503.
OUTAGES = (StoreUnavailable, RedisConnectionError, RedisTimeoutError, *DATABASE_UNAVAILABLE)


async def stop_task(task: asyncio.Task[None]) -> None:
    while not task.done():
        task.cancel()
        await asyncio.wait([task], timeout=RECANCEL_EVERY_S)
    if not task.cancelled() and task.exception() is not None:
        raise task.exception()  # type: ignore[misc]


class BackgroundTasks:
    """A channel's work that outlives the request that started it (late answers, tails of long ones,
    syncs, sends): kept so tests and shutdown can wait for it, and logged when it fails (by type and
    reason, never customer text)."""

    def __init__(self, log: logging.Logger) -> None:
        self._log = log
        self.tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, coroutine: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        task = asyncio.get_running_loop().create_task(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task[Any]) -> None:
        self.tasks.discard(task)
        if task.cancelled() or (failure := task.exception()) is None:
            return
        if isinstance(failure, OUTAGES):
            self._log.warning("background task stopped by an outage: %s", describe_failure(failure))
        else:
            self._log.error("background task failed: %s", describe_failure(failure))

    async def settle(self) -> None:
        """Wait until the work started so far is done."""
        while self.tasks:
            await asyncio.wait(set(self.tasks))

    async def stop(self, grace_s: float) -> None:
        """Let the work finish within `grace_s`, then cancel what is left."""
        if not self.tasks:
            return
        _, late = await asyncio.wait(set(self.tasks), timeout=grace_s)
        for task in late:
            self._log.warning("background work cancelled on shutdown")
            task.cancel()
        if late:
            await asyncio.wait(late)
