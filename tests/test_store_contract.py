"""The store contract, run against every backend (see `open_stores` in conftest.py).

Both stores must behave the same for the dispatcher, the SLA ticker and the web chat, so one test
class covers both. "Two workers" means two `RedisStore`s with their own clients on Redis and the
one `MemoryStore` in memory. Time moves with the `FakeClock`; the only backend difference is that
Redis runs TTLs and lock leases on its own real clock, so there the tests read `PTTL` instead.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import pytest

from bot.clock import FakeClock
from bot.config import load_settings
from bot.store.base import CLAIMED, Batch, Claim, Claimed, KeyBuilder, LockTimeout, Store, Write
from bot.store.factory import open_store
from bot.store.memory import MemoryStore
from bot.store.redis import RedisStore
from tests.redis_server import free_port

StoreOpener = Callable[[], Store]


async def settle() -> None:
    """Let started tasks run up to their next real wait."""
    for _ in range(10):
        await asyncio.sleep(0)


async def assert_lives(clock: FakeClock, store: Store, key: str, ttl: float | None) -> None:
    """`key` exists and lives `ttl` seconds from now (None: until deleted)."""
    assert await store.get(key) is not None
    if isinstance(store, RedisStore):
        left_ms = await store.client.pttl(key)
        if ttl is None:
            assert left_ms == -1
        else:
            assert ttl * 1000 - 1000 < left_ms <= ttl * 1000
        return
    if ttl is None:
        await clock.advance(365 * 86400)
        assert await store.get(key) is not None
    else:
        await clock.advance(ttl - 0.01)
        assert await store.get(key) is not None
        await clock.advance(0.02)
        assert await store.get(key) is None


class TestStoreContract:
    async def test_together_gives_each_result_or_its_exception_in_order(self, store: Store) -> None:
        async def fails() -> None:
            raise ValueError("one of them")

        written, read = store.keys("together", "written"), store.keys("together", "read")
        await store.set(read, "r", ttl=60)
        # independent operations (on Redis they go at once, so none may depend on another)
        results = await store.together([store.set(written, "w", ttl=60), fails(), store.get(read)])
        assert results[0] is None and isinstance(results[1], ValueError) and results[2] == "r"
        assert await store.get(written) == "w"

    async def test_a_batch_does_its_writes_and_answers_each_in_its_place(
            self, clock: FakeClock, open_stores: StoreOpener) -> None:
        """`Store.send`: every write of the batch done (Redis: one pipeline), None for each, in order."""
        store, listener = open_stores(), open_stores()
        kept, gone = store.keys("batch", "kept"), store.keys("batch", "gone")
        await store.set(gone, "old")
        async with listener.subscribe("batch") as events:
            batch = Batch()
            batch.set(kept, "v", ttl=60)
            batch.delete(gone)
            batch.schedule("batch-due", "m1", clock.time() - 1)
            batch.publish("batch", {"n": 1, "text": "排队中"})
            batch.set(store.keys("batch", "forever"), "f")
            assert len(batch) == 5
            assert await store.send(batch) == [None] * 5
            assert await asyncio.wait_for(anext(events), 5) == {"n": 1, "text": "排队中"}
        assert (await store.get(kept), await store.get(gone)) == ("v", None)
        await assert_lives(clock, store, kept, 60)
        await assert_lives(clock, store, store.keys("batch", "forever"), None)
        assert await store.pop_due("batch-due", clock.time()) == ["m1"]
        assert await store.send(Batch()) == []

    async def test_claim_succeeds_once(self, store: Store) -> None:
        key = store.keys("dedupe", "wechat", "msg-1")
        assert await store.claim(key, 600) is True
        assert await store.claim(key, 600) is False
        assert await store.get(key)  # a value of its own, unique to that claim
        assert await store.claim(store.keys("reply", "msg-1"), 600, value="您好") is True
        assert await store.get(store.keys("reply", "msg-1")) == "您好"

    async def test_a_claim_sent_again_with_the_same_value_succeeds(self, store: Store) -> None:
        """A claim Redis ran but whose reply was lost is sent again (RedisStore._command): it finds its
        own value and holds the key; another claimant's value is still refused."""
        key = store.keys("dedupe", "webchat", "msg-2")
        assert await store.claim(key, 600, value="in-flight:a") is True
        assert await store.claim(key, 600, value="in-flight:a") is True
        assert await store.claim(key, 600, value="in-flight:b") is False
        assert await store.get(key) == "in-flight:a"

    async def test_get_set_delete(self, store: Store) -> None:
        a, b = store.keys("kv", "a"), store.keys("kv", "b")
        assert await store.get(a) is None
        await store.set(a, "一")
        await store.set(a, "二")
        await store.set(b, "三")
        assert await store.get(a) == "二"
        await store.delete(a, b, store.keys("kv", "missing"))
        await store.delete()
        assert await store.get(a) is None
        assert await store.get(b) is None

    async def test_delete_if_holding_deletes_only_the_keys_still_holding_their_value(
            self, clock: FakeClock, store: Store) -> None:
        """Compare-and-delete: a key holding its value goes, one holding another (a later claim's) stays
        and is answered, a missing or expired one is neither; sent again (its answer lost), the same."""
        mine, taken, missing, expired = (store.keys("cad", name) for name in ("mine", "taken", "missing", "expired"))
        await store.set(mine, "v1", ttl=60)
        await store.set(taken, "v-later", ttl=60)
        await store.set(expired, "v3", ttl=1)
        await clock.advance(1.5)
        if isinstance(store, RedisStore):  # Redis expires on its own clock
            await store.client.delete(expired)
        held = {mine: "v1", taken: "v2", missing: "v4", expired: "v3"}
        assert await store.delete_if_holding(held) == [taken]
        assert await store.get_many([mine, taken, missing, expired]) == [None, "v-later", None, None]
        assert await store.delete_if_holding(held) == [taken]
        assert await store.get(taken) == "v-later"
        assert await store.delete_if_holding({}) == []

    async def test_get_many_reads_each_key_in_order(self, store: Store) -> None:
        a, b, gone = store.keys("kv", "a"), store.keys("kv", "b"), store.keys("kv", "gone")
        await store.set(a, "一")
        await store.set(b, "二")
        await store.set(gone, "旧")
        await store.delete(gone)
        assert await store.get_many([b, store.keys("kv", "missing"), a, gone]) == ["二", None, "一", None]
        assert await store.get_many([]) == []

    async def test_incr_counts_from_one(self, store: Store) -> None:
        key = store.keys("count", "sent")
        assert [await store.incr(key) for _ in range(3)] == [1, 2, 3]
        assert await store.get(key) == "3"

    async def test_ttls(self, clock: FakeClock, store: Store) -> None:
        claimed, plain, counter = (store.keys("ttl", name) for name in ("claimed", "plain", "counter"))
        assert await store.claim(claimed, 300)
        await assert_lives(clock, store, claimed, 300)

        await store.set(plain, "x", ttl=5)
        await store.set(plain, "y")
        await assert_lives(clock, store, plain, None)

        assert await store.incr(counter, ttl=60) == 1
        assert await store.incr(counter, ttl=999) == 2, "the TTL is set only when the key is created"
        await assert_lives(clock, store, counter, 60)

        await store.set_state("wechat:o1", {"step": 1}, ttl=30)
        await assert_lives(clock, store, store.keys("state", "wechat:o1"), 30)

    async def test_state_round_trip(self, store: Store) -> None:
        state = {
            "status": "awaiting_input",
            "slots": {"订单号": "E20261123001", "原因": "尺码不合适，想换大一号"},
        }
        assert await store.get_state("wechat:o1") is None
        await store.set_state("wechat:o1", state)
        loaded = await store.get_state("wechat:o1")
        assert loaded == state
        loaded["slots"]["原因"] = "changed"
        assert await store.get_state("wechat:o1") == state, "callers get copies"
        raw = await store.get(store.keys("state", "wechat:o1"))
        assert raw is not None and "尺码不合适" in raw, "Chinese stays readable in the stored JSON"
        await store.clear_state("wechat:o1")
        assert await store.get_state("wechat:o1") is None

    async def test_lock_excludes_other_workers(self, open_stores: StoreOpener) -> None:
        workers = [open_stores(), open_stores()]
        counter = workers[0].keys("count", "locked")
        inside = 0
        overlaps = 0

        async def add_one(store: Store) -> None:
            nonlocal inside, overlaps
            async with store.lock("wechat:o1", timeout=5, wait=5):
                inside += 1
                overlaps += inside > 1
                value = int(await store.get(counter) or 0)
                await settle()
                await store.set(counter, str(value + 1))
                inside -= 1

        await asyncio.gather(*(add_one(store) for store in workers for _ in range(4)))
        assert overlaps == 0
        assert await workers[0].get(counter) == "8"

    async def test_lock_wait_times_out(self, open_stores: StoreOpener, clock: FakeClock) -> None:
        holder, other = open_stores(), open_stores()

        async def wait_briefly() -> None:
            async with other.lock("wechat:o1", wait=0.05):
                pytest.fail("got a lock that is held")

        async with holder.lock("wechat:o1"):
            waiter = asyncio.create_task(wait_briefly())
            await settle()
            await clock.advance(0.05)
            with pytest.raises(LockTimeout):
                await asyncio.wait_for(waiter, 5)
        async with other.lock("wechat:o1", wait=0):
            pass

    async def test_released_lock_passes_to_waiter(self, open_stores: StoreOpener) -> None:
        holder, other = open_stores(), open_stores()
        order: list[str] = []

        async def wait_for_it() -> None:
            async with other.lock("wechat:o1", wait=5):
                order.append("waiter")

        async with holder.lock("wechat:o1"):
            waiter = asyncio.create_task(wait_for_it())
            await settle()
            order.append("holder")
        await asyncio.wait_for(waiter, 5)
        assert order == ["holder", "waiter"]

    async def test_lock_holder_past_timeout_loses_it(
        self,
        clock: FakeClock,
        open_stores: StoreOpener,
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        slow, other = open_stores(), open_stores()
        holding, slow_may_leave = asyncio.Event(), asyncio.Event()

        async def slow_worker() -> None:
            async with slow.lock("wechat:o1", timeout=2):
                holding.set()
                await slow_may_leave.wait()

        task = asyncio.create_task(slow_worker())
        await asyncio.wait_for(holding.wait(), 5)
        if isinstance(slow, RedisStore):  # the lease runs on Redis' clock: check it is set
            assert 0 < await slow.client.pttl(slow.keys("lock", "wechat:o1")) <= 2000
            slow_may_leave.set()
            await task
            return
        await clock.advance(2)
        with caplog.at_level(logging.WARNING, logger="csbot.store"):
            async with other.lock("wechat:o1", wait=0):
                slow_may_leave.set()
                await task
                with pytest.raises(LockTimeout):  # the late holder's exit did not free it
                    async with slow.lock("wechat:o1", wait=0):
                        pass
        assert "expired while held" in caplog.text

    async def test_lock_name_parts_make_one_prefixed_key(self, open_stores: StoreOpener) -> None:
        holder, other = open_stores(), open_stores()
        async with holder.lock("case", "E1001", "refund"):
            with pytest.raises(LockTimeout):
                async with other.lock("case:E1001:refund", wait=0):
                    pass
            if isinstance(holder, RedisStore):
                prefix = holder.keys.prefix
                assert await holder.client.keys(f"{prefix}:lock:*") == [f"{prefix}:lock:case:E1001:refund"]

    async def test_schedule_cancel_pop_due(self, store: Store, clock: FakeClock) -> None:
        now = clock.time()
        await store.schedule("sla", "a", now + 10)
        await store.schedule("sla", "b", now + 5)
        await store.schedule("sla", "d", now + 5)
        await store.schedule("sla", "c", now + 30)
        await store.schedule("sla", "c", now + 1)  # moved earlier
        await store.schedule("other", "x", now)
        await store.cancel("sla", "a")
        await store.cancel("sla", "never-scheduled")

        assert await store.next_due("sla") == pytest.approx(now + 1)
        assert await store.pop_due("sla", now) == []
        assert await store.pop_due("sla", now + 5, limit=2) == ["c", "b"]
        assert await store.next_due("sla") == pytest.approx(now + 5)
        assert await store.pop_due("sla", now + 5) == ["d"]
        assert await store.pop_due("sla", now + 100) == [], "a cancelled deadline never fires"
        assert await store.next_due("sla") is None
        assert await store.pop_due("other", now) == ["x"]

    async def test_pop_due_kinds_pops_every_kind_at_once(self, store: Store, clock: FakeClock) -> None:
        now = clock.time()
        for member, due in (("a", now + 1), ("b", now + 2), ("c", now + 50)):
            await store.schedule("sla", member, due)
        await store.schedule("idle", "x", now)
        assert await store.pop_due_kinds(["sla", "idle", "empty"], now + 2, limit=1) == {
            "sla": ["a"], "idle": ["x"], "empty": []}
        assert await store.pop_due_kinds(["sla", "idle"], now + 2) == {"sla": ["b"], "idle": []}
        assert await store.pop_due_kinds([], now) == {}
        assert await store.next_due("sla") == pytest.approx(now + 50) and await store.next_due("idle") is None

    async def test_schedule_if_absent_never_moves_a_deadline(self, store: Store, clock: FakeClock) -> None:
        now = clock.time()
        assert await store.schedule_if_absent("daily", "d1", now + 10) is True
        assert await store.schedule_if_absent("daily", "d1", now + 1) is False
        assert await store.next_due("daily") == pytest.approx(now + 10)
        assert await store.pop_due("daily", now + 10) == ["d1"]
        assert await store.schedule_if_absent("daily", "d1", now + 20) is True, "popped: may be armed again"

    async def test_concurrent_pop_due_returns_each_member_once(
        self, open_stores: StoreOpener, clock: FakeClock
    ) -> None:
        workers = [open_stores(), open_stores()]
        now = clock.time()
        members = [f"conv-{i:03d}" for i in range(60)]
        for i, member in enumerate(members):
            await workers[0].schedule("sla", member, now - i)

        async def drain(store: Store) -> list[str]:
            got: list[str] = []
            while batch := await store.pop_due("sla", now, limit=5):
                got += batch
                await asyncio.sleep(0)
            return got

        first, second = await asyncio.gather(*(drain(store) for store in workers))
        assert sorted(first + second) == members
        assert await workers[1].next_due("sla") is None

    async def test_pubsub_reaches_other_worker(self, open_stores: StoreOpener) -> None:
        listener, publisher = open_stores(), open_stores()
        await publisher.publish("conv.1", {"text": "published before anyone listened"})
        async with listener.subscribe("conv.1", "conv.2") as events:
            await publisher.publish("conv.1", {"text": "您好，请问有什么可以帮您？"})
            await publisher.publish("elsewhere", {"text": "not for us"})
            await publisher.publish("conv.2", {"event": "conversation.updated", "unread": 2})
            received = [await asyncio.wait_for(anext(events), 5) for _ in range(2)]
        assert received == [
            {"text": "您好，请问有什么可以帮您？"},
            {"event": "conversation.updated", "unread": 2},
        ]
        if isinstance(listener, RedisStore):
            channel = listener.keys("topic", "conv.1")
            assert await listener.client.pubsub_numsub(channel) == [(channel, 0)], "unsubscribed"

    async def test_claim_many(self, clock: FakeClock, store: Store) -> None:
        a, b = store.keys("dedupe", "a"), store.keys("dedupe", "b")
        assert await store.claim(a, 600)
        assert await store.claim_many([(a, 600), (b, 120), (b, 600)]) == [False, True, False]
        assert await store.claim_many([]) == []
        await assert_lives(clock, store, b, 120)

    async def test_claim_in_order_stops_at_the_first_held_key(self, clock: FakeClock, store: Store) -> None:
        guard, lease, window = (store.keys("order", name) for name in ("guard", "lease", "window"))
        first = [Claim(guard, "digest-a", 600, same_value_passes=True), Claim(lease, "holder-1", 2)]
        assert (await store.claim_in_order(first, [Write(window, "w1", 120)], now=clock.time())).refused is None
        assert await store.get(window) == "w1"
        # the same signed request again: the guard passes, the lease is held
        retry = [Claim(guard, "digest-a", 600, same_value_passes=True), Claim(lease, "holder-2", 2)]
        assert await store.claim_in_order(retry, [Write(window, "w2")], now=clock.time()) == Claimed(1, "holder-1")
        # another body under the same signed request: refused at the guard, nothing else taken or set
        other = [Claim(guard, "digest-b", 600, same_value_passes=True), Claim(store.keys("order", "x"), "h", 2)]
        assert await store.claim_in_order(other, [Write(window, "w3")], now=clock.time()) == Claimed(0, "digest-a")
        assert await store.get(store.keys("order", "x")) is None
        assert await store.get(window) == "w1"
        await assert_lives(clock, store, window, 120)

    async def test_claim_in_order_knows_a_first_time(self, open_stores: StoreOpener, clock: FakeClock) -> None:
        """First time: never taken within `remember_s`, even if given back since; the store's memory
        is dated by the first claim's `now`."""
        worker_a, worker_b = open_stores(), open_stores()

        def claim(name: str, holder: str = "holder-1") -> list[Claim]:
            return [Claim(worker_a.keys("first", name), holder, 2, same_value_passes=True, remember_s=600)]

        began = clock.time()
        assert await worker_a.claim_in_order(claim("m1"), now=began) == Claimed(None, None, True, began)
        # the same claim sent again (its reply lost): still taken, still the first time
        assert await worker_a.claim_in_order(claim("m1"), now=began) == Claimed(None, None, True, began)
        await clock.advance(61)
        assert await worker_b.claim_in_order(claim("m2"), now=clock.time()) == Claimed(None, None, True, began)
        await worker_a.delete(worker_a.keys("first", "m2"))  # given back (or run out): taken before all the same
        second = await worker_b.claim_in_order(claim("m2", "holder-2"), now=clock.time())
        assert second == Claimed(None, None, False, began)
        assert await worker_a.get(worker_a.keys(CLAIMED, "first", "m1")) is not None  # the prefix once

    async def test_delete_and_cancel_ends_a_deadline_in_one_step(self, store: Store, clock: FakeClock) -> None:
        """Marks deleted, a generation deleted only while it holds its value, the lease removed; sent
        again (its answer lost), the same answer and nothing else touched."""
        marks = [store.keys("mark", str(number)) for number in range(2)]
        mine, later, other = store.keys("gen", "mine"), store.keys("gen", "later"), store.keys("kv", "other")
        for key in (*marks, other):
            await store.set(key, "m", ttl=60)
        await store.set(mine, "g1", ttl=60)
        await store.set(later, "g-later", ttl=60)
        await store.schedule("lease", "l1", clock.time() + 300)
        await store.schedule("lease", "l2", clock.time() + 300)
        held = {mine: "g1", later: "g2"}
        for _ in range(2):
            assert await store.delete_and_cancel(marks, held, "lease", "l1") == [later]
            assert await store.get_many([*marks, mine, later, other]) == [None, None, None, "g-later", "m"]
            assert await store.pop_due("lease", clock.time() + 300) == ["l2"]
            await store.schedule("lease", "l2", clock.time() + 300)
        assert await store.delete_and_cancel([], {}, "lease", "l2") == []
        assert await store.next_due("lease") is None


async def test_ping_answers_a_live_redis_and_raises_for_a_dead_one(redis_url: str, clock: FakeClock) -> None:
    """(The memory store's ping cannot fail: it lives in the process.)"""
    live = RedisStore.from_url(redis_url, clock, KeyBuilder("csbot-test-ping"))
    dead = RedisStore.from_url(f"redis://127.0.0.1:{free_port()}/0", clock, KeyBuilder("csbot-test-ping"),
                               reconnect_backoff_s=0)
    try:
        await live.ping()
        with pytest.raises(dead.unavailable):
            await dead.ping()
    finally:
        await live.close()
        await dead.close()


async def test_memory_store_drops_idle_lock_entries_and_subscribers(clock: FakeClock) -> None:
    """The memory store must not grow with every conversation it has seen."""
    store = MemoryStore(clock)
    for conversation in ("wechat:o1", "wechat:o2"):
        async with store.lock(conversation):
            pass
    with pytest.raises(LockTimeout):
        async with store.lock("wechat:o3"):
            async with store.lock("wechat:o3", wait=0):
                pass
    async with store.subscribe("conv.1"):
        assert store._subscribers
    assert store._locks == {}
    assert store._subscribers == {}


async def test_memory_store_expiries_stay_bounded_by_its_values(clock: FakeClock) -> None:
    """A conversation's state is set again with every message for a week: the expiry heap must not keep
    a row for each setting until the week is over."""
    store = MemoryStore(clock)
    for turn in range(5000):
        await store.set(f"state:{turn % 10}", str(turn), ttl=7 * 24 * 3600)
    assert len(store._expiries) <= 2 * 10 + 64 + 1
    await clock.advance(7 * 24 * 3600 + 1)
    assert await store.get("state:3") is None


async def test_memory_store_deadline_heaps_stay_bounded_by_their_members(clock: FakeClock) -> None:
    """A deadline moved with every message (a reply-by promise renewed) must not leave a heap row per
    move: the heap is rebuilt from the live members, and the member still comes due once, when last set."""
    store = MemoryStore(clock)
    now = clock.time()
    for turn in range(5000):
        await store.schedule("sla", f"conversation-{turn % 10}", now + 100 + turn)
    assert len(store._due_heaps["sla"]) <= 2 * 10 + 64 + 1
    assert await store.pop_due("sla", now + 100 + 4989) == []
    assert await store.pop_due("sla", now + 100 + 4999) == [f"conversation-{n}" for n in range(10)]
    assert await store.next_due("sla") is None


async def test_open_store_follows_redis_url(clock: FakeClock) -> None:
    redis_store = open_store(load_settings(redis_url="redis://127.0.0.1:6379/0"), clock)
    memory_store = open_store(load_settings(redis_url=""), clock)
    assert isinstance(redis_store, RedisStore)
    assert isinstance(memory_store, MemoryStore)
    await redis_store.close()
    await memory_store.close()


async def test_memory_store_does_together_in_order_and_a_cancellation_leaves_nothing_unawaited(
        clock: FakeClock) -> None:
    """In order, in the caller's task (docs/performance.md "Seventh round"); cancelled, the operations
    not started are closed, not left as coroutines never awaited, and none of them runs."""
    store = MemoryStore(clock)
    done: list[str] = []
    started = asyncio.Event()

    async def step(name: str, blocks: bool = False) -> str:
        done.append(name)
        if blocks:
            started.set()
            await asyncio.Event().wait()
        return name

    assert await store.together([step("a"), step("b"), step("c")]) == ["a", "b", "c"]
    assert done == ["a", "b", "c"]
    done.clear()
    later = step("never")
    task = asyncio.create_task(store.together([step("first"), step("blocked", blocks=True), later]))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert done == ["first", "blocked"]
    assert later.cr_frame is None  # closed


async def test_memory_store_sends_a_batch_in_order_through_its_own_methods(clock: FakeClock) -> None:
    """The in-process store does a batch's writes one by one, in the order listed, each through the
    store's method of that name; a failure is returned in its place and the rest still run."""
    store = MemoryStore(clock)
    done: list[str] = []
    schedule = store.schedule

    async def failing_schedule(kind: str, member: str, due_at: float) -> None:
        done.append(f"schedule {member}")
        if member == "fails":
            raise ValueError("one of them")
        await schedule(kind, member, due_at)

    async def seen_publish(topic: str, payload: dict[str, object]) -> None:
        done.append(f"publish {topic}")

    store.schedule, store.publish = failing_schedule, seen_publish  # type: ignore[method-assign]
    batch = Batch()
    batch.schedule("k", "fails", 1.0)
    batch.schedule("k", "kept", 2.0)
    batch.publish("news", {})
    results = await store.send(batch)
    assert results[1:] == [None, None] and isinstance(results[0], ValueError)
    assert done == ["schedule fails", "schedule kept", "publish news"]
    assert await store.next_due("k") == 2.0
