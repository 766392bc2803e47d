"""A deadline whose callback keeps failing (a bug) gets `MAX_ATTEMPTS` attempts in all, whichever
workers make them (bot/scheduler.py `_count_failure`: the count lives in the store). The stores are
the real ones (in-process, and Redis on 127.0.0.1), shared by two schedulers as by two workers."""

from __future__ import annotations

import pytest

from bot.clock import FakeClock
from bot.scheduler import FORGET_FAILURES_AFTER_S, MAX_ATTEMPTS, RETRY_AFTER_S, Callback, Scheduler
from bot.store.base import Store
from bot.store.redis import RedisStore
from tests.tcp_proxy import TcpProxy, resp_command
from tests.test_scheduler_cancel import passes
from tests.test_scheduler_outages import proxied_store, store

__all__ = ["proxied_store", "store"]  # the fixtures: the in-process store and Redis; Redis behind a proxy


async def alternately(workers: list[Scheduler], clock: FakeClock, broken: Callback) -> None:
    """A deadline of `broken` due now, its attempts and retries fired by the workers in turn."""
    for worker in workers:
        worker.on("broken", broken)
    await workers[0].at("broken", "c1", clock.time())
    for turn in range(2 * MAX_ATTEMPTS):
        await workers[turn % 2].run_due()
        await clock.advance(RETRY_AFTER_S[-1])


@pytest.mark.parametrize("first_failure", ["at a minute's start", "a second before a minute's end"])
async def test_a_deadline_failing_in_two_workers_gets_its_attempts_in_all_not_in_each(
        store: Store, clock: FakeClock, first_failure: str) -> None:
    """Its retries alternate between two workers sharing the store: each counted its own failures, so
    it was tried twice as often as intended before being dropped. The store counts by the minute: its
    failures on both sides of one count together."""
    workers, attempts = [Scheduler(store, clock), Scheduler(store, clock)], []
    minute = FORGET_FAILURES_AFTER_S
    await clock.advance(minute - clock.time() % minute - (1 if first_failure.startswith("a second") else 0))

    async def broken(member: str) -> None:
        attempts.append(member)
        raise RuntimeError("a bug")

    await alternately(workers, clock, broken)
    assert attempts == ["c1"] * MAX_ATTEMPTS
    assert await store.next_due("broken") is None

    await workers[1].at("broken", "c2", clock.time())  # another deadline: its own attempts
    await passes(workers[1], clock)
    assert attempts.count("c2") == MAX_ATTEMPTS


async def test_a_deadline_cancelled_on_another_worker_leaves_no_count_to_the_members_next(
        store: Store, clock: FakeClock) -> None:
    """Its failures on one worker were counted in the store; the cancel came on a worker that had not
    seen them and left the count, so the member's next deadline was dropped after its first failure."""
    failing, cancelling, attempts = Scheduler(store, clock), Scheduler(store, clock), []

    async def broken(member: str) -> None:
        attempts.append(member)
        raise RuntimeError("a bug")

    for worker in (failing, cancelling):
        worker.on("broken", broken)
    await failing.at("broken", "c1", clock.time())
    await passes(failing, clock, MAX_ATTEMPTS - 1)  # two failures, the third attempt due
    await cancelling.cancel("broken", "c1")  # the agent answered, on the other worker

    await cancelling.at("broken", "c1", clock.time())  # the member's next deadline
    await passes(cancelling, clock)
    assert attempts == ["c1"] * (2 * MAX_ATTEMPTS - 1)


async def test_a_deadline_succeeding_on_another_worker_leaves_no_count_to_the_members_next(
        store: Store, clock: FakeClock) -> None:
    """Two failures counted on one worker, the retry succeeding on another that had not seen them: the
    count stayed a minute or two, and the member's next deadline was dropped after its first failure."""
    failing, succeeding, outcomes = Scheduler(store, clock), Scheduler(store, clock), ["fail", "fail", "ok"]
    attempts = []

    async def flaky(member: str) -> None:
        attempts.append(member)
        if (outcomes.pop(0) if outcomes else "fail") == "fail":
            raise RuntimeError("a bug")

    for worker in (failing, succeeding):
        worker.on("flaky", flaky)
    await failing.at("flaky", "c1", clock.time())
    await passes(failing, clock, MAX_ATTEMPTS - 1)  # two failures, the third attempt due
    await passes(succeeding, clock, 1)  # it succeeds on the other worker
    assert attempts == ["c1"] * MAX_ATTEMPTS

    await failing.at("flaky", "c1", clock.time())  # the member's next deadline, failing every time
    await passes(failing, clock)
    assert attempts == ["c1"] * (2 * MAX_ATTEMPTS)


async def test_a_count_whose_last_minute_cannot_be_read_still_counts_this_minutes(
        proxied_store: tuple[RedisStore, TcpProxy], clock: FakeClock) -> None:
    """The store counted the failure, then failed to read the last minute's count (Redis refuses the
    GET): the count it made was thrown away with it, and each worker counted on its own again."""
    store, proxy = proxied_store
    workers, attempts = [Scheduler(store, clock), Scheduler(store, clock)], []

    async def broken(member: str) -> None:
        attempts.append(member)
        raise RuntimeError("a bug")

    proxy.refuse_requests(resp_command("GET", b":deadline-failures:"), b"ERR the count cannot be read")
    await alternately(workers, clock, broken)
    assert attempts == ["c1"] * MAX_ATTEMPTS
