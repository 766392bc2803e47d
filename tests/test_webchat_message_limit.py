"""What a web-chat customer may send in one message: at most 2,000 characters. A 100,000-character
message is refused with the polite `text_too_long` (its Chinese label asks to send it in several
messages) before anything is stored or answered, not split into 50 stored messages. Over HTTP.
"""

from __future__ import annotations

from bot.channels.webchat import MAX_TEXT_CHARS
from bot.labels import label_key
from models.message import Message

VISITOR = "vLongMessage01"


async def test_a_message_over_the_limit_is_refused_politely_and_nothing_is_stored(bot) -> None:
    response = await bot.post_chat({"user_id": VISITOR, "text": "退" * 100_000})
    assert response.status == 413
    assert (await response.json())["error"]["code"] == "text_too_long"
    assert "分几次" in bot.runtime.templates.render(label_key("error", "text_too_long"))
    assert await Message.filter(conversation__key=f"webchat:{VISITOR}").count() == 0
    at_the_limit = await bot.post_chat({"user_id": VISITOR, "text": "退" * MAX_TEXT_CHARS})
    assert at_the_limit.status == 200
    assert await Message.filter(conversation__key=f"webchat:{VISITOR}", direction="in").count() == 1
