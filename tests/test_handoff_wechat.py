"""The promise on WeChat, where the platform caps what may be sent: 5 customer-service messages
within 48 h of each customer message, 3 within a minute of a subscribe, menu click or QR scan
(errcode 45047 beyond). The fake WeChat server enforces that quota; the bot keeps a per-customer
budget in the store and spends it so that the holder's answer is never starved."""

from __future__ import annotations

import pytest

from bot.channels.wechat_api import WeChatAPIError
from bot.clock import FakeClock
from handlers.handoff.service import HANDOFF
from models.agent import Agent
from models.conversation import Conversation
from models.handoff import SlaEvent
from tests.fakes.wechat_user import wechat_bot


async def test_fake_wechat_refuses_the_sixth_send_in_48_hours_and_the_fourth_a_minute_after_subscribe(tmp_path):
    clock = FakeClock()
    async with wechat_bot(tmp_path, clock=clock) as bot:
        api = bot.runtime.channels["wechat"].api
        bot.wechat.customer_action("o_writer", "text")
        for n in range(5):
            await api.send_text("o_writer", f"第{n + 1}条")
        with pytest.raises(WeChatAPIError) as refused:
            await api.send_text("o_writer", "第6条")
        assert refused.value.errcode == 45047
        bot.wechat.customer_action("o_writer", "text")  # the customer writes again: 5 more, not 5 + leftovers
        for n in range(5):
            await api.send_text("o_writer", f"再{n + 1}条")
        with pytest.raises(WeChatAPIError):
            await api.send_text("o_writer", "再6条")

        bot.wechat.customer_action("o_new", "event", "subscribe")
        for n in range(3):
            await api.send_text("o_new", f"欢迎{n + 1}")
        with pytest.raises(WeChatAPIError) as refused:
            await api.send_text("o_new", "欢迎4")
        assert refused.value.errcode == 45047
        bot.wechat.customer_action("o_late", "event", "scan")
        await clock.advance(61)
        with pytest.raises(WeChatAPIError) as refused:
            await api.send_text("o_late", "太晚了")
        assert refused.value.errcode == 45015


async def test_the_budget_keeps_the_holders_answer_deliverable(tmp_path):
    clock = FakeClock()
    async with wechat_bot(tmp_path, clock=clock, staffed_hours="00:00-24:00", send_budget_reserve=5) as bot:
        handoff = bot.runtime.services[HANDOFF]
        amy = await Agent.create(name="amy", display_name="小美", role="agent", password_hash="-",
                                 created_at=clock.now())
        await handoff.set_presence(amy, "online")
        customer = bot.user("o_capped_customer")
        await customer.say("转人工")
        held = await Conversation.get(key="wechat:o_capped_customer")
        assert held.assignee_id == amy.id
        await handoff.agent_message(held, amy, "亲，您好，我是小美", confirm=False)
        await customer.say("我的包裹什么时候到")
        await clock.advance(15.1)
        await bot.runtime.scheduler.run_due()
        kinds = await SlaEvent.filter(conversation=held).values_list("kind", flat=True)
        assert "holding_skipped" in kinds and "holding_message" not in kinds  # 5 left, all kept for the answer
        await held.refresh_from_db()
        for n in range(5):
            await handoff.agent_message(held, amy, f"亲，第{n + 1}点说明", confirm=False)
        assert len(bot.wechat.texts_to("o_capped_customer")) == 6  # greeting + 5 answers, all delivered
        assert await bot.runtime.channels["wechat"].sends_left("o_capped_customer") == 0
        await handoff.agent_message(held, amy, "亲，还有吗", confirm=False)
        refused_by_fake = [s for s in bot.wechat.sent if s.errcode]
        assert refused_by_fake == []  # over budget: not even tried


async def test_a_split_answer_is_merged_when_the_budget_is_short_so_its_end_is_not_lost(tmp_path):
    clock = FakeClock()
    async with wechat_bot(tmp_path, clock=clock) as bot:
        outbox, wechat = bot.runtime.outbox, bot.runtime.channels["wechat"]
        bot.wechat.customer_action("o_short", "text")
        await bot.runtime.channels["wechat"].budget.customer_action("o_short")
        assert await outbox.send("wechat", "o_short", ["第一条", "第二条", "第三条"]) == ["sent"] * 3
        assert await wechat.sends_left("o_short") == 2
        parts = ["亲，退货地址如下：", "浙江省杭州市某路1号", "收件人：售后部", "请备注订单号哦~"]
        assert await outbox.send("wechat", "o_short", parts) == ["sent"] * 4
        delivered = bot.wechat.texts_to("o_short")[3:]
        assert len(delivered) == 2 and "\n".join(delivered) == "\n".join(parts)  # nothing lost, order kept
        assert [s for s in bot.wechat.sent if s.errcode] == []


async def test_a_move_is_not_announced_with_the_last_message_the_answer_needs(tmp_path):
    clock = FakeClock()
    async with wechat_bot(tmp_path, clock=clock, staffed_hours="00:00-24:00") as bot:
        handoff = bot.runtime.services[HANDOFF]
        amy = await Agent.create(name="amy", role="agent", password_hash="-", created_at=clock.now())
        await handoff.set_presence(amy, "online")
        customer = bot.user("o_moved")
        await customer.say("转人工")
        held = await Conversation.get(key="wechat:o_moved")
        await handoff.agent_message(held, amy, "亲，您好", confirm=False)
        bob = await Agent.create(name="bob", role="agent", password_hash="-", created_at=clock.now())
        await handoff.set_presence(bob, "online")
        await customer.say("我的包裹什么时候到")
        await bot.runtime.outbox.send("wechat", "o_moved", ["物流说明一", "物流说明二", "物流说明三", "物流说明四"])
        wechat = bot.runtime.channels["wechat"]
        assert await wechat.sends_left("o_moved") == 1
        await clock.advance(13.1)
        await bot.runtime.scheduler.run_due()
        await held.refresh_from_db()
        assert held.assignee_id == bob.id  # moved to bob, free to answer
        assert await wechat.sends_left("o_moved") == 1  # the one message left is bob's answer
        kinds = await SlaEvent.filter(conversation=held).values_list("kind", flat=True)
        assert "announce_skipped" in kinds  # the silence is on record, as a skipped holding message is
        await handoff.agent_message(held, bob, "亲，明天到", confirm=False)
        assert bot.wechat.texts_to("o_moved")[-1] == "亲，明天到"
