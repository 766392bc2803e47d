"""Injectable time.

No module reads the wall clock itself: the store's TTLs, WeChat's timestamp window, the access-token
cache and every SLA deadline take a `Clock`, so tests can move time with `FakeClock.advance` instead
of sleeping, and a deadline computed by one worker means the same thing to another.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Alarm(Protocol):
    def cancel(self) -> object: ...


class Clock(Protocol):
    def now(self) -> datetime:
        """Aware UTC datetime."""

    def time(self) -> float:
        """Seconds since the epoch (the same instant as `now()`)."""

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back, for measuring durations."""

    async def sleep(self, seconds: float) -> None: ...

    def call_later(self, seconds: float, callback: Callable[[], None]) -> Alarm:
        """Call `callback` on the running loop after `seconds` unless cancelled first: a deadline
        without a task sleeping for it (the webhook's passive budget, on every message)."""


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def time(self) -> float:
        return time.time()

    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)

    def call_later(self, seconds: float, callback: Callable[[], None]) -> Alarm:
        return asyncio.get_running_loop().call_later(seconds, callback)


class FakeClock:
    """A clock that moves only when a test says so; sleepers wake when their time is reached."""

    def __init__(self, start: datetime | None = None) -> None:
        self._epoch = (start or datetime(2026, 11, 23, 2, 0, tzinfo=UTC)).timestamp()
        self._elapsed = 0.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.time(), UTC)

    def time(self) -> float:
        return self._epoch + self._elapsed

    def monotonic(self) -> float:
        return self._elapsed

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self._elapsed + seconds, next(self._seq), future))
        await future

    def call_later(self, seconds: float, callback: Callable[[], None]) -> Alarm:
        """Due when `advance` reaches it, like a sleeper; cancelling the returned future cancels it.
        One already due runs on the loop's next turn, and can still be cancelled until then."""
        if seconds <= 0:
            return asyncio.get_running_loop().call_soon(callback)
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        future.add_done_callback(lambda done: None if done.cancelled() else callback())
        heapq.heappush(self._sleepers, (self._elapsed + seconds, next(self._seq), future))
        return future

    async def advance(self, seconds: float | timedelta) -> None:
        """Move time forward and let every task whose sleep ended run before returning."""
        if isinstance(seconds, timedelta):
            seconds = seconds.total_seconds()
        target = self._elapsed + seconds
        while self._sleepers and self._sleepers[0][0] <= target:
            due, _, future = heapq.heappop(self._sleepers)
            if future.done():  # cancelled: nobody wakes here, so the time does not stop here either
                continue
            self._elapsed = max(self._elapsed, due)
            future.set_result(None)
            for _ in range(5):
                await asyncio.sleep(0)
        self._elapsed = target
        for _ in range(5):
            await asyncio.sleep(0)
