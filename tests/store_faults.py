"""Store faults the real servers cannot be asked for on cue, made on the store object of a test."""

from __future__ import annotations

import pytest

from bot.store.base import Store, StoreUnavailable


def lose_the_next_claims_reply(monkeypatch: pytest.MonkeyPatch, store: Store, after: int = 0) -> None:
    """The store runs the next `claim` (the one after `after` others) but its caller never hears back (a
    Redis reply after the socket timeout): the claim is taken, the caller gets `StoreUnavailable`. Later
    claims are answered."""
    claim, answered = store.claim, [after]

    async def claim_whose_reply_is_lost(key: str, ttl: float, value: str | None = None) -> bool:
        if answered[0]:
            answered[0] -= 1
            return await claim(key, ttl, value)
        await claim(key, ttl, value)
        monkeypatch.setattr(store, "claim", claim)
        raise StoreUnavailable("Redis did not answer SET in time")

    monkeypatch.setattr(store, "claim", claim_whose_reply_is_lost)
