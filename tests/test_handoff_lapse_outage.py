"""Time the store was down does not count toward an agent's lapse (handlers/handoff/sla.py, the
scheduler's `down_between`).

Redis went away while amy owed an answer and came back after her 60 s: the lapse deadline, fired late,
counted against her the minute nobody could answer in (the conversation taken from her, a step toward
judging her away). Real parts: the bot over HTTP, Redis through a loopback proxy the test cuts (Redis
away for this bot only, its keys kept), time on a FakeClock.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from bot.clock import FakeClock
from models.agent import Agent
from tests.tcp_proxy import TcpProxy
from tests.test_handoff import ALWAYS_OPEN, conversation, events, say, staff, tick


@pytest.fixture
async def redis_proxy(redis_url: str) -> AsyncIterator[TcpProxy]:
    parts = urlsplit(redis_url)
    proxy = TcpProxy(parts.hostname or "127.0.0.1", parts.port or 6379)
    await proxy.start()
    try:
        yield proxy
    finally:
        await proxy.cut()


@pytest.fixture
def bot_settings(redis_proxy: TcpProxy, redis_url: str) -> dict[str, Any]:
    proxied = urlsplit(redis_url)._replace(netloc=f"127.0.0.1:{redis_proxy.port}").geturl()
    return {"staffed_hours": ALWAYS_OPEN, "sla_first_response_s": 15, "sla_reply_s": 20, "sla_hold_margin_s": 5,
            "sla_reassign_after_s": 60, "redis_url": proxied, "redis_pool_wait_s": 0.2}


@pytest.fixture
def bot_ticker() -> bool:
    return False


async def ticks_in_an_outage(bot: Any, clock: FakeClock, *steps: float) -> None:
    """The scheduler's passes while Redis is away, `steps` seconds apart: each fails (the ticker would
    sleep and try again)."""
    for seconds in steps:
        await clock.advance(seconds)
        with pytest.raises(bot.runtime.store.unavailable):
            await bot.runtime.scheduler.run_due()


async def test_a_lapse_due_in_a_store_outage_gives_the_holder_the_time_it_took(
        bot: Any, clock: FakeClock, redis_proxy: TcpProxy) -> None:
    await staff(bot, "amy")
    amy_id = (await Agent.get(name="amy")).id
    await say(bot, "c1", "转人工")
    await tick(bot, clock, 11)  # greeted on amy's behalf
    await say(bot, "c1", "人呢")  # amy owes an answer from now: her lapse at 60 s
    await tick(bot, clock, 10)
    await redis_proxy.cut()
    await ticks_in_an_outage(bot, clock, 1, 30, 24)  # the scheduler meets Redis away at 11 s, ..., 65 s
    await redis_proxy.start()
    await tick(bot, clock, 1)  # 66 s: back; the overdue deadlines fire
    assert "breach" in await events("c1")  # the customer did wait: recorded
    assert "lapse" not in await events("c1")  # but 55 s of amy's 60 were the outage's
    assert (await conversation("c1")).assignee_id == amy_id

    await tick(bot, clock, 48)  # 114 s: 59 s of it with the bot up
    assert "lapse" not in await events("c1")
    await tick(bot, clock, 2)  # 116 s: her 60 s are up
    assert "lapse" in await events("c1")
