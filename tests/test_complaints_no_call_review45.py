"""What review45 found in the refusal of calls, over the web chat to the real app (docs/rules.md R-COMPLAINT-2):
someone else not answering (快递员不接电话), a time for the call, or someone else to spare is no refusal, the
customer's words are stored as written, and outside the dialogue a refusal counts only as a message of its own."""

from __future__ import annotations

import pytest

from bot.extract import normalise
from handlers.complaints.service import NO_PHONE
from models.complaint import Complaint
from tests.test_complaints_chat import bot
from tests.test_complaints_chat_probe3 import ORDER, complaint_at_contact_step, say

__all__ = ["bot"]  # the fixture: the customers' orders seeded


@pytest.mark.parametrize("words", ["快递员不接电话，包裹一直不送", "你们不接电话吗，包裹一直不送",
                                   "能不能别打电话联系我老公，杯子是坏的"])
async def test_someone_else_and_calls_is_no_refusal_and_the_words_are_kept(bot, words):
    await say(bot, "alice", "我要投诉")
    answer = await say(bot, "alice", words)
    assert "不会给您打电话" not in answer
    await say(bot, "alice", ORDER)
    await say(bot, "alice", "希望给我补发一个新的")
    await say(bot, "alice", "13800138000")
    [complaint] = await Complaint.all()
    assert complaint.contact == "13800138000"
    assert normalise(words) in complaint.content  # as written (half-width punctuation, as every message)


@pytest.mark.parametrize("words", ["我平时上班不接电话，晚上打", "上班时间别打电话，晚上8点再打"])
async def test_a_time_for_the_call_keeps_the_phone(bot, words):
    await complaint_at_contact_step(bot)
    await say(bot, "alice", "13800138000")
    answer = await say(bot, "alice", words)
    [complaint] = await Complaint.all()
    assert complaint.contact == "13800138000" and "不会给您打电话" not in answer


async def test_a_refusal_inside_the_complaint_keeps_the_rest_of_the_words(bot):
    await say(bot, "alice", "我要投诉")
    await say(bot, "alice", "别给我打电话，杯子收到就是碎的")
    await say(bot, "alice", ORDER)
    await say(bot, "alice", "希望给我补发一个新的")
    [complaint] = await Complaint.all()
    assert complaint.contact == NO_PHONE and normalise("别给我打电话，杯子收到就是碎的") in complaint.content


async def filed_with_phone(bot) -> Complaint:
    await complaint_at_contact_step(bot)
    await say(bot, "alice", "13800138000")
    [complaint] = await Complaint.all()
    return complaint


@pytest.mark.parametrize("question", ["另外快递员不接电话，我的退货包裹到哪了", "客服不接电话，投诉到底怎么样了",
                                      "别再给我打电话了，投诉到底怎么样了"])
async def test_an_open_complaint_does_not_hijack_a_question(bot, question):
    complaint = await filed_with_phone(bot)
    answer = await say(bot, "alice", question)
    await complaint.refresh_from_db()
    assert complaint.contact == "13800138000" and "不会给您打电话" not in answer


async def test_a_status_question_wins_over_a_refusal(bot):
    complaint = await filed_with_phone(bot)
    answer = await say(bot, "alice", "别再给我打电话了，投诉到底怎么样了")
    assert complaint.number in answer and "已登记" in answer


@pytest.mark.parametrize("refusal", ["别给我打电话", "不方便接电话", "别再打了，有事微信说就行"])
async def test_a_refusal_written_alone_is_still_recorded(bot, refusal):
    complaint = await filed_with_phone(bot)
    answer = await say(bot, "alice", refusal)
    await complaint.refresh_from_db()
    assert complaint.contact == NO_PHONE and "不会给您打电话" in answer


async def test_a_refusal_with_the_trigger_alone_still_asks_what_happened(bot):
    answer = await say(bot, "alice", "我要投诉，别给我打电话")
    assert "具体说一下发生了什么" in answer, answer
