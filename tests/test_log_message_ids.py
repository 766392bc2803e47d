"""A log line names a web-chat message without the visitor: the message's id is `<visitor id>:<client
part>` (a `client_msg_id`, or `photo-...` for an upload), and the dispatcher logged it whole
(`msg=vk3…:c-1: repeat of an answered message`). Now the lines carry `webchat:<client part>`
(bot/logs.py `message_log_id`). Over HTTP: a message sent again after its cached answer expired
reaches the dispatcher as a repeat, whose line is checked.
"""

from __future__ import annotations

import io
import logging

import aiohttp
from PIL import Image

from bot.logs import install_message_ids
from tests.fakes.bot_app import make_settings, running_bot, visitor_headers
from tests.fakes.erp_server import order_object, seed_orders

VISITOR = "vLogVisitor7Q2x"
ORDER = "E2026112000777"


async def test_the_log_of_a_repeated_web_chat_message_carries_no_visitor_id(bot, clock, caplog) -> None:
    install_message_ids()
    caplog.set_level(logging.INFO)  # DEBUG has tortoise's SQL with values: kept at INFO by configure_logging
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


async def test_the_log_of_a_photo_sent_twice_carries_no_visitor_id(tmp_path, clock, caplog) -> None:
    install_message_ids()
    caplog.set_level(logging.INFO)  # DEBUG has tortoise's SQL with values: kept at INFO by configure_logging
    settings = make_settings(tmp_path, after_sales_upload_dir=tmp_path / "uploads")
    async with running_bot(settings, clock=clock) as bot:
        await seed_orders(order_object(ORDER, f"webchat:{VISITOR}"), now=clock.now())
        headers = visitor_headers(bot.runtime, VISITOR)
        said = await bot.client.post("/api/webchat/messages", json={"text": f"{ORDER} 杯子碎了"}, headers=headers)
        assert said.status == 200
        image = io.BytesIO()
        Image.new("RGB", (8, 8), (200, 10, 10)).save(image, "PNG")
        for _ in range(2):  # the same photo again: the same message, a repeat
            form = aiohttp.FormData()
            form.add_field("file", io.BytesIO(image.getvalue()), filename="p.png", content_type="image/png")
            assert (await bot.client.post("/api/after-sales/photos", data=form, headers=headers)).status == 200
    named = {record.message_id for record in caplog.records if record.message_id.startswith("webchat:photo-")}
    assert named, "no line named the photo's message"
    for record in caplog.records:
        assert VISITOR not in record.message_id and VISITOR not in record.getMessage(), record.getMessage()
