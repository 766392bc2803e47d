"""The WeCom 微信客服 channel across restarts and transient refusals: the real app on a real socket,
`FakeWeCom` on another, read back from the fake (what the customer received) and the database."""

from __future__ import annotations

import pytest

from bot.channels.base import RETRYING
from bot.channels.wecom import RESEND_DELAYS_S
from handlers.handoff.delivery import part_delivery
from models.message import Message
from models.wecom import KfCustomer
from tests.fakes.wecom_server import OPEN_KFID, FakeWeCom
from tests.test_wecom_channel import ALICE, wecom_bot

pytestmark = pytest.mark.timeout(60)


async def test_after_a_restart_an_agent_still_reaches_a_customer_who_wrote_before_it(tmp_path, clock, database_url):
    async with FakeWeCom(clock=clock) as fake:
        async with wecom_bot(tmp_path, clock, fake, database_url=database_url) as wecom:
            assert await wecom.say(ALICE, "你好")
        # the runtime restarts: the same database, an empty store
        async with wecom_bot(tmp_path, clock, fake, database_url=database_url) as wecom:
            outcomes = await wecom.bot.runtime.outbox.send("wecom", ALICE, ["您的退款已经处理好了"], author="agent")
            assert outcomes == ["sent"]
            [sent] = [s for s in fake.delivered(ALICE) if s.content == "您的退款已经处理好了"]
            assert sent.payload["open_kfid"] == OPEN_KFID
            assert [row.open_kfid for row in await KfCustomer.filter(external_userid=ALICE)] == [OPEN_KFID]


async def rows_of(text: str) -> list[tuple[str, str | None]]:
    return [(row.delivery_status, row.failure_reason)
            for row in await Message.filter(channel="wecom", direction="out", text=text)]


async def test_a_send_refused_for_a_passing_reason_is_sent_later_and_a_final_refusal_is_not(tmp_path, clock):
    async with wecom_bot(tmp_path, clock) as wecom:
        runtime, fake = wecom.bot.runtime, wecom.fake
        await wecom.say(ALICE, "你好")
        fake.refuse_next = [45009]  # over WeCom's frequency limit
        assert await runtime.outbox.send("wecom", ALICE, ["您的包裹已发出"], author="agent") == [RETRYING]
        assert part_delivery(RETRYING) == "unconfirmed"  # the console offers the agent no resend of it
        await runtime.recorder.settle()
        assert await rows_of("您的包裹已发出") == [("pending", "errcode_45009")]
        await clock.advance(RESEND_DELAYS_S[0] - 1)
        await runtime.scheduler.run_due()
        assert [sent.errcode for sent in fake.sent if sent.content == "您的包裹已发出"] == [45009]  # not yet
        fake.refuse_next = [45033]  # still limited at the first later attempt: deferred again
        await clock.advance(1)
        await runtime.scheduler.run_due()
        assert [sent.errcode for sent in fake.sent if sent.content == "您的包裹已发出"] == [45009, 45033]
        await clock.advance(RESEND_DELAYS_S[1])
        await runtime.scheduler.run_due()
        await runtime.recorder.settle()
        assert fake.texts_to(ALICE).count("您的包裹已发出") == 1
        assert await rows_of("您的包裹已发出") == [("sent", None)]

        fake.refuse_next = [95018]  # the session's state refuses: final, never tried again
        assert await runtime.outbox.send("wecom", ALICE, ["第二条"]) == ["session_state_refuses"]
        await clock.advance(sum(RESEND_DELAYS_S))
        await runtime.scheduler.run_due()
        assert [sent.content for sent in fake.sent].count("第二条") == 1

        fake.refuse_next = [45009] * (len(RESEND_DELAYS_S) + 1)  # limited every time: a few attempts, then final
        assert await runtime.outbox.send("wecom", ALICE, ["第三条"]) == [RETRYING]
        for delay in RESEND_DELAYS_S:
            await clock.advance(delay)
            await runtime.scheduler.run_due()
        await clock.advance(24 * 3600)
        await runtime.scheduler.run_due()
        await runtime.recorder.settle()
        assert await rows_of("第三条") == [("undeliverable", "errcode_45009")]
        assert [sent.errcode for sent in fake.sent if sent.content == "第三条"] == [45009] * 4


async def test_a_send_whose_answer_was_lost_is_sent_again_once_with_the_same_msgid(tmp_path, clock):
    async with wecom_bot(tmp_path, clock) as wecom:
        runtime, fake = wecom.bot.runtime, wecom.fake
        await wecom.say(ALICE, "你好")
        fake.drop_answers = 1  # WeCom took it, the answer was lost on the way back
        assert await runtime.outbox.send("wecom", ALICE, ["发票已开好"]) == [RETRYING]
        await clock.advance(RESEND_DELAYS_S[0])
        await runtime.scheduler.run_due()
        await runtime.recorder.settle()
        attempts = [sent for sent in fake.sent if sent.content == "发票已开好"]
        assert len(attempts) == 1 and fake.texts_to(ALICE).count("发票已开好") == 1  # the repeat's msgid: taken once
        assert await rows_of("发票已开好") == [("sent", None)]


async def test_a_send_after_one_waiting_for_its_retry_waits_behind_it_so_the_customer_reads_them_in_order(
        tmp_path, clock):
    async with wecom_bot(tmp_path, clock) as wecom:
        runtime, fake = wecom.bot.runtime, wecom.fake
        await wecom.say(ALICE, "你好")
        fake.refuse_next = [45009]
        assert await runtime.outbox.send("wecom", ALICE, ["第一条：已为您登记退货"]) == [RETRYING]
        assert await runtime.outbox.send("wecom", ALICE, ["第二条：快递员明天上门"]) == [RETRYING]
        assert [sent.content for sent in fake.sent if sent.content.startswith("第二条")] == []  # not tried yet
        await clock.advance(RESEND_DELAYS_S[0])
        await runtime.scheduler.run_due()
        await runtime.recorder.settle()
        assert [text for text in fake.texts_to(ALICE) if text.startswith("第")] == ["第一条：已为您登记退货",
                                                                                  "第二条：快递员明天上门"]
        assert await rows_of("第二条：快递员明天上门") == [("sent", None)]
        assert await runtime.outbox.send("wecom", ALICE, ["第三条"]) == ["sent"]  # the queue is empty again
