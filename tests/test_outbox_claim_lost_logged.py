"""An attempt failing on `ClaimLost` (bot/outbox.py: its text's claim ran out while the worker's loop was
blocked) is logged as the expected outcome it is: one WARNING line naming it, no traceback, no customer
value. It was logged as any failed callback, an ERROR with the whole traceback, as if a bug.

The blocked loop, as in tests/test_outbox_claim_lost.py: the fake WeChat server holds the answer to the
first text's request while the clock passes the second text's claim.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.outbox import CLAIM_TTL_S
from bot.scheduler import Scheduler
from tests.fakes.wechat_user import wechat_bot
from tests.test_deadline_worker_gone import TEXTS, first_send_held, offering


async def test_a_claim_lost_is_one_warning_line_without_a_traceback_or_customer_data(
        tmp_path: Path, clock: FakeClock, caplog: pytest.LogCaptureFixture) -> None:
    async with wechat_bot(tmp_path, clock=clock) as bot:
        await bot.runtime.scheduler.stop()
        worker = Scheduler(bot.runtime.store, FakeClock(clock.now()))  # its timers stand still while blocked
        outcomes = await offering(bot, (worker,), "o_claim_lost")
        caplog.set_level(logging.INFO)
        async with first_send_held(bot, worker, "o_claim_lost", clock.time()) as (tick, held):
            await clock.advance(CLAIM_TTL_S + 1)  # past the second text's claim
            held.set()
            await asyncio.wait_for(tick, 10)
        assert outcomes == []  # the attempt failed on the second text
        lines = [record for record in caplog.records if "ClaimLost" in record.getMessage()]
        assert [(record.name, record.levelno) for record in lines] == [("csbot.scheduler", logging.WARNING)]
        assert lines[0].exc_info is None and lines[0].exc_text is None
        assert not any(record.exc_info for record in caplog.records if record.name == "csbot.scheduler")
        for value in ("o_claim_lost", *TEXTS):
            assert value not in caplog.text
