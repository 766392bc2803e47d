"""WeChat retries: one message is handled once, however often and wherever WeChat re-posts it.

WeChat re-posts a message it got no answer to within 5 s, three tries in all. Time is a FakeClock:
the passive budget, the delivery lease and its heartbeat all run on it, so no test sleeps.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from bot.channels.wechat_dedupe import RETRY_SPAN_S, SENT_AT_MARGIN_S, Answered, Deliveries, Lease
from models.message import Message
from tests.fakes.wechat_user import Probe, RecordingClock, probe_bot, probe_router, wechat_channel

pytestmark = pytest.mark.timeout(30)


@pytest.fixture
def clock() -> RecordingClock:
    return RecordingClock()


@pytest.fixture
def probe() -> Probe:
    return probe_router()


async def until(condition: Callable[[], bool], what: str = "condition") -> None:
    """Yield to the loop (real I/O included) until `condition` holds; fail after 5 s."""
    for _ in range(5000):
        if condition():
            return
        await asyncio.sleep(0.001)
    raise AssertionError(f"timed out waiting for {what}")


def polls(clock: RecordingClock) -> int:
    """How many times a retry has paused to wait for another delivery's result."""
    return sum(1 for seconds in clock.sleeps if seconds <= 0.1)


async def rows(source_id: str, direction: str = "in") -> int:
    return await Message.filter(channel="wechat", direction=direction, source_id=source_id).count()


async def test_same_msgid_three_times_runs_the_handler_once(tmp_path, clock, probe) -> None:
    async with probe_bot(tmp_path, clock, probe) as bot:
        user = bot.user()
        request = user.signed(user.text("echo:三次重试", msg_id=7001))
        replies = [await user.send(request)]
        for _ in range(2):
            await clock.advance(5)
            replies.append(await user.send(user.signed(user.text("echo:三次重试", msg_id=7001))))
        assert [reply.content for reply in replies] == ["三次重试"] * 3
        assert probe.calls == ["echo:三次重试"]
        assert await rows("7001") == 1
        assert await Message.filter(channel="wechat", direction="out").count() == 1


async def test_retries_of_a_first_delivery_get_the_answer_written_with_the_release(tmp_path, clock, probe) -> None:
    """A first delivery skips the database check and its answer is written with the conversation's
    release; retries still get it, and the handler runs once."""
    async with probe_bot(tmp_path, clock, probe) as bot:
        user = bot.user()
        await user.say("echo:先来一条", msg_id=7010)  # the store's memory begins
        await clock.advance(SENT_AT_MARGIN_S)
        replies = [await user.send(user.signed(user.text("echo:记得我", msg_id=7011)))]
        await clock.advance(5)
        replies.append(await user.send(user.signed(user.text("echo:记得我", msg_id=7011))))
        assert [reply.content for reply in replies] == ["记得我"] * 2
        assert probe.calls == ["echo:先来一条", "echo:记得我"]
        assert await rows("7011") == 1


async def test_same_msgid_from_two_customers_is_two_messages(tmp_path, clock, probe) -> None:
    async with probe_bot(tmp_path, clock, probe) as bot:
        alice, bob = bot.user("o_alice_000000000000000001"), bot.user("o_bob_00000000000000000002")
        assert (await alice.say("echo:A", msg_id=42)).content == "A"
        assert (await bob.say("echo:B", msg_id=42)).content == "B"
        assert probe.calls == ["echo:A", "echo:B"]


async def test_retried_event_is_handled_once(tmp_path, clock, probe) -> None:
    async with probe_bot(tmp_path, clock, probe) as bot:
        user = bot.user()
        created = int(clock.time())
        first = await user.post(user.event("subscribe", create_time=created))
        again = await user.post(user.event("subscribe", create_time=created))
        assert first.content == again.content and "感谢关注" in first.content
        assert len(probe.seen) == 1
        later = await user.post(user.event("subscribe", create_time=created + 60))
        assert "感谢关注" in later.content and len(probe.seen) == 2
        assert await rows(f"{created}:subscribe") == 1


async def test_retry_during_slow_processing_gets_the_same_passive_reply(tmp_path, clock, probe) -> None:
    async with probe_bot(tmp_path, clock, probe) as bot:
        user = bot.user()
        request = user.signed(user.text("slow:慢慢来", msg_id=7002))
        first = asyncio.create_task(user.send(request))
        await until(probe.entered.is_set, "the handler to start")
        retry = asyncio.create_task(user.send(user.signed(user.text("slow:慢慢来", msg_id=7002))))
        await until(lambda: polls(clock) > 0, "the retry to wait")
        assert not first.done() and not retry.done()
        probe.gate.set()
        replies = await asyncio.gather(first, retry)
        assert [reply.content for reply in replies] == ["慢慢来", "慢慢来"]
        assert probe.calls == ["slow:慢慢来"]
        assert await rows("7002") == 1
        assert bot.wechat.sent == []


async def test_retry_past_its_budget_answers_success_and_the_reply_goes_once_via_kf(tmp_path, clock, probe) -> None:
    async with probe_bot(tmp_path, clock, probe) as bot:
        user = bot.user()
        first = asyncio.create_task(user.send(user.signed(user.text("slow:稍后回复", msg_id=7003))))
        await until(probe.entered.is_set, "the handler to start")
        await clock.advance(3)
        assert (await first).is_success
        await clock.advance(2)  # WeChat's next try, five seconds after the first
        retry = asyncio.create_task(user.send(user.signed(user.text("slow:稍后回复", msg_id=7003))))
        await until(lambda: polls(clock) > 0, "the retry to wait")
        await clock.advance(3)
        assert (await retry).is_success
        probe.gate.set()
        await wechat_channel(bot).settle()
        assert bot.wechat.texts_to(user.openid) == ["稍后回复"]
        third = await user.send(user.signed(user.text("slow:稍后回复", msg_id=7003)))
        assert third.is_success
        assert probe.calls == ["slow:稍后回复"]
        assert await rows("7003") == 1


async def test_live_lease_is_renewed_while_the_handler_works(tmp_path, clock, probe) -> None:
    async with probe_bot(tmp_path, clock, probe) as bot:
        user = bot.user()
        first = asyncio.create_task(user.send(user.signed(user.text("slow:很慢", msg_id=7004))))
        await until(probe.entered.is_set, "the handler to start")
        await clock.advance(30)  # far past the lease: only the heartbeat keeps it
        assert (await first).is_success
        retry = asyncio.create_task(user.send(user.signed(user.text("slow:很慢", msg_id=7004))))
        await until(lambda: polls(clock) > 0, "the retry to wait")
        await clock.advance(3)
        assert (await retry).is_success
        probe.gate.set()
        await wechat_channel(bot).settle()
        assert probe.calls == ["slow:很慢"]
        assert bot.wechat.texts_to(user.openid) == ["很慢"]


async def test_dead_workers_lease_expires_and_a_retry_handles_the_message(tmp_path, clock, probe) -> None:
    async with probe_bot(tmp_path, clock, probe) as bot:
        user = bot.user()
        deliveries = wechat_channel(bot).deliveries
        assert deliveries is not None
        key = deliveries.key((user.openid, "7005"))
        assert await bot.runtime.store.claim(key, deliveries.lease_s, "processing:worker-that-died")
        retry = asyncio.create_task(user.send(user.signed(user.text("echo:别丢下我", msg_id=7005))))
        await until(lambda: polls(clock) > 0, "the retry to wait for the dead lease")
        assert probe.calls == []
        await clock.advance(deliveries.lease_s + 0.1)
        reply = await retry
        assert reply.content == "别丢下我"
        assert probe.calls == ["echo:别丢下我"]
        assert await rows("7005") == 1


async def test_a_failed_delivery_is_given_back_for_the_next_retry(tmp_path, clock, probe) -> None:
    async with probe_bot(tmp_path, clock, probe) as bot:
        user = bot.user()
        failed = await user.say("fail:再试一次", msg_id=7006)
        assert failed.status == 500
        assert await rows("7006") == 0
        retried = await user.say("fail:再试一次", msg_id=7006)
        assert retried.content == "再试一次"
        assert probe.calls == ["fail:再试一次", "fail:再试一次"]
        assert await rows("7006") == 1


async def test_deliveries_shared_by_two_workers(open_stores, clock: RecordingClock) -> None:
    """Worker B, handed a retry while worker A works, waits for A's answer through the store."""
    worker_a = Deliveries(open_stores(), clock, ttl=600)
    worker_b = Deliveries(open_stores(), clock, ttl=600)
    ids = ("o_user", "8001")
    lease = await worker_a.enter(ids, 3.0)
    assert isinstance(lease, Lease)
    waiting = asyncio.create_task(worker_b.enter(ids, 3.0))
    await until(lambda: polls(clock) > 0, "worker B to wait")
    assert not waiting.done()
    await worker_a.finish(lease, "您好")
    await clock.advance(worker_b.poll_s)
    assert await waiting == Answered("您好")
    assert await worker_b.enter(ids, 3.0) == Answered("您好")


async def test_abandoned_delivery_can_be_claimed_again(open_stores, clock) -> None:
    worker_a = Deliveries(open_stores(), clock, ttl=600)
    worker_b = Deliveries(open_stores(), clock, ttl=600)
    lease = await worker_a.enter(("o_user", "8003"), 3.0)
    assert isinstance(lease, Lease)
    await worker_a.abandon(lease)
    again = await worker_b.enter(("o_user", "8003"), 3.0)
    assert isinstance(again, Lease)
    await worker_b.finish(again, None)
    assert await worker_a.enter(("o_user", "8003"), 3.0) == Answered(None)


async def test_a_delivery_is_a_first_one_only_if_never_claimed_before(open_stores, clock) -> None:
    """A first delivery spares the dispatcher its database check, so a delivery claimed before (its
    lease given back, or run out) never is one; nor is a message sent before the store's memory began
    (a retry after a restart), nor, when the sending time is unknown, one within WeChat's retry span."""
    worker_a = Deliveries(open_stores(), clock, ttl=600)
    worker_b = Deliveries(open_stores(), clock, ttl=600)
    began = clock.time()
    sent_before = await worker_a.enter(("o_user", "8004"), 3.0, sent_at=began - 1)
    assert isinstance(sent_before, Lease) and not sent_before.first_time
    unknown = await worker_a.enter(("o_user", "8006"), 3.0)
    assert isinstance(unknown, Lease) and not unknown.first_time
    lease = await worker_a.enter(("o_user", "8005"), 3.0, sent_at=began + SENT_AT_MARGIN_S)
    assert isinstance(lease, Lease) and lease.first_time
    await worker_a.abandon(lease)
    again = await worker_b.enter(("o_user", "8005"), 3.0, sent_at=began + SENT_AT_MARGIN_S)
    assert isinstance(again, Lease) and not again.first_time
    await clock.advance(RETRY_SPAN_S)
    assert (await worker_b.enter(("o_user", "8007"), 3.0)).first_time
