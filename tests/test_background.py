"""A channel's background work (bot/background.py `BackgroundTasks`): a task stopped by a store that is
down for now is logged at WARNING without a traceback (the request was answered 503, WeChat retries),
a task failing for any other reason at ERROR."""

from __future__ import annotations

import logging
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from bot.background import BackgroundTasks
from bot.clock import FakeClock
from bot.store.base import KeyBuilder
from bot.store.redis import RedisStore
from tests.tcp_proxy import TcpProxy

log = logging.getLogger("csbot.test.background")


async def test_a_store_outage_is_a_warning_and_a_bug_an_error(redis_url: str, caplog: pytest.LogCaptureFixture) -> None:
    parts = urlsplit(redis_url)
    proxy = TcpProxy(parts.hostname or "127.0.0.1", parts.port or 6379)
    await proxy.start()
    store = RedisStore.from_url(f"redis://127.0.0.1:{proxy.port}{parts.path}", FakeClock(),
                                KeyBuilder(f"bg-{uuid.uuid4().hex[:8]}"), pool_wait_s=0.2, reconnect_backoff_s=0)
    background = BackgroundTasks(log, lambda: store)

    async def dispatch_during_outage() -> None:
        await store.set_state("wechat:o1", {"turns": 1})

    async def dispatch_with_a_bug() -> None:
        raise KeyError("turns")

    try:
        await store.ping()
        await proxy.cut()  # Redis gone for this worker
        with caplog.at_level(logging.WARNING, logger=log.name):
            background.spawn(dispatch_during_outage())
            background.spawn(dispatch_with_a_bug())
            await background.settle()
    finally:
        await store.close()
    records = [(record.levelno, record.getMessage(), record.exc_info) for record in caplog.records
               if record.name == log.name]
    outage = [r for r in records if r[0] == logging.WARNING]
    bug = [r for r in records if r[0] == logging.ERROR]
    assert len(outage) == 1 and "outage" in outage[0][1] and outage[0][2] is None, records
    assert len(bug) == 1 and "KeyError" in bug[0][1], records



def test_background_work_asks_the_store_what_an_outage_is_and_does_not_reach_the_web_layer() -> None:
    """One definition of "down for now" (bot/outages.py, from the store's own `unavailable`): the
    background module does not repeat Redis's errors nor import the web layer's guards to find them."""
    code = ("import sys, bot.background; "
            "print(sorted(m for m in sys.modules if m.startswith(('bot.web', 'redis'))))")
    imported = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parent.parent,
                              capture_output=True, text=True, check=True, timeout=60).stdout.strip()
    assert imported == "[]", imported
