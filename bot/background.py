"""Background work: stopping a loop for sure, and a channel's fire-and-forget tasks.

`task.cancel()` is a request: library code the loop is inside at that moment may swallow the
CancelledError (redis-py does, now and then, while reconnecting after Redis restarted), and the loop
then goes back to sleep for ever, hanging shutdown. `stop_task` repeats the request until the task
has really ended.

A background task that fails because the store or the database is down for now (as the store and
bot/outages.py say) is logged at WARNING, without a traceback: the work it carried is met again by
whatever retries it (WeChat's retries, the inbox's, the periodic sync), and where nothing does (a
long answer's tail) this line is the trace.
Any other failure is a bug and logged at ERROR with its type and where our code met it, and its reason
when it is one of ours (bot/logs.py: never a third-party message, which may quote customer data).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from bot.logs import describe_failure
from bot.outages import outages
from bot.store.base import Store

RECANCEL_EVERY_S = 0.1


async def stop_task(task: asyncio.Task[None]) -> None:
    while not task.done():
        task.cancel()
        await asyncio.wait([task], timeout=RECANCEL_EVERY_S)
    if not task.cancelled() and task.exception() is not None:
        raise task.exception()  # type: ignore[misc]


class BackgroundTasks:
    """A channel's work that outlives the request that started it (late answers, tails of long ones,
    syncs, sends): kept so tests and shutdown can wait for it, and logged when it fails (by type and
    reason, never customer text). `store_of()` gives the channel's store once it runs (None before):
    what it calls an outage is one here."""

    def __init__(self, log: logging.Logger, store_of: Callable[[], Store | None]) -> None:
        self._log = log
        self._store_of = store_of
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
        if isinstance(failure, outages(self._store_of())):
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
