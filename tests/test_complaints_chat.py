"""The complaint dialogue over the web chat and WeChat, HTTP to the real app (docs/rules.md R-COMPLAINT-1..4):
soothing, answers in any order, the order checked, cancel, retries and repeats never registering two."""

from __future__ import annotations

import pytest

from bot.clock import FakeClock
from handlers.handoff.service import HANDOFF
from models.agent import Agent
from models.complaint import Complaint, ComplaintStep
from models.conversation import Conversation
from models.customer import Customer
from tests.fakes.bot_app import visitor_headers
from tests.fakes.erp_server import order_object, seed_orders
from tests.fakes.wechat_user import wechat_bot

ORDER = "E2026112200123"
BOBS_ORDER = "E2026112200999"


@pytest.fixture
async def bot(bot, clock: FakeClock):
    await seed_orders(order_object(ORDER, "webchat:alice"), order_object(BOBS_ORDER, "webchat:bob"), now=clock.now())
    return bot


async def say(bot, user_id: str, text: str, client_msg_id: str | None = None) -> str:
    body = {"user_id": user_id, "text": text, **({"client_msg_id": client_msg_id} if client_msg_id else {})}
    response = await bot.client.post("/api/webchat/messages", json=body, headers=visitor_headers(bot.runtime, user_id))
    assert response.status == 200, await response.text()
    return "\n".join((await response.json())["replies"])


async def test_a_complaint_is_soothed_collected_step_by_step_and_registered(bot):
    first = await say(bot, "alice", "我要投诉你们")
    assert "心情" in first and "抱歉" not in first  # soothed; no apology before the facts
    assert "发生了什么" in first
    assert "订单" in await say(bot, "alice", "杯子收到的时候把手是断开的，包装也没有防护")
    assert "怎么为您解决" in await say(bot, "alice", ORDER)
    assert "联系电话" in await say(bot, "alice", "希望给我补发一个新的")
    done = await say(bot, "alice", "13800138000")
    [complaint] = await Complaint.all().prefetch_related("order")
    assert complaint.number.startswith("TS20261123") and complaint.number in done
    assert "11-24 10:00" in done  # heard back within 24 h (shop time)
    assert complaint.order.order_no == ORDER and complaint.contact == "13800138000"
    assert "补发" in complaint.desired_outcome and "把手" in complaint.content
    assert complaint.step == "register" and complaint.channel == "webchat"
    assert (await Conversation.get(key="webchat:alice")).escalation_reason == "complaint"
    assert [s.action for s in await ComplaintStep.filter(complaint=complaint)] == ["register"]


async def test_the_shops_fault_is_apologised_for_and_answers_come_in_any_order(bot):
    first = await say(bot, "alice", f"投诉！你们发错货了，订单{ORDER}，我要求退款")
    assert "抱歉" in first or "对不起" in first
    assert "联系电话" in first  # content, order and outcome all taken from the one message
    done = await say(bot, "alice", "就在这里联系吧")
    [complaint] = await Complaint.all()
    assert complaint.number in done and complaint.contact == "webchat"
    assert "退款" in complaint.desired_outcome


async def test_an_order_that_is_missing_or_someone_elses_is_asked_again_revealing_nothing(bot):
    await say(bot, "alice", "我要投诉，东西质量太差了用一次就坏")
    missing = await say(bot, "alice", "E2026112200777")
    assert "没有查到订单E2026112200777" in missing
    others = await say(bot, "alice", BOBS_ORDER)
    assert f"没有查到订单{BOBS_ORDER}" in others and "玻璃水杯" not in others
    assert await Complaint.all().count() == 0
    await say(bot, "alice", ORDER)
    await say(bot, "alice", "我想要换一个新的")
    await say(bot, "alice", "13800138000")
    [complaint] = await Complaint.all().prefetch_related("order")
    assert complaint.order.order_no == ORDER


async def test_no_order_is_a_valid_answer(bot):
    await say(bot, "alice", "我要投诉，你们客服说话太难听了")
    await say(bot, "alice", "没有订单")
    await say(bot, "alice", "要求道歉")
    await say(bot, "alice", "13800138000")
    [complaint] = await Complaint.all()
    assert complaint.order_id is None and complaint.category == "service"


async def test_cancel_midway_registers_nothing(bot):
    await say(bot, "alice", "我要投诉")
    await say(bot, "alice", "快递员态度很差还把东西扔门口")
    assert "先不登记" in await say(bot, "alice", "算了")
    assert await Complaint.all().count() == 0
    assert "怎么为您解决" not in await say(bot, "alice", ORDER)  # the dialogue is over: a parcel question now
    assert await Complaint.all().count() == 0


async def test_a_retried_message_and_a_repeated_complaint_never_register_two(bot):
    await say(bot, "alice", f"投诉 订单{ORDER} 发错货了 要求退款")
    first = await say(bot, "alice", "13800138000", client_msg_id="m-1")
    again = await say(bot, "alice", "13800138000", client_msg_id="m-1")  # the page's retry
    assert first == again
    assert await Complaint.all().count() == 1
    await say(bot, "alice", "好的")  # nobody online: the handoff takes this as the message left (留言)
    # the same matter again while the first is open: added to it
    await say(bot, "alice", f"我还要投诉 订单{ORDER} 客服也一直不回复 要求退款")
    added = await say(bot, "alice", "13800138000")
    [complaint] = await Complaint.all()
    assert complaint.number in added and "补充" in added
    assert "不回复" in complaint.content
    assert "added" in [s.action for s in await ComplaintStep.filter(complaint=complaint)]


async def test_the_dialogue_over_wechat(tmp_path):
    clock = FakeClock()
    async with wechat_bot(tmp_path, clock=clock) as bot:
        await seed_orders(order_object(ORDER, "wechat:o_angry"), now=clock.now())
        user = bot.user("o_angry")
        replies = []
        for text in ("我要投诉", "买的杯子漏水，根本不能用", "希望换一个新的", ORDER, "这个微信联系就行"):
            replies.append((await user.say(text)).content)
        [complaint] = await Complaint.all().prefetch_related("order")
        assert complaint.channel == "wechat" and complaint.order.order_no == ORDER
        assert "换" in complaint.desired_outcome and complaint.contact == "wechat"
        assert complaint.number in "\n".join(replies + bot.wechat.texts_to("o_angry"))


async def test_a_complaint_about_the_last_agent_goes_to_someone_else(bot, clock):
    handoff = bot.runtime.services[HANDOFF]
    amy = await Agent.create(name="amy", role="agent", password_hash="-", created_at=clock.now())
    bea = await Agent.create(name="bea", role="agent", password_hash="-", created_at=clock.now())
    await say(bot, "alice", "你好")
    await Customer.filter(external_id="alice").update(last_agent_id=amy.id)  # amy served her before
    await handoff.set_presence(amy, "online")
    await handoff.set_presence(bea, "online")
    await say(bot, "alice", "我要投诉，刚才那个客服态度很差，没有订单，要求道歉，这里联系")
    [complaint] = await Complaint.all()
    assert complaint.accused_agent_id == amy.id and complaint.owner_id is None
    conversation = await Conversation.get(key="webchat:alice")
    assert conversation.status == "handoff" and conversation.assignee_id == bea.id


async def test_once_a_person_holds_the_conversation_the_dialogue_stops_and_the_bot_is_quiet(bot, clock):
    handoff = bot.runtime.services[HANDOFF]
    amy = await Agent.create(name="amy", role="agent", password_hash="-", created_at=clock.now())
    await handoff.set_presence(amy, "online")
    assert "发生了什么" in await say(bot, "alice", "我要投诉你们")
    await say(bot, "alice", "转人工")  # the dialogue waits; the handoff gives the conversation to amy
    assert (await Conversation.get(key="webchat:alice")).status == "handoff"
    assert await say(bot, "alice", "杯子收到的时候把手是断开的，包装也没有防护") == ""  # amy answers, not the bot
    assert await say(bot, "alice", "13800138000") == ""
    assert await Complaint.all().count() == 0
