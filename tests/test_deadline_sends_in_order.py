"""A deadline's split answer reaches the customer in order, whatever its retries (bot/outbox.py `LATE`).

The first attempt sent the first and last parts, WeChat refusing the middle one, then the callback
failed; the retry sent the middle part, after the last. Real parts: WeChat over real HTTP to the fake
server, the bot's database and store, time on a FakeClock.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.outbox import LATE
from bot.scheduler import RETRY_AFTER_S
from models.message import Message
from tests.fakes.wechat_user import wechat_bot

PARTS = ("您的退款已提交", "退款将原路退回", "预计三个工作日内到账")


async def test_a_middle_part_refused_is_not_sent_after_the_last_by_the_retry(tmp_path: Path, clock: Any) -> None:
    async with wechat_bot(tmp_path, clock=clock) as bot:
        scheduler, messenger, outcomes = bot.runtime.scheduler, bot.runtime.messenger, []
        await scheduler.stop()

        async def answer(openid: str) -> None:
            outcomes.append(await messenger.send_text("wechat", openid, *PARTS))
            if len(outcomes) == 1:
                raise RuntimeError("the answer not recorded")

        scheduler.on("test-answer", answer)
        bot.wechat.customer_action("o_order", "text")
        for errcode in (0, -1, 0):  # WeChat busy for the middle part only
            bot.wechat.fail_next("o_order", errcode)
        await scheduler.at("test-answer", "o_order", clock.time())
        await scheduler.run_due()
        await clock.advance(RETRY_AFTER_S[0])
        await scheduler.run_due()
        assert outcomes[0][0] == outcomes[0][2] == "sent" != outcomes[0][1]
        assert outcomes[1:] == [["sent", LATE, "sent"]]
        assert bot.wechat.texts_to("o_order") == [PARTS[0], PARTS[2]]  # not the middle after the last
        rows = await Message.filter(direction="out", text__in=PARTS).order_by("id")
        assert [row.delivery_status for row in rows] == ["sent", "undeliverable", "sent"]


async def test_a_part_refused_before_nothing_sent_later_is_still_sent_by_the_retry(
        tmp_path: Path, clock: Any) -> None:
    """The last parts refused: nothing went out after them, so the retry sends them, in order."""
    async with wechat_bot(tmp_path, clock=clock) as bot:
        scheduler, messenger, outcomes = bot.runtime.scheduler, bot.runtime.messenger, []
        await scheduler.stop()

        async def answer(openid: str) -> None:
            outcomes.append(await messenger.send_text("wechat", openid, *PARTS))
            if outcomes[-1] != ["sent"] * len(PARTS):
                raise RuntimeError("part of the answer not sent")

        scheduler.on("test-answer", answer)
        bot.wechat.customer_action("o_tail", "text")
        for errcode in (0, -1, -1):
            bot.wechat.fail_next("o_tail", errcode)
        await scheduler.at("test-answer", "o_tail", clock.time())
        await scheduler.run_due()
        await clock.advance(RETRY_AFTER_S[0])
        await scheduler.run_due()
        assert outcomes[1:] == [["sent"] * len(PARTS)]
        assert bot.wechat.texts_to("o_tail") == list(PARTS)
