"""The narrow services areas use instead of the runtime (bot/messenger.py), on the real running bot."""

from __future__ import annotations

from datetime import timedelta

from bot.events import Inbound
from bot.splitter import split_message
from models.message import Message


async def sent_to(user_id: str) -> list[Message]:
    return await Message.filter(conversation__key=f"webchat:{user_id}", direction="out").order_by("id")


async def test_a_long_text_is_split_to_the_channel_limit_recorded_and_sent(bot):
    sentence = "您的售后单已经处理完毕，退款会在三个工作日内原路退回。"
    text = sentence * 60  # about 8,000 bytes: more than one web-chat message holds
    outcomes = await bot.runtime.messenger.send_text("webchat", "alice", text, author="campaign")
    rows = await sent_to("alice")
    assert len(rows) == len(outcomes) > 1 and outcomes == ["sent"] * len(rows)
    assert [row.text for row in rows] == split_message(text, bot.runtime.channels["webchat"].max_bytes)
    assert all(len(row.text.encode()) <= 2000 and row.author == "campaign" for row in rows)
    assert {row.delivery_status for row in rows} == {"sent"}


async def test_a_template_is_rendered_and_a_broken_one_becomes_the_fallback(bot):
    messenger, templates = bot.runtime.messenger, bot.runtime.templates
    fields = {"order_no": "E2026112200123", "due_date": "2026-12-01"}
    assert await messenger.say("webchat", "bob", "after_sales.receipt_extended", fields) == ["sent"]
    assert await messenger.say("webchat", "bob", "after_sales.receipt_extended") == ["sent"]  # no fields
    rows = await sent_to("bob")
    assert [row.text for row in rows] == [templates.render("after_sales.receipt_extended", fields),
                                          templates.render("common.fallback")]


async def test_channels_that_do_not_run_and_push_windows(bot, clock):
    messenger = bot.runtime.messenger
    assert not messenger.reaches("wechat") and await messenger.say("wechat", "o_x", "common.fallback") is None
    assert messenger.reaches("webchat") and messenger.in_window("webchat", None)
    now = clock.now()
    assert messenger.windowed("wechat") and not messenger.windowed("webchat")
    assert messenger.in_window("wechat", now - timedelta(hours=47, minutes=59))
    assert not messenger.in_window("wechat", now - timedelta(hours=48))
    assert not messenger.in_window("wechat", None)
    assert messenger.windowed("wecom") and not messenger.in_window("wecom", now - timedelta(hours=48))
    assert messenger.has_templates("wechat") and not messenger.has_templates("wecom")


async def test_the_redispatcher_answers_a_turn_and_skips_channels_that_do_not_run(bot, clock):
    redispatcher = bot.runtime.redispatcher
    replies = await redispatcher.answer(Inbound(channel="webchat", user_id="carol", kind="text", text="你好",
                                                source_id="carol:1", received_at=clock.now()))
    rows = await sent_to("carol")
    assert replies and [row.text for row in rows] == list(replies)
    assert {row.delivery_status for row in rows} == {"sent"}
    assert await redispatcher.event("wechat:o_gone", "after_sales_retry") is False
    assert await redispatcher.answer(Inbound(channel="wechat", user_id="o_gone", kind="text", text="你好",
                                             received_at=clock.now())) is None


async def test_an_event_the_bot_raises_is_not_recorded_as_the_customers_message(bot, clock):
    """A deadline's retry (after-sales) runs as the customer's next turn, but it is not their contact:
    recorded as their message it would keep them past retention and reopen WeChat's 48-hour window."""
    redispatcher = bot.runtime.redispatcher
    await redispatcher.answer(Inbound(channel="webchat", user_id="erin", kind="text", text="你好",
                                      source_id="erin:1", received_at=clock.now()))
    assert await redispatcher.event("webchat:erin", "after_sales_retry") is True
    await bot.runtime.recorder.settle()
    inbound = await Message.filter(conversation__key="webchat:erin", direction="in").values_list("text", flat=True)
    assert inbound == ["你好"]


async def test_several_texts_go_in_one_send_in_order(bot):
    messenger = bot.runtime.messenger
    first, second = messenger.render("complaints.ask_content"), "好的" * 500  # the second takes two parts
    parts = messenger.split("webchat", first) + messenger.split("webchat", second)
    assert len(parts) == 3
    assert await messenger.send_text("webchat", "dave", first, second, author="system") == ["sent"] * 3
    assert [row.text for row in await sent_to("dave")] == parts
    assert await messenger.sends_left("webchat", "dave") is None  # the web chat has no push cap
    assert await messenger.sends_left("wechat", "o_x") is None  # WeChat does not run here
    assert await messenger.send_text("wechat", "o_x", "x") is None
