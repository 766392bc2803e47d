"""Referral cards (转介绍卡): one per invited friend, at most the campaign's maximum per referrer.

A card's number (1..max) is unique per referrer and campaign in the database, so two requests of
one referrer racing on two workers cannot hand out a sixth card: the loser's insert fails and it
tries the next number, up to the limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.exceptions import IntegrityError

from bot.prebuilt_sql import Prebuilt
from handlers.referral.codes import is_genuine, new_code
from models.referral import Campaign, ReferralCard

SHARE_PATH = "/r/"
#: How many cards a referrer holds in a campaign; prebuilt, as a card request is a customer's message.
_HELD = Prebuilt(lambda: "SELECT COUNT(*) AS held FROM referral_card WHERE campaign_id = ? AND referrer_id = ?")


@dataclass(frozen=True, slots=True)
class Issued:
    """The card handed out (None when the referrer has used up their cards) and how many are left."""

    card: ReferralCard | None
    left: int


async def issue_card(campaign: Campaign, referrer_id: int, secret: bytes, now: datetime) -> Issued:
    for attempt in range(campaign.max_cards + 1):
        held = (await _HELD.rows(campaign.id, referrer_id))[0]["held"]
        if held >= campaign.max_cards:
            return Issued(None, 0)
        try:
            card = await ReferralCard.create(campaign=campaign, referrer_id=referrer_id, number=held + 1,
                                             code=new_code(secret), issued_at=now)
        except IntegrityError:  # another request took this number a moment ago: count again
            if attempt == campaign.max_cards:
                raise
            continue
        return Issued(card, campaign.max_cards - card.number)
    raise AssertionError("unreachable")


async def find_card(code: str, secret: bytes) -> tuple[ReferralCard | None, str | None]:
    """The card for a code with its campaign loaded, or None and why (`bad_signature`, `unknown_card`)."""
    if not is_genuine(code, secret):
        return None, "bad_signature"
    card = await ReferralCard.get_or_none(code=code).prefetch_related("campaign", "referrer")
    return (card, None) if card is not None else (None, "unknown_card")


def share_link(public_base_url: str, code: str) -> str:
    return f"{public_base_url}{SHARE_PATH}{code}"


def card_image_url(public_base_url: str, code: str) -> str:
    return f"{share_link(public_base_url, code)}/card.png"
