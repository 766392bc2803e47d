"""Text that shows nothing is empty: a web-chat message made only of format characters ("\\u202e\\u200f
\\u200b", "\\ufeff\\u00ad") was stored and answered; now it is refused as a blank one is (400
`invalid_body`), nothing stored. An agent's 昵称 that shows nothing, breaks the line, turns the text
around or is another agent's login name or 昵称 is refused with its own code (customers read it as
the name of who answers them). Over HTTP to the running bot.
"""

from __future__ import annotations

import pytest

from bot.web.auth import create_agent, issue_api_token
from models.agent import Agent
from models.message import Message

VISITOR = "vInvisibleText1"


@pytest.mark.parametrize("text", ["\u202e\u200f\u200b", "\ufeff\u00ad", " \u2060\u3164 ", "\u034f\u200d"])
async def test_a_web_chat_message_of_format_characters_only_is_refused_as_empty(bot, text) -> None:
    response = await bot.post_chat({"user_id": VISITOR, "text": text})
    assert response.status == 400
    assert (await response.json())["error"]["code"] == "invalid_body"
    assert await Message.filter(conversation__key=f"webchat:{VISITOR}").count() == 0
    shown = await bot.post_chat({"user_id": VISITOR, "text": "\u200b你好\u200b"})  # text around them still goes
    assert shown.status == 200 and (await shown.json())["replies"]


async def profile(bot, headers, name):
    response = await bot.client.post("/api/agent/profile", json={"display_name": name}, headers=headers)
    return response.status, await response.json()


@pytest.mark.parametrize("name, status, code", [
    ("\u200b", 400, "nickname_invalid"),
    ("小\n蜜", 400, "nickname_invalid"),
    ("小\u2028蜜", 400, "nickname_invalid"),
    ("\u202e小蜜", 400, "nickname_invalid"),
    ("bella", 409, "nickname_taken"),  # another agent's login name
    ("客服小美", 409, "nickname_taken"),  # another agent's 昵称
    ("ＢＥＬＬＡ", 409, "nickname_taken"),  # the same as read (full-width, upper case)
    ("客服\u200b小美", 409, "nickname_taken"),
])
async def test_a_nickname_that_misleads_customers_is_refused(bot, name, status, code) -> None:
    amy = await create_agent("amy", "agent", "secret-pass-123")
    await create_agent("bella", "agent", "secret-pass-123")
    await Agent.filter(name="bella").update(display_name="客服小美")
    headers = {"Authorization": f"Bearer {await issue_api_token(amy)}"}
    got, body = await profile(bot, headers, name)
    assert (got, body["error"]["code"]) == (status, code)
    assert (await Agent.get(id=amy.id)).display_name is None
    assert await profile(bot, headers, "客服小艾") == (200, {"agent": {
        "id": amy.id, "name": "amy", "display_name": "客服小艾", "presence": amy.presence}})
    assert (await profile(bot, headers, "Amy"))[0] == 200  # their own login name is theirs
