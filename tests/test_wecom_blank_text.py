"""A WeCom 微信客服 text that shows nothing (empty, blank, zero-width) is passed over as on WeChat
(tests/test_wechat_blank_text.py): not stored, not answered, not an unclear message, no 留言; the sync
moves past it. The real app against the fake WeCom, the callback over real HTTP."""

from __future__ import annotations

from models.conversation import Conversation
from models.handoff import LeftMessage
from models.message import Message
from tests.test_wecom_channel import ALICE, inbound, wecom_bot


async def test_a_text_that_shows_nothing_is_passed_over(tmp_path, clock) -> None:
    async with wecom_bot(tmp_path, clock) as wecom:
        for text in ("", "   ", "\u200b", "\u200b\ufeff"):
            assert await wecom.say(ALICE, text) == []
            await clock.advance(5)
        assert await inbound(ALICE) == []
        assert await Message.filter(channel="wecom").count() == 0
        assert not await Conversation.filter(key=f"wecom:{ALICE}", escalated_at__isnull=False).exists()
        assert await LeftMessage.all().count() == 0
        assert await wecom.channel.sends_left(ALICE) == 5  # WeCom counts it as a message: the window starts over

        received = await wecom.say(ALICE, "什么时候发货")
        assert any("48小时" in text for text in received), received
        assert [row.text for row in await inbound(ALICE)] == ["什么时候发货"]
