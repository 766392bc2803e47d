"""Re-arming deadlines and shared state from the database after the store lost its data.

Deadlines (SLA clocks, the daily job, the periodic order sync) and shared state (who holds a
conversation) live in the store. A Redis restarted without persistence comes back empty; before
this, those deadlines stayed lost until a worker restarted. Every worker therefore runs a pass at
start-up, before it serves, and then every `reconcile_interval_s`:

- It claims a sentinel key. The key exists for as long as the store keeps its data, so a successful
  claim means the store is new or lost everything; exactly one worker wins it and calls every
  extension's `reconcile(kit, store_lost=True)` to rebuild from the database what it keeps in
  the store. Should that fail, the sentinel is dropped so that the next pass tries again.
- Each pass, on every worker, also calls `reconcile(kit, store_lost=False)`: recurring jobs
  re-arm themselves if missing (`Scheduler.ensure`, which never moves a deadline already set), so
  a job whose callback failed before planning its next run is not lost either.

The interval is real time, not the injected clock: the pass watches the store, it is not a business
deadline, and a test moving a FakeClock by days should not run thousands of passes.

Production should still run Redis with AOF persistence (README): re-arming rebuilds deadlines, but
dialogue state of conversations in progress and reply caches are not in the database.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence

from bot.background import stop_task
from bot.ids import unique_id
from bot.outages import outages
from bot.store.base import Store

log = logging.getLogger("csbot.reconcile")

Hook = Callable[[bool], Awaitable[None]]
SENTINEL_TTL_S = 10 * 365 * 24 * 3600  # "as long as the store keeps its data"


class Reconciler:
    def __init__(self, store: Store, hooks: Sequence[Hook], interval: float) -> None:
        self.store = store
        self.hooks = tuple(hooks)
        self.interval = interval
        self._task: asyncio.Task[None] | None = None
        #: The sentinel value this worker claims with, kept until a pass completes: a claim that Redis
        #: ran but whose reply was lost is recognised as this worker's by the next pass (Store.claim
        #: passes for the same value), instead of leaving the sentinel won by nobody and nothing rebuilt.
        self._epoch: str | None = None

    async def run_once(self) -> bool:
        """One pass; True when the store had lost its data and this worker rebuilt it."""
        sentinel = self.store.keys("store-epoch")
        self._epoch = self._epoch or unique_id()
        lost = await self.store.claim(sentinel, SENTINEL_TTL_S, value=self._epoch)
        if lost:
            log.warning("the store is empty (new, or restarted without persistence): re-arming from the database")
        try:
            for hook in self.hooks:
                await hook(lost)
        except BaseException:
            if lost:
                await self.store.delete(sentinel)
            raise
        self._epoch = None
        return lost

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            await self.run_logged()

    async def run_logged(self) -> None:
        """One periodic pass. The store or the database down for now (a restart) is a warning of one line,
        as the scheduler's pause is: the next pass retries; anything else is an error with its traceback."""
        try:
            await self.run_once()
        except outages(self.store) as exc:
            log.warning("reconciliation pass put off: the store or the database is unavailable (%s); "
                        "the next pass retries", type(exc).__name__)
        except Exception:
            log.exception("reconciliation pass failed")

    def start(self) -> None:
        """Run a pass every `interval` (the caller runs the first one, at start-up)."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="reconcile")

    async def stop(self) -> None:
        if self._task is not None:
            await stop_task(self._task)
            self._task = None
