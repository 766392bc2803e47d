"""The reconciliation pass's sentinel claim when its reply is lost (bot/reconcile.py)."""

from __future__ import annotations

import pytest

from bot.clock import FakeClock
from bot.reconcile import Reconciler
from bot.store.base import StoreUnavailable
from bot.store.memory import MemoryStore
from tests.store_faults import lose_the_next_claims_reply


async def test_a_sentinel_claim_whose_reply_was_lost_still_rebuilds_on_the_next_pass(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The store ran the claim (the sentinel is set) but its reply timed out: the next pass
    recognises the claim as its own and rebuilds, once."""
    store = MemoryStore(FakeClock())
    rebuilt: list[bool] = []

    async def hook(store_lost: bool) -> None:
        rebuilt.append(store_lost)

    reconciler = Reconciler(store, [hook], interval=60.0)
    lose_the_next_claims_reply(monkeypatch, store)
    with pytest.raises(StoreUnavailable):
        await reconciler.run_once()
    assert await store.get(store.keys("store-epoch")) is not None  # won, but nobody heard
    assert await reconciler.run_once() is True
    assert await reconciler.run_once() is False, "rebuilt once, not on every pass"
    assert rebuilt == [True, False]
