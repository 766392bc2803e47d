"""A WeChat text that shows nothing (WeChat sends an empty Content for some stickers; a blank or a lone
zero-width space is a slip of the thumb) is acknowledged as WeChat requires, with the empty `success`, and
goes no further: not stored as the customer's message, not counted as an unclear one (two of which ask for
a person), not taken as a 留言 with a promise to answer. The rule is the web chat's (`bot.text_input.visible`).
Real HTTP to /wechat with signed (and in safe mode encrypted) XML, against the fake WeChat API."""

from __future__ import annotations

import pytest

from bot.clock import FakeClock
from models.conversation import Conversation
from models.handoff import LeftMessage
from models.message import Message
from tests.fakes.wechat_user import wechat_bot

SHOWS_NOTHING = ["", "   ", "\n\t ", "\u200b", "\u200b\u200d\ufeff\u2060", "\u3164", "\u202e "]


@pytest.mark.parametrize("safe_mode", [False, True], ids=["plaintext", "safe mode"])
async def test_a_text_that_shows_nothing_is_acknowledged_and_goes_no_further(tmp_path, safe_mode: bool) -> None:
    clock = FakeClock()
    async with wechat_bot(tmp_path, clock=clock, safe_mode=safe_mode, staffed_hours="00:00-24:00") as bot:
        customer = bot.user("o_blank_texts_customer")
        for text in SHOWS_NOTHING:
            reply = await customer.say(text)
            assert reply.is_success and reply.body == "success", (text, reply)
            await clock.advance(5)
        await bot.runtime.channels["wechat"].settle()
        assert await Message.filter(channel="wechat").count() == 0
        assert not await Conversation.filter(key="wechat:o_blank_texts_customer", escalated_at__isnull=False).exists()
        assert await LeftMessage.all().count() == 0
        assert bot.wechat.texts_to("o_blank_texts_customer") == []
        budget = bot.runtime.channels["wechat"].budget  # WeChat counts it as a message: 5 sends for 48 h
        assert await budget.left("o_blank_texts_customer") == 5

        answer = await customer.say("什么时候发货")  # the next real question is answered as ever
        assert "48小时" in answer.content
        await bot.runtime.channels["wechat"].settle()
        assert await Message.filter(channel="wechat", direction="in").values_list("text", flat=True) == ["什么时候发货"]


async def test_a_sticker_with_a_word_in_it_or_a_lone_emoji_is_a_message(tmp_path) -> None:
    """Only what draws nothing is passed over: an emoji or a single punctuation mark is the customer's."""
    async with wechat_bot(tmp_path, clock=FakeClock()) as bot:
        customer = bot.user("o_emoji_customer")
        for text in ("👍", "?"):
            await customer.say(text)
        await bot.runtime.channels["wechat"].settle()
        assert await Message.filter(channel="wechat", direction="in").values_list("text", flat=True) == ["👍", "?"]
