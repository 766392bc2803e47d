"""A store that comes back empty (Redis restarted without persistence) takes the leases with it, and this
worker may not see it happen (redis-py reconnects between two of its commands): a lease found gone was
read as a cancel or a revival elsewhere, so a slow tick's deadlines not yet begun were skipped and a failed
attempt's retry dropped (a greeting never sent). A lease found gone under another epoch of the store
(bot/scheduler.py `EPOCH`) is now not believed; one found gone while the store is the same still is (a
cancel on another worker). In-process store and Redis on 127.0.0.1, the injected clock; the restart is every
key of the test's store deleted (the in-process store closed, which empties it).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from bot.clock import FakeClock
from bot.scheduler import LEASE_RENEWED_AFTER_S, RETRY_AFTER_S, TAKEN, Scheduler
from bot.store.base import Store
from bot.store.redis import RedisStore
from tests.fakes.wechat_user import wechat_bot
from tests.test_deadline_worker_gone import TEXTS, first_send_held, offering


async def _restarts_empty(store: Store) -> None:
    """Every key of the test's store gone, as with a Redis restarted without persistence."""
    if isinstance(store, RedisStore):
        await store.delete(*[key async for key in store.client.scan_iter(match=f"{store.keys.prefix}:*")])
    else:
        await store.close()


async def test_a_slow_ticks_deadlines_not_begun_fire_when_the_store_came_back_empty(
        open_stores: Any, clock: Any) -> None:
    """The store restarts empty during a tick's first callback (a slow send): the renewal as the second
    deadline begins finds its lease gone, which is the store's loss, not a cancel: it fires."""
    store, fired = open_stores(), []
    scheduler = Scheduler(open_stores(), clock)

    async def slow(member: str) -> None:
        fired.append(member)
        if member == "c1":
            await _restarts_empty(store)
            await clock.advance(LEASE_RENEWED_AFTER_S + 1)

    scheduler.on("offer", slow)
    for member in ("c1", "c2"):
        await scheduler.at("offer", member, clock.time())
    assert await scheduler.run_due() == 2
    assert fired == ["c1", "c2"]
    assert await store.next_due(TAKEN) is None


async def test_a_failed_attempt_is_retried_when_the_store_came_back_empty(open_stores: Any, clock: Any) -> None:
    """The store restarts empty while a greeting's attempt runs, which then fails (bot/outbox.py: its claim
    gone with the store, the text not sent): its put-back finds its lease gone and used to drop the attempt,
    the greeting never sent. It goes back to the store and its retry runs."""
    store, attempts = open_stores(), []
    scheduler = Scheduler(open_stores(), clock)

    async def greet(member: str) -> None:
        attempts.append(member)
        if len(attempts) == 1:
            await _restarts_empty(store)
            raise RuntimeError("the text's claim went with the store")

    scheduler.on("greet", greet)
    await scheduler.at("greet", "c1", clock.time())
    await scheduler.run_due()
    await clock.advance(RETRY_AFTER_S[0])
    assert await scheduler.run_due() == 1
    assert attempts == ["c1", "c1"]
    assert await store.next_due("greet") is None and await store.next_due(TAKEN) is None


async def test_a_deadline_cancelled_elsewhere_while_the_store_stays_is_still_not_fired(
        open_stores: Any, clock: Any) -> None:
    """The other side of the rule: the same slow tick, the second deadline cancelled on another worker (the
    store's epoch unchanged): not fired."""
    fired: list[str] = []
    scheduler, other = Scheduler(open_stores(), clock), Scheduler(open_stores(), clock)

    async def slow(member: str) -> None:
        fired.append(member)
        if member == "c1":
            await other.cancel("offer", "c2")
            await clock.advance(LEASE_RENEWED_AFTER_S + 1)

    scheduler.on("offer", slow)
    for member in ("c1", "c2"):
        await scheduler.at("offer", member, clock.time())
    assert await scheduler.run_due() == 1
    assert fired == ["c1"]


async def test_a_text_claimed_before_the_store_came_back_empty_is_not_lost(
        tmp_path: Path, clock: FakeClock, redis_url: str) -> None:
    """Redis comes back empty while a deadline's first text is on its way to WeChat: making the second
    text's mark last finds it gone (`ClaimLost`), and its generation gone too was taken for a cancel
    elsewhere, so the deadline ended and the second text was never sent. Now the store's epoch tells
    the two apart and the retry sends what is missing (the first text may go again: its mark went with
    the store)."""
    async with wechat_bot(tmp_path, clock=clock, redis_url=redis_url) as bot:
        store = bot.runtime.store
        await bot.runtime.scheduler.stop()
        worker = Scheduler(store, clock)
        await offering(bot, (worker,), "o_empty")
        async with first_send_held(bot, worker, "o_empty", clock.time()) as (tick, held):
            await store.client.delete(*[key async for key in store.client.scan_iter(match=f"{store.keys.prefix}:*")])
            bot.wechat.customer_action("o_empty", "text")  # the send budget went with the store too
            held.set()
            await asyncio.wait_for(tick, 10)
            for _ in range(len(RETRY_AFTER_S)):
                await clock.advance(RETRY_AFTER_S[-1])
                await worker.run_due()
            assert set(bot.wechat.texts_to("o_empty")) == set(TEXTS)
