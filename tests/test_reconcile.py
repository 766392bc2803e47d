"""The reconciliation pass's sentinel claim when its reply is lost (bot/reconcile.py)."""

from __future__ import annotations

import logging
import uuid

import asyncpg
import pytest

from bot.clock import FakeClock
from bot.reconcile import Reconciler
from bot.store.base import KeyBuilder, StoreUnavailable
from bot.store.memory import MemoryStore
from bot.store.redis import RedisStore
from tests.tcp_proxy import proxied


async def test_a_sentinel_claim_whose_reply_was_lost_still_rebuilds_on_the_next_pass(redis_url: str) -> None:
    """Redis ran the claim (the sentinel is set) but its reply was lost, Redis gone with it (through a
    proxy): the next pass, Redis back, recognises the claim as its own and rebuilds, once."""
    async with proxied(redis_url) as (url, proxy):
        store = RedisStore.from_url(url, FakeClock(), KeyBuilder(f"reconcile-{uuid.uuid4().hex[:8]}"),
                                    pool_wait_s=0.1, reconnect_backoff_s=0)  # Redis gone: given up at once
        rebuilt: list[bool] = []

        async def hook(store_lost: bool) -> None:
            rebuilt.append(store_lost)

        try:
            reconciler = Reconciler(store, [hook], interval=60.0)
            proxy.lose_reply_to(store.keys("store-epoch").encode(), then_cut=True)
            with pytest.raises(StoreUnavailable):
                await reconciler.run_once()
            await proxy.start()
            assert await store.get(store.keys("store-epoch")) is not None  # won, but nobody heard
            assert await reconciler.run_once() is True
            assert await reconciler.run_once() is False, "rebuilt once, not on every pass"
            assert rebuilt == [True, False]
        finally:
            await store.delete(store.keys("store-epoch"))
            await store.close()


async def test_a_pass_during_a_database_restart_is_a_warning_and_a_fault_of_ours_an_error(caplog) -> None:
    """A periodic pass that meets PostgreSQL down (here: nothing listening on the port) logs one WARNING
    line, as the scheduler's pause does, not an ERROR with a traceback; a fault of the code still does."""
    async def database_down(store_lost: bool) -> None:
        await asyncpg.connect("postgres://postgres@127.0.0.1:1/test", timeout=5)

    async def broken(store_lost: bool) -> None:
        raise ValueError("a fault of ours")

    def passes() -> list[tuple[int, bool]]:  # (level, with a traceback) of the pass's own lines
        return [(r.levelno, r.exc_info is not None) for r in caplog.records if "reconciliation pass" in r.message]

    caplog.set_level(logging.WARNING, logger="csbot.reconcile")
    store = MemoryStore(FakeClock())
    await Reconciler(store, [database_down], interval=60.0).run_logged()
    assert passes() == [(logging.WARNING, False)]
    caplog.clear()
    await Reconciler(store, [broken], interval=60.0).run_logged()
    assert passes() == [(logging.ERROR, True)]
