"""WeCom sends refused for a passing reason survive what the store forgets: their rows (pending, with the
refusal's reason) are the truth, read again at start-up (bot/channels/wecom.py `reconcile`), and a queue
whose deadline was dropped is planned again by the next send (docs/wecom.md, "Sending")."""

from __future__ import annotations

import pytest

from bot.channels.base import RETRYING
from bot.channels.wecom import RESEND, RESEND_DELAYS_S, RESEND_KEPT_S
from tests.fakes.wecom_server import FakeWeCom
from tests.test_wecom_channel import ALICE, wecom_bot
from tests.test_wecom_resilience import rows_of

pytestmark = pytest.mark.timeout(60)


async def test_a_send_refused_before_a_restart_with_an_empty_store_goes_after_the_delay(tmp_path, clock, database_url):
    async with FakeWeCom(clock=clock) as fake:
        async with wecom_bot(tmp_path, clock, fake, database_url=database_url) as wecom:
            await wecom.say(ALICE, "你好")
            fake.refuse_next = [45009]
            assert await wecom.bot.runtime.outbox.send("wecom", ALICE, ["退款已到账"]) == [RETRYING]
            assert await wecom.bot.runtime.outbox.send("wecom", ALICE, ["请查收"]) == [RETRYING]  # behind it
            await wecom.bot.runtime.recorder.settle()
        async with wecom_bot(tmp_path, clock, fake, database_url=database_url) as wecom:  # an empty store
            runtime = wecom.bot.runtime
            await runtime.scheduler.run_due()
            assert fake.texts_to(ALICE)[-1:] != ["请查收"]  # not before the delay
            await clock.advance(RESEND_DELAYS_S[0])
            await runtime.scheduler.run_due()
            await runtime.recorder.settle()
            owed = ["退款已到账", "请查收"]
            assert [text for text in fake.texts_to(ALICE) if text in owed] == owed
            assert await rows_of("退款已到账") == [("sent", None)] and await rows_of("请查收") == [("sent", None)]
            [refused, sent] = [s for s in fake.sent if s.content == "退款已到账"]
            assert refused.errcode == 45009 and refused.payload["msgid"] == sent.payload["msgid"]  # WeCom's repeat


async def test_a_row_past_its_window_is_recorded_undeliverable_at_start_up(tmp_path, clock, database_url):
    async with FakeWeCom(clock=clock) as fake:
        async with wecom_bot(tmp_path, clock, fake, database_url=database_url) as wecom:
            await wecom.say(ALICE, "你好")
            fake.refuse_next = [45033]
            assert await wecom.bot.runtime.outbox.send("wecom", ALICE, ["昨天的消息"]) == [RETRYING]
            await wecom.bot.runtime.recorder.settle()
        await clock.advance(RESEND_KEPT_S + 1)
        async with wecom_bot(tmp_path, clock, fake, database_url=database_url) as wecom:
            await wecom.bot.runtime.recorder.settle()
            assert await rows_of("昨天的消息") == [("undeliverable", "errcode_45033")]
            await clock.advance(sum(RESEND_DELAYS_S))
            await wecom.bot.runtime.scheduler.run_due()
            assert [s.errcode for s in fake.sent if s.content == "昨天的消息"] == [45033]  # never tried again


async def test_a_queue_whose_deadline_was_dropped_is_sent_with_the_next_send(tmp_path, clock):
    async with wecom_bot(tmp_path, clock) as wecom:
        runtime, fake = wecom.bot.runtime, wecom.fake
        await wecom.say(ALICE, "你好")
        fake.refuse_next = [45009]
        assert await runtime.outbox.send("wecom", ALICE, ["第一条"]) == [RETRYING]
        await runtime.scheduler.cancel(RESEND, ALICE)  # as the scheduler drops it after MAX_ATTEMPTS failures
        assert await runtime.outbox.send("wecom", ALICE, ["第二条"]) == [RETRYING]  # behind the queue
        await clock.advance(RESEND_DELAYS_S[0])
        await runtime.scheduler.run_due()
        await runtime.recorder.settle()
        assert [text for text in fake.texts_to(ALICE) if text.startswith("第")] == ["第一条", "第二条"]
        assert await rows_of("第二条") == [("sent", None)]
