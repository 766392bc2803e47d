"""Log lines name the message they are about and why a background step failed, never the text.

The format of a worker's lines (timestamp, level, pid, logger) is checked on real processes in
test_serve_supervision.py; here a WeChat answer that fails after `success` was sent must leave a
line carrying the message id and our own reason (a `BotError`'s: third-party messages are not logged,
tests/test_log_privacy.py).
"""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.clock import FakeClock
from bot.errors import BotError
from bot.logs import install_message_ids
from bot.router import Router
from tests.fakes.wechat_user import wechat_bot

pytestmark = pytest.mark.timeout(30)


async def test_a_late_wechat_answer_that_fails_is_logged_with_its_message_id_and_reason(tmp_path, caplog):
    install_message_ids()
    clock = FakeClock()
    router = Router("fails-late")
    entered, gate = asyncio.Event(), asyncio.Event()

    @router.media("text")
    async def fail_late(ctx):
        entered.set()
        await gate.wait()
        raise BotError("order source refused the lookup")

    async with wechat_bot(tmp_path, clock=clock, routers=[router]) as bot:
        user = bot.user()
        first = asyncio.create_task(user.send(user.signed(user.text("我的快递到哪了", msg_id=9101))))
        await asyncio.wait_for(entered.wait(), 5)
        await clock.advance(3)  # past the passive budget: WeChat gets `success`
        assert (await first).is_success
        with caplog.at_level(logging.INFO):
            gate.set()
            await bot.runtime.channels["wechat"].settle()
    failures = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert any(getattr(record, "message_id", None) == "9101" and "order source refused" in record.getMessage()
               for record in failures), [record.getMessage() for record in failures]
    assert "我的快递" not in caplog.text
