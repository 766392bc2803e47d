"""Redis restarted without persistence (issue 10, item 7): nothing answered twice, deadlines come back.

Each test runs its own `redis-server` (no persistence, like the CI one) and kills it mid-test, so
every key is gone: dedupe claims, reply caches, deadlines, who holds a conversation. The database's
unique keys stop a retried message from being answered again, and the periodic reconciliation
re-arms from the database what lived only in the store.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from bot.clock import FakeClock
from bot.store.base import Store
from handlers.handoff.service import ALERT, OFFER
from handlers.handoff.sla import ACK, GREET, LAPSE, MOVE, REASSIGN
from handlers.referral.jobs import SYNC_KIND
from models.agent import Agent
from models.conversation import Conversation
from models.message import Message
from tests.fakes.bot_app import eventually, make_settings, running_bot
from tests.fakes.wechat_user import PROBE_TEMPLATES, probe_router, scripts_with, wechat_bot
from tests.redis_server import RedisServer

pytestmark = pytest.mark.timeout(60)


def answering(store: Store) -> Callable[[], Coroutine[Any, Any, bool]]:
    async def check() -> bool:
        try:
            await store.ping()
        except store.unavailable:
            return False
        return True

    return check


async def test_wechat_retry_after_a_redis_restart_is_not_answered_again(
    tmp_path: Path, own_redis: RedisServer
) -> None:
    clock, probe = FakeClock(), probe_router()
    async with wechat_bot(tmp_path, clock=clock, routers=[probe.router], redis_url=own_redis.url,
                          scripts_dir=scripts_with(tmp_path, PROBE_TEMPLATES)) as bot:
        user = bot.user()
        first = await user.say("echo:只回一次", msg_id=9001)
        assert first.content == "只回一次"

        own_redis.restart()  # the delivery's dedupe claim and cached reply are gone
        await clock.advance(5)  # WeChat's retry (it did not get our first answer)
        retry = await user.send(user.signed(user.text("echo:只回一次", msg_id=9001)))
        # The answer is recorded as delivered, so nothing is owed: WeChat gets `success`, nothing goes again.
        assert retry.is_success
        assert probe.calls == ["echo:只回一次"], "handled once"
        assert await Message.filter(channel="wechat", direction="in", source_id="9001").count() == 1
        assert await Message.filter(channel="wechat", direction="out").count() == 1
        assert bot.wechat.sent == []

        assert (await user.say("echo:新消息", msg_id=9002)).content == "新消息", "new messages still answered"


async def test_web_chat_resend_after_a_redis_restart_is_not_answered_again(
    tmp_path: Path, own_redis: RedisServer
) -> None:
    async with running_bot(make_settings(tmp_path, redis_url=own_redis.url), clock=FakeClock()) as bot:
        body = {"user_id": "phone-1", "text": "什么时候发货呀", "client_msg_id": "m-1"}
        first = await bot.post_chat(body)
        assert first.status == 200 and (await first.json())["replies"]
        answered = await Message.filter(direction="out").count()

        own_redis.restart()
        again = await bot.post_chat(body)
        assert again.status == 200
        assert (await again.json())["replies"] == [], "recorded as delivered: nothing is owed, nothing handled twice"
        assert await Message.filter(direction="out").count() == answered


async def test_recurring_deadlines_are_rearmed_by_the_periodic_pass(tmp_path: Path, own_redis: RedisServer) -> None:
    clock = FakeClock()
    settings = make_settings(tmp_path, redis_url=own_redis.url, reconcile_interval_s=0.05)  # real seconds
    async with running_bot(settings, clock=clock) as bot:
        store = bot.runtime.store
        assert await store.next_due("daily") is not None
        assert await store.next_due(SYNC_KIND) is not None

        own_redis.restart()  # the worker's next pass notices, with no restart of ours

        async def rearmed() -> bool:
            # The worker's pass claimed the store again (its sentinel) and finished (a pass in flight
            # keeps its claim's value, which a second pass meanwhile would share), and the deadlines
            # are back: one the scheduler held through the outage can be put back before that pass runs.
            return (bot.runtime.reconciler._epoch is None and await store.get(store.keys("store-epoch")) is not None
                    and await store.next_due("daily") is not None and await store.next_due(SYNC_KIND) is not None)

        await eventually(rearmed, "the deadlines to be re-armed")
        assert await bot.runtime.reconciler.run_once() is False, "rebuilt once, not on every pass"


async def test_handoff_holders_and_sla_clocks_come_back_from_the_database(
    tmp_path: Path, own_redis: RedisServer
) -> None:
    clock = FakeClock()
    async with running_bot(make_settings(tmp_path, redis_url=own_redis.url), clock=clock) as bot:
        runtime, store = bot.runtime, bot.runtime.store
        now = clock.now()
        agent = await Agent.create(name="xiaoli", display_name="小李", password_hash="-", presence="online",
                                   created_at=now)
        held, queued = [await runtime.recorder.identify("webchat", user) for user in ("held", "queued")]
        await Conversation.filter(id=held.conversation_id).update(
            status="handoff", assignee_id=agent.id, assigned_at=now, waiting_since=now, unacked_since=now)
        await Conversation.filter(id=queued.conversation_id).update(status="queued", queued_at=now,
                                                                   unacked_since=now)

        own_redis.restart()
        await eventually(answering(store), "Redis to answer again")
        assert await runtime.reconciler.run_once() is True

        assert await store.get(store.keys("handoff", "webchat:held")) is not None
        assert await store.get(store.keys("handoff", "webchat:queued")) is not None
        settings = runtime.settings
        reply = now.timestamp() + settings.sla_reply_s
        assert await store.next_due(GREET) == pytest.approx(now.timestamp())  # the first holder: at once
        assert await store.next_due(MOVE) == pytest.approx(now.timestamp() + settings.sla_move_untouched_after_s)
        assert await store.next_due(ACK) == pytest.approx(reply - settings.sla_hold_margin_s)
        assert await store.next_due(LAPSE) == pytest.approx(reply)
        assert await store.next_due(REASSIGN) == pytest.approx(now.timestamp() + settings.sla_reassign_after_s)
        assert await store.next_due(ALERT) == pytest.approx(now.timestamp() + settings.queue_alert_after_s)
        assert len(await store.pop_due(ACK, now.timestamp() + settings.sla_reply_s)) == 2  # queued one too
        assert await store.next_due(OFFER) == pytest.approx(
            (now + timedelta(seconds=settings.queue_offer_message_after_s)).timestamp())

        # The re-armed greeting fires on time: the customer is greeted on the agent's behalf.
        async with bot.client.ws_connect(bot.page_url("held")) as page:
            await clock.advance(settings.sla_first_response_s)
            await runtime.scheduler.run_due()
            greeting = await asyncio.wait_for(page.receive_json(), 5)
        assert "小李" in greeting["text"]


async def test_scheduler_outage_is_one_log_line_not_one_per_tick(
    tmp_path: Path, own_redis: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "csbot.scheduler")
    clock = FakeClock()
    settings = make_settings(tmp_path, redis_url=own_redis.url, redis_pool_wait_s=0.2)
    async with running_bot(settings, clock=clock) as bot:
        store = bot.runtime.scheduler.store
        failed_ticks = 0
        pop_due_kinds = store.pop_due_kinds

        async def counted(*args: Any) -> Any:
            nonlocal failed_ticks
            try:
                return await pop_due_kinds(*args)
            except store.unavailable:
                failed_ticks += 1  # the ticker goes back to sleep without another await
                raise

        store.pop_due_kinds = counted  # type: ignore[method-assign]

        async def ticked(count: int) -> bool:
            if failed_ticks < count:
                await clock.advance(bot.runtime.scheduler.tick)  # again, should the ticker have been busy
            return failed_ticks >= count

        own_redis.stop()
        for count in range(1, 5):  # each tick's store call fails after its connect timeout
            await eventually(partial(ticked, count), f"failed tick {count}")
        paused = [r for r in caplog.records if r.name == "csbot.scheduler" and "paused" in r.getMessage()]
        assert len(paused) == 1
        assert not [r for r in caplog.records if r.name == "csbot.scheduler" and r.levelname == "ERROR"]
        own_redis.start()
        for _ in range(50):
            await clock.advance(bot.runtime.scheduler.tick)
            await asyncio.sleep(0.02)
            if "scheduler resumed" in caplog.text:
                break
        assert "scheduler resumed" in caplog.text
