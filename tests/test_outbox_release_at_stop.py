"""A deadline's text the platform refused, whose mark's release is under way when the worker stops (a
deploy), is sent by the attempt another worker runs (bot/outbox.py `_release`).

The release deletes the marks of texts that did not go out (`Store.delete_if_holding`), so a retry sends
them. The stop's cancellation cut it while Redis had not answered: the marks were neither deleted nor
kept with their claims' values (`Firing.claims`) for the stop's own cleanup (bot/scheduler.py
`_settle_lost_claims`), so the attempt revived on another worker found the text's mark, took the text for
sent and sent nothing. The release now records the claims before its command and forgets them only once
the store answered. Redis is reached through a proxy that holds the release's request while the worker
stops; the customer is the fake WeChat server over real HTTP.
"""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path
from typing import Any

import pytest

from bot.scheduler import TAKEN, Scheduler
from bot.store.redis import _DELETE_IF_HOLDING
from models.message import Message
from tests.fakes.wechat_user import wechat_bot
from tests.tcp_proxy import proxied, resp_command

REMINDER = "亲，您的问题我们还在跟进"
#: The release's command: `Store.delete_if_holding`'s script, called by its digest.
RELEASE = resp_command("EVALSHA", hashlib.sha1(_DELETE_IF_HOLDING.encode()).hexdigest().encode())


async def test_a_refused_text_whose_release_a_stop_cut_short_is_sent_by_the_next_attempt(
        tmp_path: Path, clock: Any, redis_url: str) -> None:
    async with proxied(redis_url) as (url, proxy), wechat_bot(tmp_path, clock=clock, redis_url=url) as bot:
        messenger, store = bot.runtime.messenger, bot.runtime.store
        await bot.runtime.scheduler.stop()
        stopping, other = Scheduler(store, clock), Scheduler(store, clock)
        outcomes: list[list[str]] = []

        async def remind(openid: str) -> None:
            outcomes.append(await messenger.send_text("wechat", openid, REMINDER))

        for worker in (stopping, other):
            worker.on("test-remind", remind)
        bot.wechat.customer_action("o_release", "text")
        bot.wechat.fail_next("o_release", -1)  # refused: its mark is released for a retry
        proxy.hold_next(RELEASE)
        await stopping.at("test-remind", "o_release", clock.time())
        tick = asyncio.ensure_future(stopping.run_due())
        try:
            await asyncio.wait_for(proxy.held.wait(), 5)
            tick.cancel()  # the worker stops while Redis has not answered the release
            with pytest.raises(asyncio.CancelledError):
                await tick
            assert outcomes == [] and bot.wechat.texts_to("o_release") == []
            assert await other.run_due() == 1  # put back due now, and run here
            assert outcomes == [["sent"]]
            assert bot.wechat.texts_to("o_release") == [REMINDER]
            assert await store.next_due(TAKEN) is None and await store.next_due("test-remind") is None
            rows = await Message.filter(direction="out", text=REMINDER).values_list("delivery_status", flat=True)
            assert list(rows) == ["sent"]
        finally:
            proxy.let_go()
            tick.cancel()
            await asyncio.gather(tick, return_exceptions=True)
