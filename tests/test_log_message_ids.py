"""A log line names a web-chat message without the visitor: the message's id is `<visitor id>:<client
part>` (a `client_msg_id`, or `photo-...` for an upload), and the dispatcher logged it whole
(`msg=vk3…:c-1: repeat of an answered message`). Now the lines carry `webchat:<client part>`
(bot/logs.py `message_log_id`). Over HTTP: a message sent again after its cached answer expired
reaches the dispatcher as a repeat, whose line is checked.
"""

from __future__ import annotations

import logging

from bot.logs import install_message_ids

VISITOR = "vLogVisitor7Q2x"


async def test_the_log_of_a_repeated_web_chat_message_carries_no_visitor_id(bot, clock, caplog) -> None:
    install_message_ids()
    caplog.set_level(logging.DEBUG)
    body = {"user_id": VISITOR, "text": "你好，在吗", "client_msg_id": "c-log-1"}
    first = await bot.post_chat(body)
    assert first.status == 200
    await clock.advance(3600)  # the cached answer is gone: the resend reaches the dispatcher
    again = await bot.post_chat(body)
    assert again.status == 200
    repeat = [record for record in caplog.records if "repeat of an answered message" in record.getMessage()]
    assert repeat, "the resend was not seen as a repeat"
    assert {record.message_id for record in repeat} == {"webchat:c-log-1"}
    for record in caplog.records:
        assert VISITOR not in record.message_id and VISITOR not in record.getMessage(), record.getMessage()
