"""A deadline whose callback fails is not lost: put back in an outage, retried a few times after a bug.

The deadlines are the product's promises (a greeting within 15 s, a kept after-sales request's
retry): a database that blips for a second must not make the bot forget a customer. The stores are
the real ones (in-process, and Redis on 127.0.0.1: the shared one, or a throw-away one the test stops).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator

import pytest
from asyncpg import exceptions as asyncpg_errors
from tortoise.exceptions import DBConnectionError

from bot.clock import FakeClock
from bot.scheduler import MAX_ATTEMPTS, RETRY_AFTER_S, Scheduler
from bot.store.base import KeyBuilder, Store
from bot.store.memory import MemoryStore
from bot.store.redis import RedisStore
from tests.redis_server import RedisServer
from tests.tcp_proxy import TcpProxy, proxied

MEMBER = "wechat:o6_bmjrPTlm6_2sgVt7hMZOPfL2M"  # a conversation key holds an openid: never in a log line


@pytest.fixture(params=["memory", "redis"])
async def store(request: pytest.FixtureRequest, clock: FakeClock) -> AsyncIterator[Store]:
    if request.param == "memory":
        yield MemoryStore(clock)
        return
    redis_store = RedisStore.from_url(request.getfixturevalue("redis_url"), clock,
                                      KeyBuilder(f"outage-{uuid.uuid4().hex[:8]}"))
    try:
        yield redis_store
    finally:
        await redis_store.close()


@pytest.fixture
async def proxied_store(redis_url: str, clock: FakeClock) -> AsyncIterator[tuple[RedisStore, TcpProxy]]:
    """A Redis store reached through a proxy (tests/tcp_proxy.py) that can have Redis refuse a command, or
    hold one back on its way: the faults made outside the store, where it meets Redis."""
    async with proxied(redis_url) as (url, proxy):
        redis_store = RedisStore.from_url(url, clock, KeyBuilder(f"outage-{uuid.uuid4().hex[:8]}"),
                                          reconnect_backoff_s=0)
        try:
            yield redis_store, proxy
        finally:
            await redis_store.close()


class Database:
    """What a callback needs: down (by default tortoise's error for a lost connection) until brought back."""

    def __init__(self, failure: type[Exception] = DBConnectionError) -> None:
        self.down, self.failure = False, failure

    def check(self) -> None:
        if self.down:
            raise self.failure("connection to server at 127.0.0.1, port 5432 failed")


def recorder(database: Database, calls: list[tuple[str, str, float]], clock: FakeClock, kind: str):
    async def callback(member: str) -> None:
        calls.append((kind, member, clock.time()))
        database.check()

    return callback


def done(calls: list[tuple[str, str, float]], database_up_at: float) -> list[tuple[str, str]]:
    """The calls made once the database was back (the clock moved on since it came back)."""
    return sorted((kind, member) for kind, member, at in calls if at > database_up_at)


@pytest.mark.parametrize("failure", [
    DBConnectionError,  # tortoise's, connecting
    # asyncpg's, passed through by tortoise while PostgreSQL restarts: a query in flight, a dropped
    # connection, the server starting
    asyncpg_errors.AdminShutdownError, asyncpg_errors.ConnectionDoesNotExistError, asyncpg_errors.CannotConnectNowError,
])
async def test_a_deadline_failing_in_a_database_outage_fires_once_it_is_back(
        store: Store, clock: FakeClock, caplog: pytest.LogCaptureFixture, failure: type[Exception]) -> None:
    scheduler = Scheduler(store, clock)
    database, calls = Database(failure), []
    for kind in ("ack", "idle"):
        scheduler.on(kind, recorder(database, calls, clock, kind))
    await scheduler.at("ack", MEMBER, clock.time())
    await scheduler.at("ack", "webchat:c2", clock.time())
    await scheduler.at("idle", "webchat:c3", clock.time())

    database.down = True
    with caplog.at_level(logging.INFO, "csbot.scheduler"):
        assert await scheduler.run_due() == 1  # the tick stops at the first outage
        assert len(calls) == 1
        assert await scheduler.run_due() == 0  # backing off: nothing fires, nothing is tried
        database.down = False
        up_at = clock.time()
        await clock.advance(RETRY_AFTER_S[0])
        assert await scheduler.run_due() == 3
    assert done(calls, up_at) == [("ack", "webchat:c2"), ("ack", MEMBER), ("idle", "webchat:c3")]

    await clock.advance(60)
    assert await scheduler.run_due() == 0  # exactly once: nothing left to fire again
    assert len(calls) == 4
    assert [r.levelname for r in caplog.records if "paused" in r.getMessage()] == ["WARNING"]
    assert failure.__name__ in caplog.text and "scheduler resumed" in caplog.text
    assert MEMBER not in caplog.text and "o6_bmjr" not in caplog.text


async def test_two_workers_fire_a_put_back_deadline_once(clock: FakeClock, redis_url: str) -> None:
    keys = KeyBuilder(f"outage2-{uuid.uuid4().hex[:8]}")
    one, two = (RedisStore.from_url(redis_url, clock, keys) for _ in range(2))
    try:
        database, calls = Database(), []
        workers = [Scheduler(one, clock), Scheduler(two, clock)]
        for worker in workers:
            worker.on("greet", recorder(database, calls, clock, "greet"))
        await workers[0].at("greet", MEMBER, clock.time())
        database.down = True
        assert await workers[0].run_due() == 1
        database.down = False
        up_at = clock.time()
        assert await workers[1].run_due() == 0  # put back for later, not due now
        await clock.advance(RETRY_AFTER_S[0])
        fired = await asyncio.gather(workers[0].run_due(), workers[1].run_due())
        assert sorted(fired) == [0, 1] and done(calls, up_at) == [("greet", MEMBER)]
    finally:
        await one.close()
        await two.close()


async def test_a_long_outage_is_tried_with_a_growing_backoff_and_logged_once(
        store: Store, clock: FakeClock, caplog: pytest.LogCaptureFixture) -> None:
    """A tick every quarter second; in 30 s of outage the database is asked 6 times, not 120."""
    scheduler = Scheduler(store, clock)
    database, calls = Database(), []
    scheduler.on("reply", recorder(database, calls, clock, "reply"))
    start = clock.time()
    await scheduler.at("reply", MEMBER, start)
    database.down = True
    with caplog.at_level(logging.INFO, "csbot.scheduler"):
        for _ in range(120):
            await clock.advance(scheduler.tick)
            await scheduler.run_due()
        assert [at - start for _, _, at in calls] == [0.25, 1.25, 3.25, 7.25, 15.25, 23.25]
        database.down = False
        for _ in range(40):
            await clock.advance(scheduler.tick)
            await scheduler.run_due()
    assert [at - start for _, _, at in calls][6:] == [31.25]
    assert sum("paused" in r.getMessage() for r in caplog.records) == 1
    assert sum("resumed" in r.getMessage() for r in caplog.records) == 1


async def test_the_ticker_keeps_a_deadline_through_a_database_outage(clock: FakeClock) -> None:
    """The running ticker (not only `run_due`): a database error from a callback is an outage to it."""
    store = MemoryStore(clock)
    scheduler = Scheduler(store, clock)
    database, calls = Database(), []
    scheduler.on("greet", recorder(database, calls, clock, "greet"))
    await scheduler.at("greet", MEMBER, clock.time())
    database.down = True
    scheduler.start()
    try:
        await clock.advance(scheduler.tick)
        assert len(calls) == 1
        database.down = False
        for _ in range(8):
            await clock.advance(scheduler.tick)
    finally:
        await asyncio.wait_for(scheduler.stop(), 5)
    assert len(calls) == 2 and await store.next_due("greet") is None


async def test_a_callback_failing_for_another_reason_is_retried_then_dropped(
        store: Store, clock: FakeClock, caplog: pytest.LogCaptureFixture) -> None:
    scheduler = Scheduler(store, clock)
    calls: list[float] = []
    database, others = Database(), []

    async def broken(member: str) -> None:
        calls.append(clock.time())
        raise LookupError(member)  # a bug: its message quotes the member

    scheduler.on("offer", broken)
    scheduler.on("idle", recorder(database, others, clock, "idle"))
    start = clock.time()
    await scheduler.at("offer", MEMBER, start)
    await scheduler.at("idle", "webchat:c2", start)
    with caplog.at_level(logging.INFO, "csbot.scheduler"):
        assert await scheduler.run_due() == 2  # a bug does not stop the tick
        for _ in range(40):
            await clock.advance(0.5)
            await scheduler.run_due()
    assert [at - start for at in calls] == [0, RETRY_AFTER_S[0], RETRY_AFTER_S[0] + RETRY_AFTER_S[1]]
    assert len(calls) == MAX_ATTEMPTS and len(others) == 1
    assert [r.levelname for r in caplog.records if "dropped" in r.getMessage()] == ["ERROR"]
    assert "deadline of offer dropped after 3 failed attempts" in caplog.text
    assert "paused" not in caplog.text


async def test_a_failing_job_that_re_arms_itself_is_not_counted_towards_dropping(
        store: Store, clock: FakeClock, caplog: pytest.LogCaptureFixture) -> None:
    """WeCom's periodic sync plans its next run whatever happens to this one: its failures are each
    run's own, so it is never reported dropped, and its next run keeps its time (not moved to 1 s)."""
    scheduler = Scheduler(store, clock)
    calls: list[float] = []

    async def periodic(member: str) -> None:
        calls.append(clock.time())
        await scheduler.at("sync", member, clock.time() + 60)
        raise LookupError("the platform refused the sync")

    scheduler.on("sync", periodic)
    start = clock.time()
    await scheduler.at("sync", "kf1", start)
    with caplog.at_level(logging.INFO, "csbot.scheduler"):
        for _ in range(5):
            await scheduler.run_due()
            await clock.advance(30)
            await scheduler.run_due()
            await clock.advance(30)
    assert [at - start for at in calls] == [0, 60, 120, 180, 240]
    assert "dropped" not in caplog.text


async def test_a_deadline_the_store_could_not_take_back_is_held_until_it_can(
        tmp_path, clock: FakeClock, caplog: pytest.LogCaptureFixture) -> None:
    """Redis goes away while a callback runs: its own store call fails, and so does putting the deadline
    back; the worker holds it and puts it back once Redis answers (a restarted, empty Redis here)."""
    redis = RedisServer(tmp_path)
    redis.start()
    store = RedisStore.from_url(redis.url, clock, KeyBuilder("held"), pool_wait_s=0.2, reconnect_backoff_s=0)
    try:
        scheduler = Scheduler(store, clock)
        calls: list[str] = []

        async def reads_the_store(member: str) -> None:
            calls.append(member)
            if len(calls) == 1:
                redis.stop()
            await store.get(f"state:{member}")

        scheduler.on("move", reads_the_store)
        await scheduler.at("move", MEMBER, clock.time())
        with caplog.at_level(logging.INFO, "csbot.scheduler"):
            with pytest.raises(store.unavailable):
                await scheduler.run_due()  # the callback failed, and the put-back too
            redis.start()
            await clock.advance(RETRY_AFTER_S[0])
            assert await scheduler.run_due() == 1
        assert calls == [MEMBER, MEMBER]
        await clock.advance(60)
        assert await scheduler.run_due() == 0
        assert sum("paused" in r.getMessage() for r in caplog.records) == 1
        assert MEMBER not in caplog.text
    finally:
        await store.close()
        redis.stop()


async def test_a_failure_counted_by_a_worker_whose_retry_went_elsewhere_is_forgotten(
        store: Store, clock: FakeClock, caplog: pytest.LogCaptureFixture) -> None:
    """Members come back (an after-sales retry is keyed by the conversation, a sync by its account): a
    worker that counted one failure, whose retry another worker then fired, must not carry that count to
    the member's next deadline an hour later and drop it before its 3 attempts."""
    one, two = Scheduler(store, clock), Scheduler(store, clock)
    broken, calls = {"now": True}, []

    async def flaky(member: str) -> None:
        calls.append(clock.time())
        if broken["now"]:
            raise LookupError("the platform refused it")

    for worker in (one, two):
        worker.on("retry", flaky)
    await one.at("retry", MEMBER, clock.time())
    assert await one.run_due() == 1  # fails on this worker: retried in 1 s...
    broken["now"] = False
    await clock.advance(RETRY_AFTER_S[0])
    assert await two.run_due() == 1  # ...by the other worker, which succeeds

    await clock.advance(3600)
    broken["now"], calls[:] = True, []
    await one.at("retry", MEMBER, clock.time())
    with caplog.at_level(logging.INFO, "csbot.scheduler"):
        for _ in range(20):
            await one.run_due()
            await clock.advance(0.5)
    assert len(calls) == MAX_ATTEMPTS
    assert "dropped after 3 failed attempts" in caplog.text


async def test_an_outage_whose_retry_another_worker_fired_is_over_for_this_worker_too(
        store: Store, clock: FakeClock, caplog: pytest.LogCaptureFixture) -> None:
    """A blip's put-back deadline fired by the other worker: the next outage, an hour later, is logged
    again and retried after 1 s (a greeting 1 s late), not after a backoff carried over from the last."""
    one, two = Scheduler(store, clock), Scheduler(store, clock)
    database, calls = Database(), []
    for worker in (one, two):
        worker.on("greet", recorder(database, calls, clock, "greet"))
    with caplog.at_level(logging.INFO, "csbot.scheduler"):
        for blip in range(2):
            await one.at("greet", f"webchat:c{blip}", clock.time())
            database.down = True
            assert await one.run_due() == 1
            database.down = False
            await clock.advance(RETRY_AFTER_S[0])
            assert await two.run_due() == 1  # the other worker fires it: the blip is over
            for _ in range(60):  # an hour with nothing due
                await one.run_due()
                await clock.advance(60)
        assert len(calls) == 4
        assert sum("paused" in r.getMessage() for r in caplog.records) == 2
        await one.at("greet", "webchat:c3", clock.time())
        database.down = True
        assert await one.run_due() == 1
        database.down = False
        await clock.advance(RETRY_AFTER_S[0])
        assert await one.run_due() == 1


async def test_a_worker_stopping_puts_back_what_it_holds_without_moving_a_deadline_set_since(
        tmp_path, clock: FakeClock) -> None:
    """Held because Redis was down, then the member was scheduled again (later) before the worker stops:
    the stop puts back only what is absent, as a tick would, not the held one over the newer one."""
    redis = RedisServer(tmp_path)
    redis.start()
    store = RedisStore.from_url(redis.url, clock, KeyBuilder("held-stop"), pool_wait_s=0.2, reconnect_backoff_s=0)
    try:
        scheduler = Scheduler(store, clock)

        async def reads_the_store(member: str) -> None:
            redis.stop()
            await store.get(f"state:{member}")

        scheduler.on("move", reads_the_store)
        scheduler.on("lapse", reads_the_store)
        await scheduler.at("move", MEMBER, clock.time())
        await scheduler.at("lapse", MEMBER, clock.time())
        with pytest.raises(store.unavailable):
            await scheduler.run_due()  # both held: the callback failed, and the put-back too
        redis.start()
        later = clock.time() + 60
        await scheduler.at("move", MEMBER, later)  # the conversation's clock set again meanwhile
        await scheduler.stop()
        assert await store.next_due("move") == later
        assert await store.next_due("lapse") == clock.time() + RETRY_AFTER_S[0]  # kept, not lost
    finally:
        await store.close()
        redis.stop()


async def test_the_backoff_counts_from_the_failure_not_from_the_tick_that_began_the_callback(
        store: Store, clock: FakeClock) -> None:
    """A database that is down often fails slowly (a connect timeout of several seconds): the retry is
    1 s after the callback failed, not 1 s after its tick began, which would be at once, every tick."""
    scheduler = Scheduler(store, clock)
    calls: list[float] = []

    async def slow_to_fail(member: str) -> None:
        calls.append(clock.time())
        await clock.advance(5)  # the connection attempt's timeout
        raise DBConnectionError("timeout expired")

    async def bug_after_a_while(member: str) -> None:
        calls.append(clock.time())
        await clock.advance(5)
        raise LookupError("the platform refused it")

    scheduler.on("greet", slow_to_fail)
    scheduler.on("retry", bug_after_a_while)
    for kind in ("greet", "retry"):
        calls.clear()
        start = clock.time()
        await scheduler.at(kind, MEMBER, start)
        assert await scheduler.run_due() == 1
        assert await scheduler.run_due() == 0  # the next tick, at once: not yet
        await clock.advance(RETRY_AFTER_S[0])
        assert await scheduler.run_due() == 1
        assert [at - start for at in calls] == [0, 5 + RETRY_AFTER_S[0]]
        await scheduler.cancel(kind, MEMBER)
        await clock.advance(60)
