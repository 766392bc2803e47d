"""A cancelled deadline stays cancelled, whatever its failed attempt was doing (bot/scheduler.py `cancel`).

A failed attempt's retry is held by the worker until its put-back at the end of the tick; a cancel then
found nothing in the store, and the put-back brought the deadline back to fire after it was cancelled
(a lapse counted against an agent who had answered, a reminder sent for a closed task). The stores are
the real ones (in-process, and Redis on 127.0.0.1); time is a FakeClock.
"""

from __future__ import annotations

import asyncio

import pytest
from tortoise.exceptions import DBConnectionError

from bot.clock import FakeClock
from bot.scheduler import MAX_ATTEMPTS, RETRY_AFTER_S, Callback, Scheduler
from bot.store.base import Store
from bot.store.redis import RedisStore
from tests.tcp_proxy import TcpProxy, resp_argument, resp_command
from tests.test_scheduler_outages import proxied_store, store

__all__ = ["proxied_store", "store"]  # the fixtures: the in-process store and Redis; Redis behind a proxy

C1 = resp_argument(b"c1")  # the member as a whole argument: "c1" alone also occurs inside random ids


async def passes(scheduler: Scheduler, clock: FakeClock, count: int = MAX_ATTEMPTS + 1) -> None:
    """Passes far enough apart for any retry to come due."""
    for _ in range(count):
        await clock.advance(RETRY_AFTER_S[-1])
        await scheduler.run_due()


async def a_tick_at(scheduler: Scheduler, clock: FakeClock, lapse: Callback,
                    reached: asyncio.Event) -> asyncio.Task[int]:
    """A tick firing a lapse deadline due now, under way once `reached` is set."""
    scheduler.on("lapse", lapse)
    await scheduler.at("lapse", "c1", clock.time())
    tick = asyncio.create_task(scheduler.run_due())
    await reached.wait()
    return tick


async def a_tick_held_at(scheduler: Scheduler, clock: FakeClock, lapse: Callback, proxy: TcpProxy) -> asyncio.Task[int]:
    """A tick firing a lapse deadline due now, under way once the request `proxy` holds back arrived."""
    scheduler.on("lapse", lapse)
    await scheduler.at("lapse", "c1", clock.time())
    tick = asyncio.create_task(scheduler.run_due())
    await until_held(proxy, tick)
    return tick


async def until_held(proxy: TcpProxy, tick: asyncio.Task[int]) -> None:
    """Until the request `proxy` holds back (`hold_next`) arrived; the tick must not end first."""
    held = asyncio.ensure_future(proxy.held.wait())
    await asyncio.wait([held, tick], return_when=asyncio.FIRST_COMPLETED)
    if not held.done():
        held.cancel()
        raise AssertionError(f"the tick ended first: {tick.result()}")


async def test_a_deadline_cancelled_in_the_tick_its_attempt_failed_does_not_fire_again(
        store: Store, clock: FakeClock) -> None:
    """The lapse fails (a bug: retried); in the same tick, the next callback (the agent's answer, say)
    cancels it: it never fires again."""
    scheduler, fired = Scheduler(store, clock), []

    async def lapse(member: str) -> None:
        fired.append(member)
        raise RuntimeError("not recorded")

    async def answered(member: str) -> None:
        await scheduler.cancel("lapse", member)

    scheduler.on("lapse", lapse)
    scheduler.on("answered", answered)
    await scheduler.at("lapse", "c1", clock.time())
    await scheduler.at("answered", "c1", clock.time())
    await scheduler.run_due()
    await passes(scheduler, clock)
    assert fired == ["c1"]
    assert await store.next_due("lapse") is None


@pytest.mark.parametrize("failure", [RuntimeError, DBConnectionError])
async def test_a_deadline_cancelled_while_its_attempt_runs_is_not_retried_when_it_fails(
        store: Store, clock: FakeClock, failure: type[Exception]) -> None:
    """A bug (retried after 1 s) or the database away (put back after the outage's backoff)."""
    scheduler, fired, going_on, cancelled = Scheduler(store, clock), [], asyncio.Event(), asyncio.Event()

    async def lapse(member: str) -> None:
        fired.append(member)
        going_on.set()
        await cancelled.wait()
        raise failure("not recorded")

    tick = await a_tick_at(scheduler, clock, lapse, going_on)
    await scheduler.cancel("lapse", "c1")  # the message path, while the callback runs
    cancelled.set()
    await tick
    await passes(scheduler, clock)
    assert fired == ["c1"]


async def test_a_callback_cancelling_its_own_deadline_keeps_its_retry(store: Store, clock: FakeClock) -> None:
    """A callback that cancels its own deadline (re-arming it) and then fails is still retried."""
    scheduler, fired = Scheduler(store, clock), []

    async def offer(member: str) -> None:
        fired.append(member)
        await scheduler.cancel("offer", member)
        if len(fired) == 1:
            raise RuntimeError("not recorded")

    scheduler.on("offer", offer)
    await scheduler.at("offer", "c1", clock.time())
    await passes(scheduler, clock, 1)
    await passes(scheduler, clock)
    assert fired == ["c1", "c1"]


async def test_a_callback_cancelling_its_own_deadline_and_always_failing_is_dropped_in_time(
        store: Store, clock: FakeClock) -> None:
    """Its cancel forgot the failures counted so far, so each retry counted from one: retried every
    second for ever."""
    scheduler, fired = Scheduler(store, clock), []

    async def offer(member: str) -> None:
        fired.append(member)
        await scheduler.cancel("offer", member)
        raise RuntimeError("a bug")

    scheduler.on("offer", offer)
    await scheduler.at("offer", "c1", clock.time())
    await passes(scheduler, clock, 3 * MAX_ATTEMPTS)
    assert fired == ["c1"] * MAX_ATTEMPTS


async def test_a_cancel_during_the_put_back_removes_the_deadline_after_it_lands(
        proxied_store: tuple[RedisStore, TcpProxy], clock: FakeClock) -> None:
    """The put-back's command is on its way when the cancel comes (held back on its way to Redis): the
    cancel's removal goes after it (Redis gives no order between two pooled connections' commands
    otherwise)."""
    store, proxy = proxied_store
    scheduler, fired = Scheduler(store, clock), []

    def removals(request: bytes) -> bool:  # the cancel's one command (`Store.cancel_leased`), not the put-back's
        return resp_command("EVALSHA", b":due:lapse", C1)(request) and b":scheduled:" not in request

    await asyncio.gather(*(store.get(key) for key in "abc"))  # pooled: the put-back's, the cancel's, the probe's

    async def lapse(member: str) -> None:
        fired.append(member)
        if len(fired) == 1:
            proxy.hold_next(resp_command("EVALSHA", b":scheduled:", C1))
            raise RuntimeError("not recorded")

    scheduler.on("lapse", lapse)
    await scheduler.at("lapse", "c1", clock.time())
    tick = asyncio.create_task(scheduler.run_due())
    await until_held(proxy, tick)
    cancel = asyncio.create_task(scheduler.cancel("lapse", "c1"))
    try:
        for _ in range(10):  # round trips enough for a cancel that did not wait to have removed it already
            await store.get("probe")
        assert not cancel.done()  # waits for the put-back to land
        assert not any(removals(request) for request in proxy.requests)
    finally:  # failed too: both ended here, or the tick's reconnect at teardown leaves a socket that fails a later test
        proxy.let_go()
        await asyncio.wait([tick, cancel])
    await asyncio.gather(tick, cancel)
    assert any(removals(request) for request in proxy.requests)  # the cancel's command, seen once let go
    assert await store.next_due("lapse") is None
    await passes(scheduler, clock)
    assert fired == ["c1"]


async def test_a_cancel_while_the_failure_is_counted_is_not_undone(
        proxied_store: tuple[RedisStore, TcpProxy], clock: FakeClock) -> None:
    """The failure's count (a store round trip, held back on its way to Redis) is under way when the
    cancel comes: no retry follows, and the count, made after the cancel removed the counts, does not
    cut the member's next deadline's attempts short."""
    store, proxy = proxied_store
    scheduler, fired = Scheduler(store, clock), []

    async def lapse(member: str) -> None:
        fired.append(member)
        raise RuntimeError("not recorded")

    proxy.hold_next(resp_command("EVALSHA", b":counted:"))
    tick = await a_tick_held_at(scheduler, clock, lapse, proxy)
    await scheduler.cancel("lapse", "c1")
    proxy.let_go()
    await tick
    await passes(scheduler, clock)
    assert fired == ["c1"]
    await scheduler.at("lapse", "c1", clock.time())  # the member's next deadline: its own attempts
    await passes(scheduler, clock)
    assert fired == ["c1"] * (1 + MAX_ATTEMPTS)


async def test_a_cancel_waiting_for_a_put_back_the_stop_cuts_short_goes_on(
        proxied_store: tuple[RedisStore, TcpProxy], clock: FakeClock) -> None:
    """The put-back's refused entry is being counted as a failure when the worker stops (that count held
    back on its way to Redis): the cancel waiting for that put-back waited for ever."""
    store, proxy = proxied_store
    scheduler, counts = Scheduler(store, clock), resp_command("EVALSHA", b":counted:")
    second_count = [0]

    def the_refused_put_backs_count(request: bytes) -> bool:  # after the callback's own failure's
        second_count[0] += counts(request)
        return counts(request) and second_count[0] == 2

    async def lapse(member: str) -> None:
        proxy.refuse_requests(resp_command("EVALSHA", b":scheduled:"), b"ERR not taken back")
        raise RuntimeError("not recorded")

    proxy.hold_next(the_refused_put_backs_count)
    tick = await a_tick_held_at(scheduler, clock, lapse, proxy)
    cancel = asyncio.create_task(scheduler.cancel("lapse", "c1"))
    await asyncio.sleep(0)
    tick.cancel()  # the worker stops
    await asyncio.gather(tick, return_exceptions=True)
    proxy.refuse_requests(None)
    await asyncio.wait_for(cancel, 5)
    assert await store.next_due("lapse") is None
