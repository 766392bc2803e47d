"""Attribution: a friend's first contact through a card confirms the referral (docs/rules.md R-REF-3).

The rules, checked in this order, each refusal recorded with its reason (R-REF-3: fake, duplicate
and self-referrals are caught and recorded):
- `bad_signature` / `unknown_card`: the code was tampered with or never issued;
- `campaign_not_started` / `campaign_ended`: outside the campaign's dates nothing counts;
- `self_referral`: the referrer's own identity; `same_phone`: another identity with their phone;
- `already_referred`: first touch wins, on any channel (identities sharing a phone are one person);
- `card_used`: one card, one friend;
- `existing_customer`: only new customers count (no earlier message, no order, on any identity).

A friend who comes back through the same card is simply recognised again. The database's unique
keys (one referral per card, one per friend) settle two visits racing on two workers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.exceptions import IntegrityError

from bot.phones import same_phone
from bot.store.base import Store
from handlers.referral import followups
from handlers.referral.cards import find_card
from handlers.referral.people import kin_ids, orders_of
from handlers.referral.rejections import reject
from models.customer import Customer
from models.message import Message
from models.referral import Campaign, Referral, ReferralCard


@dataclass(frozen=True, slots=True)
class Visit:
    """The referral this visit made, or found again (the same friend through the same card); None when
    the rules refused it, and why."""

    referral: Referral | None
    refused: str | None = None  # the recorded reason (the table in docs/referral.md)


async def record_visit(code: str, customer_id: int, channel: str, *, secret: bytes, now: datetime,
                       store: Store) -> Visit:
    card, problem = await find_card(code, secret)
    if card is None:
        reason = problem or "unknown_card"
        await reject(reason, now=now, customer_id=customer_id, channel=channel)
        return Visit(None, refused=reason)
    outcome = await _refusal(card, customer_id, now)
    if outcome is None:
        try:
            referral = await Referral.create(campaign=card.campaign, card=card, referrer_id=card.referrer_id,
                                             referred_id=customer_id, first_visit_at=now, first_visit_channel=channel)
        except IntegrityError:  # another visit won the race for this card or this friend
            outcome = await _refusal(card, customer_id, now) or "card_used"
        else:
            await followups.plan(store, referral)
            return Visit(referral)
    if isinstance(outcome, Referral):
        return Visit(outcome)
    await reject(outcome, now=now, campaign=card.campaign, card_id=card.id, customer_id=customer_id, channel=channel)
    return Visit(None, refused=outcome)


async def _refusal(card: ReferralCard, customer_id: int, now: datetime) -> str | Referral | None:
    """Why this visit cannot count; the existing referral for a repeat visit; None when it counts."""
    campaign: Campaign = card.campaign
    if now < campaign.starts_at:
        return "campaign_not_started"
    if now >= campaign.ends_at:
        return "campaign_ended"
    referrer: Customer = card.referrer
    friend = await Customer.get(id=customer_id)
    if friend.id == referrer.id:
        return "self_referral"
    if same_phone(friend.phone, referrer.phone):
        return "same_phone"
    kin = await kin_ids(friend)
    earlier = await Referral.filter(referred_id__in=kin).order_by("first_visit_at").first()
    if earlier is not None:
        return earlier if earlier.referred_id == friend.id and earlier.card_id == card.id else "already_referred"
    if await Referral.exists(card_id=card.id):
        return "card_used"
    if await _known_before(friend, kin):
        return "existing_customer"
    return None


async def _known_before(friend: Customer, kin: list[int]) -> bool:
    """Whether this person wrote to the shop or ordered before, on any of their identities (the message
    that brought them here is recorded after its handler ran, so it is not among them)."""
    if await Message.filter(direction="in", conversation__customer_id__in=kin).exists():
        return True
    for customer in await Customer.filter(id__in=kin):
        if await orders_of(customer).exists():
            return True
    return False
