"""Deadlines that fire on time, once, whichever worker is alive.

SLA clocks, follow-up tasks and daily jobs put an absolute due time (epoch seconds from the
injected clock) in the store under a kind; every worker runs a ticker that pops what is due and
calls the callback registered for the kind. Popping is atomic in the store, so a deadline fires on
one worker only, and because deadlines live in the store (Redis in production) they survive a
worker restart. The ticker wakes every `tick` seconds, so a deadline is acted on within that of
its due time — not on a sweep measured in minutes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from bot.background import stop_task
from bot.clock import Clock
from bot.store.base import Store

log = logging.getLogger("csbot.scheduler")

Callback = Callable[[str], Awaitable[None]]


class Scheduler:
    def __init__(self, store: Store, clock: Clock, tick: float = 0.25) -> None:
        self.store = store
        self.clock = clock
        self.tick = tick
        self._callbacks: dict[str, Callback] = {}
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._pass = asyncio.Lock()

    def on(self, kind: str, callback: Callback) -> None:
        """Call `callback(member)` when a deadline of `kind` is due."""
        self._callbacks[kind] = callback

    async def at(self, kind: str, member: str, due: datetime | float) -> None:
        due_at = due.timestamp() if isinstance(due, datetime) else due
        await self.store.schedule(kind, member, due_at)

    async def ensure(self, kind: str, member: str, due: datetime | float) -> bool:
        """`at`, unless `member` is already scheduled (re-arming never moves a deadline); True when added."""
        due_at = due.timestamp() if isinstance(due, datetime) else due
        return await self.store.schedule_if_absent(kind, member, due_at)

    async def cancel(self, kind: str, member: str) -> None:
        await self.store.cancel(kind, member)

    async def run_due(self) -> int:
        """Fire everything due now; returns how many fired. A failing callback is logged, not retried.

        Passes never overlap within a worker, so when a caller's pass returns, every deadline that
        was due when it started has been acted on (tests rely on this after moving a FakeClock).
        """
        async with self._pass:
            return await self._fire_due()

    async def _fire_due(self) -> int:
        now = self.clock.time()
        callbacks = dict(self._callbacks)
        popped = await self.store.pop_due_kinds(list(callbacks), now)
        due = [(kind, member) for kind, members in popped.items() for member in members]
        for fired, (kind, member) in enumerate(due, start=1):
            try:
                await callbacks[kind](member)
            except Exception:
                log.exception("deadline of %s failed", kind)  # not its member: some are conversation keys (openids)
            except BaseException:  # the worker stops mid-tick: what it took and never began goes back
                await asyncio.shield(self._put_back(due[fired:], now))
                raise
        return len(due)

    async def _put_back(self, due: list[tuple[str, str]], now: float) -> None:
        """Best effort while stopping: a store that fails now loses them, as a stop mid-tick always
        did before, and the stop goes on."""
        try:
            for kind, member in due:
                await self.store.schedule(kind, member, now)
        except Exception as exc:
            log.warning("scheduler stopping: %d deadline(s) not put back (%s)", len(due), type(exc).__name__)

    async def _run(self) -> None:
        # The loop ends on the flag as well as on cancellation: a client library that turns a
        # cancellation into its own error (caught below as a failed tick) or swallows it must not
        # leave `stop()` waiting forever for a ticker that kept going.
        outage = False
        while not self._stopping:
            try:
                await self.run_due()
            except self.store.unavailable as exc:  # try again next tick; one line per outage, not per tick
                if not outage:
                    log.warning("scheduler paused: the store is unavailable (%s)", type(exc).__name__)
                outage = True
            except Exception:
                if self._stopping:
                    return
                log.exception("scheduler tick failed")
            else:
                if outage:
                    log.info("scheduler resumed: the store answers again")
                outage = False
            if not self._stopping:
                await self.clock.sleep(self.tick)

    def start(self) -> None:
        if self._task is None:
            self._stopping = False
            self._task = asyncio.create_task(self._run(), name="scheduler")

    async def stop(self) -> None:
        if self._task is not None:
            self._stopping = True
            await stop_task(self._task)
            self._task = None
