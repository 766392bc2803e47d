"""Stopping a background loop for sure.

`task.cancel()` is a request: library code the loop is inside at that moment may swallow the
CancelledError (redis-py does, now and then, while reconnecting after Redis restarted), and the loop
then goes back to sleep for ever, hanging shutdown. `stop_task` repeats the request until the task
has really ended.
"""

from __future__ import annotations

import asyncio

RECANCEL_EVERY_S = 0.1


async def stop_task(task: asyncio.Task[None]) -> None:
    while not task.done():
        task.cancel()
        await asyncio.wait([task], timeout=RECANCEL_EVERY_S)
    if not task.cancelled() and task.exception() is not None:
        raise task.exception()  # type: ignore[misc]
