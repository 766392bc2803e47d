"""docs/rules.md R-TIME-1: the bot's first answer of a visit opens with the greeting, whichever area answers
(bot/dispatcher.py `greet_visit`); a visit starts with the conversation or after `VISIT_AFTER_SILENCE_S` of
the customer's silence. Never two greetings: not where the answer is one (你好, a welcome) and not again
within the visit. The real app over HTTP (web chat, signed WeChat XML to the fake WeChat), a FakeClock."""

from __future__ import annotations

import pytest

from bot.dispatcher import GREETING, VISIT_AFTER_SILENCE_S
from tests.fakes.bot_app import visitor_headers
from tests.fakes.wechat_user import wechat_bot

FIRST_MESSAGES = ["我要退款", "东西坏了", "快递到哪了", "七天无理由吗", "转人工", "我要投诉", "什么时候发货", "嗯嗯嗯"]


@pytest.fixture
def bot_settings():
    return {"staffed_hours": "00:00-24:00"}


async def say(bot, user: str, text: str) -> str:
    response = await bot.client.post("/api/webchat/messages", json={"user_id": user, "text": text},
                                      headers=visitor_headers(bot.runtime, user))
    assert response.status == 200, await response.text()
    return "\n".join((await response.json())["replies"])


def greetings(runtime) -> list[str]:
    templates = runtime.services.templates
    return [templates.render(GREETING, seed=n) for n in range(len(templates.variants(GREETING)))]


def greeted(runtime, answer: str) -> int:
    """How many greetings the answer holds; asserts any one opens it."""
    count = sum(answer.count(text) for text in greetings(runtime))
    if count:
        assert any(answer.startswith(text) for text in greetings(runtime)), answer
    return count


@pytest.mark.parametrize("text", FIRST_MESSAGES)
async def test_the_first_answer_opens_with_one_greeting_whatever_area_answers(bot, text):
    first = await say(bot, "c1", text)
    assert greeted(bot.runtime, first) == 1
    assert len(first) > len(greetings(bot.runtime)[0]) + 1  # and the answer follows it
    assert greeted(bot.runtime, await say(bot, "c1", "什么时候发货")) == 0  # once a visit


async def test_a_greeting_is_answered_with_one_greeting(bot):
    assert greeted(bot.runtime, await say(bot, "c1", "你好")) == 1


@pytest.mark.parametrize(("silence", "again"), [(VISIT_AFTER_SILENCE_S - 60, False), (VISIT_AFTER_SILENCE_S, True),
                                                (6 * 86400, True)])
async def test_a_customer_back_after_the_silence_is_greeted_again(bot, clock, silence, again):
    await say(bot, "c1", "什么时候发货")
    await say(bot, "c1", "可以开发票吗")
    await clock.advance(silence)
    assert greeted(bot.runtime, await say(bot, "c1", "快递到哪了")) == int(again)
    assert greeted(bot.runtime, await say(bot, "c1", "谢谢")) == 0


async def test_wechat_a_welcome_is_the_greeting_and_a_new_follower_is_greeted_once(tmp_path, clock):
    async with wechat_bot(tmp_path, clock=clock, staffed_hours="00:00-24:00") as bot:
        follower = bot.user("o_greeting_1")
        welcome = await follower.post(follower.event("subscribe"))
        assert welcome.content is not None and greeted(bot.runtime, welcome.content) == 0
        assert greeted(bot.runtime, (await follower.say("我要退款")).content) == 0  # welcomed: the visit's greeting
        writer = bot.user("o_greeting_2")
        assert greeted(bot.runtime, (await writer.say("东西坏了")).content) == 1
        await clock.advance(VISIT_AFTER_SILENCE_S)
        assert greeted(bot.runtime, (await writer.say("快递到哪了")).content) == 1
