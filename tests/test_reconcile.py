"""The reconciliation pass's sentinel claim when its reply is lost (bot/reconcile.py)."""

from __future__ import annotations

import uuid

import pytest

from bot.clock import FakeClock
from bot.reconcile import Reconciler
from bot.store.base import KeyBuilder, StoreUnavailable
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
