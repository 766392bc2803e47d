"""A bare 取消 does what the conversation's state means (probe3), over the web chat to the real app:
in a dialogue it ends that dialogue (R-COMPLAINT-2); waiting in the queue (web chat, WeCom) it leaves the queue, with a
confirmation, never a refund or a 留言; with nothing pending it asks what to cancel and acts on nothing."""

from __future__ import annotations

from handlers.handoff.service import HANDOFF
from models.agent import Agent
from models.complaint import Complaint
from models.conversation import Conversation
from tests.test_complaints_chat_probe3 import say
from tests.test_wecom_channel import ALICE, wecom_bot


async def test_cancel_with_nothing_pending_asks_what_to_cancel(bot):
    await say(bot, "alice", "你好")
    answer = await say(bot, "alice", "取消")
    assert "取消什么" in answer and "跟进" not in answer
    assert await Conversation.filter(status="queued").count() == 0


async def test_cancel_in_a_dialogue_cancels_that_dialogue(bot):
    await say(bot, "alice", "我要投诉")
    assert "先不登记" in await say(bot, "alice", "取消")
    assert await Complaint.all().count() == 0


async def test_cancel_while_queued_leaves_the_queue(bot):
    await say(bot, "alice", "转人工")
    assert (await Conversation.get(key="webchat:alice")).status == "queued"
    answer = await say(bot, "alice", "取消")
    assert "取消转人工" in answer and "留言" not in answer
    assert (await Conversation.get(key="webchat:alice")).status == "bot"
    assert "取消什么" in await say(bot, "alice", "取消")  # nothing pending any more


async def test_cancel_while_queued_behind_busy_agents_leaves_the_queue(bot, clock):
    amy = await Agent.create(name="amy", role="agent", password_hash="-", capacity=0, created_at=clock.now())
    await bot.runtime.services[HANDOFF].set_presence(amy, "online")
    queued = await say(bot, "alice", "转人工")
    conversation = await Conversation.get(key="webchat:alice")
    assert conversation.status == "queued", queued
    answer = await say(bot, "alice", "取消")
    assert "取消转人工" in answer and "退款" not in answer
    assert (await Conversation.get(key="webchat:alice")).status == "bot"


async def test_cancel_while_queued_on_wecom_leaves_the_queue(tmp_path, clock):
    async with wecom_bot(tmp_path, clock) as wecom:
        amy = await Agent.create(name="amy", role="agent", password_hash="-", capacity=0, created_at=clock.now())
        await wecom.bot.runtime.services[HANDOFF].set_presence(amy, "online")
        await wecom.say(ALICE, "转人工")
        assert (await Conversation.get(key=f"wecom:{ALICE}")).status == "queued"
        answer = "\n".join(await wecom.say(ALICE, "取消"))
        assert "取消转人工" in answer and "退款" not in answer
        assert (await Conversation.get(key=f"wecom:{ALICE}")).status == "bot"
