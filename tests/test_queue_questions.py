"""A customer waiting for a person is told 等待期间有问题也可以先问我: a question the bot answers is answered
and the customer keeps their place; a 留言 is taken only where the bot offered one, only for a message
for the staff, and the offer lapses after half an hour of silence (handlers/handoff/chat.py,
docs/handoff-sla.md). The real app over HTTP (web chat) with a FakeClock."""

from __future__ import annotations

import pytest

from bot.clock import FakeClock
from bot.state import ConversationState
from handlers.handoff.chat import OFFER_LAPSES_AFTER_S
from handlers.handoff.service import HANDOFF, LEAVE_MESSAGE
from models.agent import Agent
from models.conversation import Conversation
from models.handoff import LeftMessage
from tests.fakes.bot_app import make_settings, running_bot, visitor_headers

ALWAYS_OPEN = "00:00-24:00"
#: Nothing the bot can answer (the matcher is below its threshold): a message for the staff.
FOR_THE_STAFF = "我家楼下的门禁密码是1234"


@pytest.fixture
def bot_settings():
    return {"staffed_hours": ALWAYS_OPEN}


@pytest.fixture
def bot_ticker() -> bool:
    return False  # deadlines (the long wait's offer) run when a test says


async def say(bot, user: str, text: str) -> str:
    response = await bot.client.post("/api/webchat/messages", json={"user_id": user, "text": text},
                                      headers=visitor_headers(bot.runtime, user))
    assert response.status == 200, await response.text()
    return "\n".join((await response.json())["replies"])


async def status(user: str) -> str:
    return (await Conversation.get(key=f"webchat:{user}")).status


async def left(user: str) -> list[str]:
    return list(await LeftMessage.filter(conversation__key=f"webchat:{user}").values_list("text", flat=True))


async def test_questions_while_queued_with_nobody_online_are_answered_and_the_place_kept(bot):
    offer = await say(bot, "c1", "转人工")
    assert "不在线" in offer and "等待期间有问题也可以先问我" in offer
    assert "48小时" in await say(bot, "c1", "什么时候发货")
    assert "留言已记录" not in await say(bot, "c1", "谢谢")
    assert await status("c1") == "queued" and await left("c1") == []
    # a message for the staff is the 留言 offered: taken, and the customer leaves the queue as told
    assert "留言已记录" in await say(bot, "c1", FOR_THE_STAFF)
    assert await left("c1") == [FOR_THE_STAFF] and await status("c1") == "bot"


async def test_a_request_while_queued_starts_its_dialogue_and_the_place_is_kept(bot):
    await say(bot, "c1", "转人工")
    assert "留言已记录" not in await say(bot, "c1", "E2026112000103 延长收货")
    assert await status("c1") == "queued" and await left("c1") == []


async def test_a_message_marked_as_one_is_taken_whatever_it_asks(bot):
    await say(bot, "c1", "转人工")
    assert "留言已记录" in await say(bot, "c1", "留言：什么时候发货？我下周出差，请周五前发出")
    assert await left("c1") == ["留言：什么时候发货？我下周出差，请周五前发出"]


async def test_after_the_long_wait_offer_a_question_is_answered_and_the_customer_stays_queued(bot, clock):
    amy = await Agent.create(name="amy", role="agent", password_hash="-", capacity=0, created_at=clock.now())
    await bot.runtime.services[HANDOFF].set_presence(amy, "online")  # online, no room: the customer waits
    await say(bot, "c1", "转人工")
    await clock.advance(121)
    await bot.runtime.scheduler.run_due()  # R-TIME-7: the wait offers a 留言
    offered = await Conversation.get(key="webchat:c1")
    assert "48小时" in await say(bot, "c1", "什么时候发货")
    kept = await Conversation.get(key="webchat:c1")
    assert (kept.status, kept.queued_at) == ("queued", offered.queued_at) and await left("c1") == []
    assert "留言已记录" in await say(bot, "c1", FOR_THE_STAFF)  # the offer still stands


async def test_a_message_is_not_taken_where_none_was_offered(bot, clock):
    await say(bot, "c1", "你好")
    assert "留言已记录" not in await say(bot, "c1", "留言：请周五前发货")
    assert await left("c1") == []


@pytest.mark.parametrize(("silence", "taken"), [(OFFER_LAPSES_AFTER_S - 60, True), (OFFER_LAPSES_AFTER_S, False),
                                                 (3 * 86400, False)])
async def test_the_offer_lapses_after_half_an_hour_of_silence(bot, clock, silence, taken):
    await say(bot, "c1", "转人工")
    await clock.advance(silence)
    answer = await say(bot, "c1", "留言：请周五前发货")
    assert ("留言已记录" in answer) is taken
    assert len(await left("c1")) == int(taken)
    if not taken:  # lapsed for good: the next message for the staff is not filed either
        assert "留言已记录" not in await say(bot, "c1", FOR_THE_STAFF) and await left("c1") == []


async def test_outside_staffed_hours_a_question_is_answered_and_a_message_still_taken(tmp_path):
    clock = FakeClock()  # 10:00 Shanghai
    async with running_bot(make_settings(tmp_path, staffed_hours="18:30-24:00"), clock=clock) as bot:
        assert "非工作时间" in await say(bot, "c1", "转人工")
        assert "48小时" in await say(bot, "c1", "什么时候发货")
        assert await left("c1") == []
        assert "留言已记录" in await say(bot, "c1", "留言：请晚上七点后联系我")
        assert await left("c1") == ["留言：请晚上七点后联系我"]


async def test_an_offer_made_after_the_customers_silence_stands_its_own_half_hour(bot, clock):
    """The offer the wait makes (a timer, long after the customer's last message) counts from when it
    was made: the silence is the conversation's, not only the customer's."""
    amy = await Agent.create(name="amy", role="agent", password_hash="-", capacity=0, created_at=clock.now())
    await bot.runtime.services[HANDOFF].set_presence(amy, "online")
    await say(bot, "c1", "转人工")
    await clock.advance(OFFER_LAPSES_AFTER_S - 300)
    await bot.runtime.scheduler.run_due()  # the wait's offer, made now
    await clock.advance(600)  # the customer silent past the half hour, the offer ten minutes old
    assert "留言已记录" in await say(bot, "c1", "留言：请周五前发货")
    await say(bot, "c1", "转人工")  # queued again
    await clock.advance(121)
    await bot.runtime.scheduler.run_due()  # offered again
    assert await state_flow(bot, "c1") == LEAVE_MESSAGE
    await clock.advance(OFFER_LAPSES_AFTER_S)  # nothing said either way since
    assert "留言已记录" not in await say(bot, "c1", "留言：周六也可以")
    assert await left("c1") == ["留言：请周五前发货"]


async def state_flow(bot, user: str) -> str | None:
    store = bot.runtime.store
    return ConversationState.from_dict(await store.get_state(f"webchat:{user}")).flow
