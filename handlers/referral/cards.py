"""Referral cards (转介绍卡): one per invited friend, at most the campaign's maximum per referrer.

A card's number (1..max) is unique per referrer and campaign in the database, so two requests of
one referrer racing on two workers cannot hand out a sixth card: the loser's insert fails and it
tries the next number, up to the limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.exceptions import IntegrityError

from bot.prebuilt_sql import Prebuilt, columns, load
from handlers.referral.codes import is_genuine, new_code
from models.referral import Campaign, ReferralCard

SHARE_PATH = "/r/"
#: The referrer's next card, numbered after those they hold in the campaign, unless they hold its
#: maximum (no row then): the count and the insert in one prebuilt statement, where a card request (a
#: customer's message) counted, then inserted through the ORM, one round trip after the other
#: (docs/performance.md, "Twelfth round"). Values: the campaign, the referrer, the code, the time, the
#: campaign and the referrer again, the maximum.
_ISSUE = Prebuilt(lambda: (
    "INSERT INTO referral_card (campaign_id, referrer_id, number, code, opens, issued_at) "
    "SELECT ?, ?, COUNT(*) + 1, ?, 0, ? FROM referral_card WHERE campaign_id = ? AND referrer_id = ? "
    f"HAVING COUNT(*) < ? RETURNING {columns(ReferralCard, '')}"), returning=True)


@dataclass(frozen=True, slots=True)
class Issued:
    """The card handed out (None when the referrer has used up their cards) and how many are left."""

    card: ReferralCard | None
    left: int


async def issue_card(campaign: Campaign, referrer_id: int, secret: bytes, now: datetime) -> Issued:
    for attempt in range(campaign.max_cards + 1):
        try:
            rows = await _ISSUE.rows(campaign.id, referrer_id, new_code(secret), now, campaign.id, referrer_id,
                                     campaign.max_cards)
        except IntegrityError:  # another request took this number a moment ago: count again
            if attempt == campaign.max_cards:
                raise
            continue
        if not rows:
            return Issued(None, 0)
        card = load(ReferralCard, rows[0])
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
