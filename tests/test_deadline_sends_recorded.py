"""A text a deadline's earlier attempt sent but could not record is recorded sent by the retry, also
when the send wrote its own rows (no source ids: a reminder, a greeting): the retry found the mark,
reported the text sent and left its row "pending" for good (bot/outbox.py `row_of`).

Real parts: the bot on PostgreSQL through a loopback proxy the test cuts, WeChat over real HTTP to
the fake server, the store in-process or Redis, time on a FakeClock."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from bot.scheduler import RETRY_AFTER_S
from models.message import Message
from tests.test_deadline_sends_once import SEND_PATH, bot_on_a_proxied_postgres, sends_arrive, store_settings

__all__ = ["store_settings"]  # the fixture: the in-process store and Redis

REMINDER = "亲，您的问题我们还在跟进"


async def test_a_row_the_first_attempt_could_not_mark_sent_is_marked_by_the_retry(
        tmp_path: Path, clock: Any, migrated_postgres_url: str, store_settings: dict[str, Any]) -> None:
    async with bot_on_a_proxied_postgres(tmp_path, clock, migrated_postgres_url, **store_settings) as (bot, proxy):
        scheduler, messenger, outcomes = bot.runtime.scheduler, bot.runtime.messenger, []

        async def remind(openid: str) -> None:
            outcomes.append(await messenger.send_text("wechat", openid, REMINDER))

        scheduler.on("test-remind", remind)
        bot.wechat.customer_action("o_rec", "text")
        await scheduler.at("test-remind", "o_rec", clock.time())
        bot.wechat.hold_sends = asyncio.Event()
        first = asyncio.create_task(scheduler.run_due())
        await sends_arrive(bot, bot.wechat.requests.count(("POST", SEND_PATH)) + 1)
        await proxy.cut()  # the reminder is on its way; recording that it went will find the database gone
        bot.wechat.hold_sends.set()
        await asyncio.wait_for(asyncio.gather(first, return_exceptions=True), 30)
        assert outcomes == [] and bot.wechat.texts_to("o_rec") == [REMINDER]

        await proxy.start()
        for _ in range(5):  # the deadline, put back, fires again once the database answers
            await clock.advance(RETRY_AFTER_S[-1])
            try:
                await scheduler.run_due()
            except Exception:
                continue
            if outcomes:
                break
        assert outcomes == [["sent"]] and bot.wechat.texts_to("o_rec") == [REMINDER]  # sent once
        rows = await Message.filter(direction="out", text=REMINDER).values_list("delivery_status", flat=True)
        assert list(rows) == ["sent"]
