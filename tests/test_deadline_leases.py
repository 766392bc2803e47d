"""Each taken deadline has a lease of its own, written with its take, and a cancel removes every lease
of the deadline (bot/scheduler.py `TAKEN`, bot/store/keys.py `deadline_lease`).

The lease was written by a command after the pop: a cancel arriving between the two removed no lease
and left one written after it, which brought the cancelled deadline back when its worker died. And it
was named by the deadline's kind and member only: two deadlines of one kind and member taken on two
workers (the later one set while the earlier one's callback ran) shared it, so the end of one removed
the other's, and that one was lost with its worker. A death is the worker's task stuck for good and its
timers stopped (a clock of its own that never moves) while the test's clock passes the lease; the other
worker is a second scheduler on the same store, in-process or Redis on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlsplit

import pytest

from bot.clock import FakeClock
from bot.scheduler import LEASES, MAX_ATTEMPTS, RETRY_AFTER_S, TAKEN, TAKEN_BEFORE, TAKEN_LEASE_S, Scheduler
from bot.store.base import KeyBuilder, Lease, Store
from bot.store.keys import LEASE_SEPARATOR, deadline_lease
from bot.store.redis import RedisStore
from tests.redis_keys import run_key_prefix
from tests.tcp_proxy import TcpProxy


def _a_write_of_its_own(request: bytes) -> bool:
    """A request that writes a sorted set's member (a lease, before the pop wrote them) by a command of its
    own, alone or in a pipeline: not a script's call nor its loading, whose source names `ZADD` too (a
    Redis that forgot the pop's script is sent it again, and holding that held the pop itself)."""
    return b"ZADD" in request and b"EVAL" not in request and b"SCRIPT" not in request


async def test_a_cancel_as_a_deadline_is_taken_leaves_no_lease_to_bring_it_back(redis_url: str, clock: Any) -> None:
    """A cancel on another worker arrives after the take's pop and before its lease (the lease's command on
    its way): the take used to write the lease after the cancel, and when the worker died, the lease fell
    due and the cancelled deadline was fired on the other worker. The pop now writes the lease itself, in
    one command: the cancel comes before both (nothing taken) or after both (the lease removed). Redis
    only: the in-process store's take never suspends between them."""
    keys, port = KeyBuilder(run_key_prefix()), int(redis_url.rsplit(":", 1)[1].split("/")[0])
    proxy = TcpProxy("127.0.0.1", port)
    await proxy.start()
    taking_store = RedisStore.from_url(f"redis://127.0.0.1:{proxy.port}/0", clock, keys, reconnect_backoff_s=0)
    store = RedisStore.from_url(redis_url, clock, keys)
    proxy.hold_next(_a_write_of_its_own)  # the lease's write, when it was a command of its own
    taking = Scheduler(taking_store, FakeClock(clock.now()))  # its timers stop when it dies
    other, fired, entered = Scheduler(store, clock), [], asyncio.Event()

    async def dies(member: str) -> None:
        fired.append(("taking", member))
        entered.set()
        await asyncio.Event().wait()

    async def fire(member: str) -> None:
        fired.append(("other", member))

    taking.on("offer", dies)
    other.on("offer", fire)
    await store.schedule("offer", "c1", clock.time())
    dead = asyncio.ensure_future(taking.run_due())
    waits = [asyncio.ensure_future(event.wait()) for event in (proxy.held, entered)]
    try:
        await asyncio.wait(waits, timeout=5, return_when=asyncio.FIRST_COMPLETED)
        assert proxy.held.is_set() or entered.is_set(), "the deadline was not taken"
        await other.cancel("offer", "c1")  # an agent answered, on the other worker
        proxy.let_go()
        await asyncio.wait_for(entered.wait(), 5)  # fired where it was taken (the cancel cannot reach it), then dies
        await clock.advance(TAKEN_LEASE_S)
        await other.run_due()  # a lease left would put the deadline back
        await other.run_due()
        assert fired == [("taking", "c1")]
        assert await store.next_due(TAKEN) is None
    finally:
        for wait in waits:
            wait.cancel()
        proxy.let_go()
        await proxy.cut()
        dead.cancel()
        await asyncio.wait_for(asyncio.gather(dead, return_exceptions=True), 10)
        for opened in (taking_store, store):
            await opened.close()


async def test_two_deadlines_of_one_kind_and_member_on_two_workers_have_a_lease_each(
        open_stores: Any, clock: Any) -> None:
    """The member's next deadline (a periodic sync planned again, a 留言 offer queued again) is set and
    taken on another worker while the first one's callback still runs. They shared one lease: the first
    one's end removed it, and the worker of the second dying, nothing brought the second back. Each take's
    lease is now its own (named by the take): the second is revived and fired."""
    ending, dying = Scheduler(open_stores(), clock), Scheduler(open_stores(), FakeClock(clock.now()))
    store, fired, entered = open_stores(), [], asyncio.Event()
    dead: list[asyncio.Future[int]] = []

    async def ends(member: str) -> None:
        fired.append(("ending", member))
        if len(fired) == 1:  # the next deadline set and taken on the other worker while this one runs
            await ending.at("sync", member, clock.time())
            dead.append(asyncio.ensure_future(dying.run_due()))
            await asyncio.wait_for(entered.wait(), 5)

    async def dies(member: str) -> None:
        fired.append(("dying", member))
        entered.set()
        await asyncio.Event().wait()

    ending.on("sync", ends)
    dying.on("sync", dies)
    await ending.at("sync", "k1", clock.time())
    try:
        assert await ending.run_due() == 1
        await clock.advance(TAKEN_LEASE_S)
        await ending.run_due()  # the dead worker's lease fell due: its deadline back in the store
        await ending.run_due()
        assert fired == [("ending", "k1"), ("dying", "k1"), ("ending", "k1")]
        assert await store.next_due(TAKEN) is None
    finally:
        for task in dead:
            task.cancel()
        await asyncio.gather(*dead, return_exceptions=True)


@pytest.mark.parametrize("meanwhile", ["cancelled on the other worker", "revived by the other worker"])
async def test_a_failed_attempt_goes_back_to_the_store_only_while_its_lease_holds(
        open_stores: Any, clock: Any, meanwhile: str) -> None:
    """A failed attempt is put back for its retry. While it ran, its lease was removed by a cancel on another
    worker (an attempt that sent nothing leaves the cancel no other trace), or fell due (its worker's event
    loop blocked for minutes, no renewal ran) and the other worker revived the deadline and fired it: put
    back all the same, the cancelled deadline was fired, the revived one fired a third time, its texts sent
    again under a new generation. The put-back now removes the lease and adds the deadline in one command,
    only while the lease is there (`Store.schedule_if_leased`)."""
    own = FakeClock(clock.now())  # the blocked worker's timers: they run only once its loop goes on
    blocked, other, fired = Scheduler(open_stores(), own), Scheduler(open_stores(), clock), []
    store, entered, unblocked = open_stores(), asyncio.Event(), asyncio.Event()

    async def fails(member: str) -> None:
        fired.append(("blocked", member))
        entered.set()
        await unblocked.wait()
        raise RuntimeError("the send timed out")

    async def fire(member: str) -> None:
        fired.append(("other", member))

    blocked.on("ack", fails)
    other.on("ack", fire)
    await store.schedule("ack", "a1", clock.time())
    tick = asyncio.ensure_future(blocked.run_due())
    try:
        await asyncio.wait_for(entered.wait(), 5)
        if meanwhile == "cancelled on the other worker":
            await other.cancel("ack", "a1")
            expected = [("blocked", "a1")]
        else:
            await clock.advance(TAKEN_LEASE_S)
            await other.run_due()  # the lease fell due: the deadline back in the store
            assert await other.run_due() == 1
            expected = [("blocked", "a1"), ("other", "a1")]
        await own.advance(TAKEN_LEASE_S)  # the blocked loop goes on: its renewal finds the lease gone
        unblocked.set()
        assert await asyncio.wait_for(tick, 5) == 1
        for _ in range(MAX_ATTEMPTS):
            await clock.advance(RETRY_AFTER_S[-1])
            await other.run_due()
        assert fired == expected
        assert await store.next_due("ack") is None
        assert await store.next_due(TAKEN) is None
    finally:
        unblocked.set()
        await asyncio.gather(tick, return_exceptions=True)


async def test_a_worker_blocked_past_its_leases_does_not_fire_what_another_worker_revived(
        open_stores: Any, clock: Any) -> None:
    """A worker's event loop blocked for minutes during a tick's first callback: no renewal ran, the leases
    of the deadlines it had taken fell due, and the other worker revived and fired them. Going on, the
    blocked worker fired the ones it had not begun a second time. Its renewal as each begins now finds
    their leases gone, and it leaves them to the other worker."""
    own = FakeClock(clock.now())  # the blocked worker's timers: they run only once its loop goes on
    blocked, other, fired = Scheduler(open_stores(), own), Scheduler(open_stores(), clock), []
    entered, unblocked = asyncio.Event(), asyncio.Event()

    def worker(name: str) -> Any:
        async def fire(member: str) -> None:
            fired.append((name, member))
            if name == "blocked":
                entered.set()
                await unblocked.wait()
        return fire

    blocked.on("ack", worker("blocked"))
    other.on("ack", worker("other"))
    for member in ("a1", "a2"):
        await blocked.at("ack", member, clock.time())
    tick = asyncio.ensure_future(blocked.run_due())
    try:
        await asyncio.wait_for(entered.wait(), 5)
        await clock.advance(TAKEN_LEASE_S)
        await other.run_due()  # the leases fell due: both back in the store
        assert await other.run_due() == 2
        await own.advance(TAKEN_LEASE_S)  # the blocked loop goes on
        unblocked.set()
        assert await asyncio.wait_for(tick, 5) == 1
        assert sorted(fired) == [("blocked", "a1"), ("other", "a1"), ("other", "a2")]
        assert await open_stores().next_due(TAKEN) is None
    finally:
        unblocked.set()
        await asyncio.gather(tick, return_exceptions=True)


async def test_a_take_leases_what_it_pops_and_a_cancel_removes_every_lease_of_its_deadline(
        open_stores: Any, clock: Any) -> None:
    """The store's side (`Store.pop_due_kinds` with a lease, `Store.cancel_leased`), on both stores: a lease
    per member popped, none for the leases popped; a cancel removes the deadline's leases whoever took it
    (and one of an earlier release, named by kind and member only, in the earlier release's kind), and no
    other deadline's; the earlier release's leases popped are not leased again."""
    store: Store = open_stores()
    now = clock.time()
    for kind, member in (("ack", "m"), ("ack", "m1"), ("ack2", "m"), ("idle", "m")):
        await store.schedule(kind, member, now)
    await store.schedule(TAKEN_BEFORE, f"idle{LEASE_SEPARATOR}m", now + 1)  # an earlier release's lease
    await store.schedule(TAKEN_BEFORE, f"idle{LEASE_SEPARATOR}gone", now)  # one fallen due
    popped = await store.pop_due_kinds(["ack", "ack2", *LEASES], now,
                                       lease=Lease(TAKEN, now + 5, "t1", frozenset(LEASES)))
    assert {kind: sorted(members) for kind, members in popped.items()} == {
        "ack": ["m", "m1"], "ack2": ["m"], TAKEN: [], TAKEN_BEFORE: [f"idle{LEASE_SEPARATOR}gone"]}
    await store.schedule("ack", "m", now)  # the member's next deadline, taken by another worker
    await store.pop_due_kinds(["ack", TAKEN], now, lease=Lease(TAKEN, now + 5, "t2"))
    leases = sorted((await store.pop_due_kinds([TAKEN], now + 10))[TAKEN])
    assert leases == sorted([deadline_lease("ack", "m", "t1"), deadline_lease("ack", "m1", "t1"),
                             deadline_lease("ack2", "m", "t1"), deadline_lease("ack", "m", "t2")])
    for lease in leases:
        await store.schedule(TAKEN, lease, now + 5)
    await store.schedule(TAKEN_BEFORE, deadline_lease("ack", "m", "t0"), now + 5)  # the release before's
    await store.set(store.keys("counted", "ack-m"), "1")
    await store.cancel_leased("ack", "m", LEASES, [store.keys("counted", "ack-m")])
    await store.cancel_leased("idle", "m", LEASES)
    assert sorted((await store.pop_due_kinds([TAKEN, "idle"], now + 10))[TAKEN]) == sorted([
        deadline_lease("ack", "m1", "t1"), deadline_lease("ack2", "m", "t1")])
    assert await store.next_due(TAKEN_BEFORE) is None
    assert await store.get(store.keys("counted", "ack-m")) is None
    assert await store.next_due("idle") is None


async def test_a_put_back_whose_reply_was_lost_is_still_reported_put_back(redis_url: str) -> None:
    """`Store.schedule_if_leased` removed the lease and put the deadline back, but its reply was lost: sent
    again, it finds its lease gone, and answered so, the worker took the deadline for another's (its
    retry's marks and failures forgotten). It now answers from its receipt that it put it back."""
    parts = urlsplit(redis_url)
    proxy = TcpProxy(parts.hostname or "127.0.0.1", parts.port or 6379)
    await proxy.start()
    store = RedisStore.from_url(f"redis://127.0.0.1:{proxy.port}{parts.path}", FakeClock(),
                                KeyBuilder(run_key_prefix()), pool_wait_s=0.3, reconnect_backoff_s=0)
    try:
        await store.schedule(TAKEN, "warm-up", 100.0)
        assert await store.schedule_if_leased("ack", "m0", 5.0, TAKEN, "warm-up") is True  # the script known
        await store.schedule(TAKEN, "l-lost", 100.0)
        proxy.lose_reply_to(b"l-lost")
        assert await store.schedule_if_leased("ack", "m1", 10.0, TAKEN, "l-lost") is True
        assert proxy.replies_lost == 1
        assert await store.schedule_if_leased("ack", "m1", 10.0, TAKEN, "l-lost") is None  # a call of its own
        assert await store.pop_due("ack", now=10.0) == ["m0", "m1"]
        assert await store.next_due(TAKEN) is None
    finally:
        await store.close()
        await proxy.cut()


async def test_a_rolling_deploy_keeps_each_releases_leases_where_that_release_reads_them(
        open_stores: Any, clock: Any) -> None:
    """Workers of the earlier release (still running in a rolling deploy, or again after a rollback) read the
    leases in `deadline-taken` as `kind`, the separator, `member`: this release's leases there (`kind`,
    `member`, the taker) were read as a made-up member (fired, the real deadline lost), and outlived those
    workers' cancels. This release writes its leases in a kind of its own, and still revives and cancels the
    earlier release's, so nothing a worker of either release took is lost; an earlier worker's cancel of a
    deadline this release holds is still not seen (docs/handoff-sla.md)."""
    earlier = "deadline-taken"  # the kind the earlier release reads and writes its leases in
    store, fired = open_stores(), []
    scheduler = Scheduler(open_stores(), clock)

    async def fire(member: str) -> None:
        fired.append(member)
        # the earlier release's worker still holds c2; nothing else there that it would misread
        assert await store.next_due(earlier) == pytest.approx(now + 10)
        assert await store.next_due(TAKEN) == pytest.approx(clock.time() + TAKEN_LEASE_S)

    scheduler.on("offer", fire)
    now = clock.time()
    await store.schedule(earlier, f"offer{LEASE_SEPARATOR}c1", now - 1)  # its worker died holding it
    await store.schedule(earlier, f"offer{LEASE_SEPARATOR}c2", now + 10)  # its worker runs it now
    await store.schedule("offer", "c3", now)
    await scheduler.run_due()  # c1 revived, put back due now
    await scheduler.run_due()
    assert sorted(fired) == ["c1", "c3"]
    await scheduler.cancel("offer", "c2")  # an agent answered: the earlier release's lease goes too
    await clock.advance(TAKEN_LEASE_S)
    await scheduler.run_due()
    await scheduler.run_due()
    assert sorted(fired) == ["c1", "c3"]
    assert await store.next_due(earlier) is None and await store.next_due(TAKEN) is None
