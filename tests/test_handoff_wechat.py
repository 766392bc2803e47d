"""The promise on WeChat, where the platform caps what may be sent: a capped channel gets the agent
alert and a reassignment instead of another holding message."""

from __future__ import annotations

from bot.clock import FakeClock
from handlers.handoff.service import HANDOFF
from models.agent import Agent
from models.conversation import Conversation
from models.handoff import SlaEvent
from models.message import Message
from tests.fakes.wechat_user import wechat_bot


async def test_capped_channel_gets_reassignment_instead_of_a_holding_message(tmp_path):
    clock = FakeClock()
    async with wechat_bot(tmp_path, clock=clock, staffed_hours="00:00-24:00", sla_misses_before_reassign=5) as bot:
        handoff = bot.runtime.services[HANDOFF]
        amy = await Agent.create(name="amy", role="agent", password_hash="-", created_at=clock.now())
        await handoff.set_presence(amy, "online")
        customer = bot.user("o_capped_customer")
        await customer.say("转人工")
        held = await Conversation.get(key="wechat:o_capped_customer")
        assert held.assignee_id == amy.id
        await handoff.agent_message(held, amy, "亲，您好，我是客服amy", confirm=False)
        bob = await Agent.create(name="bob", role="agent", password_hash="-", created_at=clock.now())
        await handoff.set_presence(bob, "online")

        bot.wechat.fail_for("o_capped_customer", 45047)  # the customer-service API refuses more messages
        await customer.say("我的包裹什么时候到")
        await clock.advance(15.1)
        await bot.runtime.scheduler.run_due()

        await held.refresh_from_db()
        assert held.assignee_id == bob.id and amy.id in held.lapsed_agents
        kinds = await SlaEvent.filter(conversation=held).values_list("kind", flat=True)
        assert "near_breach" in kinds and "reassigned" in kinds and "holding_message" not in kinds
        refused = await Message.filter(conversation=held, author="system", delivery_status="undeliverable").count()
        assert refused >= 1
        assert await SlaEvent.filter(kind="reassigned", detail="holding_unavailable").count() == 1
