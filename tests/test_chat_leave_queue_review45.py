"""Leaving the queue only on a message that is the command (review45), over the web chat to the real app: "我不等了"
inside a request leaves the customer queued and the request goes on; the command alone, with polite words, leaves."""

from __future__ import annotations

import pytest

from handlers.handoff.service import HANDOFF
from models.agent import Agent
from models.conversation import Conversation
from tests.test_complaints_chat import bot
from tests.test_complaints_chat_probe3 import ORDER, say

REQUEST = f"物流太慢了我不等了，帮我登记退款，订单{ORDER}"

__all__ = ["bot"]  # the fixture: the customers' orders seeded


async def queued_behind_busy_agents(bot, clock) -> None:
    amy = await Agent.create(name="amy", role="agent", password_hash="-", capacity=0, created_at=clock.now())
    await bot.runtime.services[HANDOFF].set_presence(amy, "online")
    await say(bot, "alice", "转人工")
    assert (await Conversation.get(key="webchat:alice")).status == "queued"


async def test_not_waiting_inside_a_request_keeps_the_queue_and_the_request(bot, clock):
    await queued_behind_busy_agents(bot, clock)
    answer = await say(bot, "alice", REQUEST)
    assert "取消转人工" not in answer
    assert (await Conversation.get(key="webchat:alice")).status == "queued"


async def test_not_waiting_inside_a_request_while_a_message_is_offered_is_answered_in_the_queue(bot):
    assert "留言" in await say(bot, "alice", "转人工")  # nobody online: a 留言 offered
    answer = await say(bot, "alice", REQUEST)  # a request the bot handles: answered, the place in the queue kept
    assert "登记退款" in answer and "取消转人工" not in answer
    assert (await Conversation.get(key="webchat:alice")).status == "queued"


@pytest.mark.parametrize("command", ["不等了", "我不等了", "算了不等了", "不排了吧", "取消转人工，谢谢"])
async def test_the_command_alone_leaves_the_queue(bot, clock, command):
    await queued_behind_busy_agents(bot, clock)
    assert "取消转人工" in await say(bot, "alice", command)
    assert (await Conversation.get(key="webchat:alice")).status == "bot"
