"""What probe3 found in the chat, over the web chat to the real app (docs/rules.md R-COMPLAINT-2, R-COMPLAINT-3,
R-CALLBACK-1): a refused phone call files the complaint (and is kept after it), a wrong order number
does not loop, and the customer may ask where their complaint is."""

from __future__ import annotations

from datetime import timedelta

import pytest

from handlers.callbacks.desk import DESK
from handlers.callbacks.schedule import sweep
from handlers.complaints.service import NO_PHONE
from models.callback import Callback
from models.complaint import Complaint, ComplaintStep
from models.conversation import Conversation
from tests.fakes.bot_app import visitor_headers
from tests.test_complaints_chat import BOBS_ORDER, ORDER, bot

__all__ = ["bot"]  # the fixture: alice's and bob's orders seeded


async def say(bot, user_id: str, text: str) -> str:
    response = await bot.client.post("/api/webchat/messages", json={"user_id": user_id, "text": text},
                                     headers=visitor_headers(bot.runtime, user_id))
    assert response.status == 200, await response.text()
    return "\n".join((await response.json())["replies"])


async def complaint_at_contact_step(bot) -> None:
    await say(bot, "alice", "我要投诉你们")
    await say(bot, "alice", "杯子收到的时候把手是断开的，包装也没有防护")
    await say(bot, "alice", ORDER)
    assert "联系电话" in await say(bot, "alice", "希望给我补发一个新的")


@pytest.mark.parametrize("refusal", ["别再打了", "别打电话", "不用打电话了", "不方便留电话", "不想留",
                                     "不要联系我"])
async def test_refusing_a_call_at_the_contact_step_files_the_complaint_without_a_phone(bot, refusal):
    await complaint_at_contact_step(bot)
    answer = await say(bot, "alice", refusal)
    [complaint] = await Complaint.all()
    assert complaint.contact == NO_PHONE and complaint.number in answer
    assert "不会给您打电话" in answer
    assert "补发" in complaint.desired_outcome


async def test_refusing_calls_after_filing_is_recorded_on_the_complaint_and_no_callback_calls(bot, clock):
    await complaint_at_contact_step(bot)
    await say(bot, "alice", "13800138000")
    [complaint] = await Complaint.all()
    assert complaint.contact == "13800138000"
    await say(bot, "alice", "别打扰我，我不想留评价")  # not about calls: the contact stays
    await complaint.refresh_from_db()
    assert complaint.contact == "13800138000"
    answer = await say(bot, "alice", "别再打了")
    await complaint.refresh_from_db()
    assert complaint.contact == NO_PHONE and complaint.number in answer and "不会给您打电话" in answer
    assert "no_phone" in [s.action for s in await ComplaintStep.filter(complaint=complaint)]
    conversation = await Conversation.get(key="webchat:alice")
    assert conversation.escalation_reason == "complaint"  # the filing's own escalation, nothing new
    # closed: the callbacks area does not schedule a 投诉回访 by phone for it
    await Complaint.filter(id=complaint.id).update(step="closed", closed_at=clock.now())
    await clock.advance(timedelta(days=3))
    await sweep(bot.runtime.services[DESK])
    assert not await Callback.filter(kind="complaint").exists()


async def test_a_closed_complaint_that_may_be_called_gets_its_callback(bot, clock):
    await complaint_at_contact_step(bot)
    await say(bot, "alice", "13800138000")
    await Complaint.all().update(step="closed", closed_at=clock.now())
    await clock.advance(timedelta(days=3))
    await sweep(bot.runtime.services[DESK])
    assert await Callback.filter(kind="complaint").exists()


async def test_a_wrong_order_is_asked_once_then_the_complaint_goes_on_without_it(bot):
    await say(bot, "alice", "我要投诉，东西质量太差了用一次就坏")
    assert "没有查到订单" in await say(bot, "alice", BOBS_ORDER)
    second = await say(bot, "alice", "E2026112200777")
    assert "不关联订单" in second and "怎么为您解决" in second
    await say(bot, "alice", "退款")
    await say(bot, "alice", "13800138000")
    [complaint] = await Complaint.all()
    assert complaint.order_id is None and complaint.contact == "13800138000" and "退款" in complaint.desired_outcome


@pytest.mark.parametrize("answer", ["找不到了", "不知道", "没有订单"])
async def test_after_a_wrong_order_no_order_answers_are_taken(bot, answer):
    await say(bot, "alice", "我要投诉，东西质量太差了用一次就坏")
    await say(bot, "alice", BOBS_ORDER)
    assert "怎么为您解决" in await say(bot, "alice", answer)


async def test_a_phone_and_an_outcome_given_while_the_order_is_asked_are_kept(bot):
    await say(bot, "alice", "我要投诉，东西质量太差了用一次就坏")
    await say(bot, "alice", BOBS_ORDER)
    await say(bot, "alice", "退款")
    await say(bot, "alice", "13800138000")
    done = await say(bot, "alice", "没有订单")
    [complaint] = await Complaint.all()
    assert complaint.number in done
    assert complaint.contact == "13800138000" and "退款" in complaint.desired_outcome


async def test_where_is_my_complaint(bot):
    none = await say(bot, "alice", "我的投诉处理到哪了")
    assert "没有查到" in none and "登记" in none
    await complaint_at_contact_step(bot)
    await say(bot, "alice", "13800138000")
    [complaint] = await Complaint.all()
    status = await say(bot, "alice", "我的投诉处理到哪了")
    assert complaint.number in status and "已登记" in status and "11-24 10:00" in status
    await say(bot, "alice", "好的")  # nobody online: taken as the message left (留言)
    await say(bot, "alice", "我要投诉，你们客服说话太难听了，没有订单，要求道歉，这里联系")
    both = await say(bot, "alice", "投诉进度怎么样了")
    assert all(c.number in both for c in await Complaint.all()) and await Complaint.all().count() == 2
