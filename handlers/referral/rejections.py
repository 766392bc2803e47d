"""The log of refused attributions and conversions, so marketing can see attempted abuse (docs/rules.md R-REF-3)."""

from __future__ import annotations

from datetime import datetime

from models.referral import Campaign, Rejection


async def reject(reason: str, *, now: datetime, campaign: Campaign | None = None, card_id: int | None = None,
                 customer_id: int | None = None, channel: str | None = None) -> None:
    await Rejection.create(reason=reason, campaign=campaign, card_id=card_id, customer_id=customer_id,
                           channel=channel, created_at=now)
