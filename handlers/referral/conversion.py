"""Conversion (成交) and the reward ledger: each reward computed by tier and written exactly once.

A referral converts on the friend's first paid order from the order source (converted at the
order's payment time) or on a staff confirmation (at the confirmation time), within the campaign's
dates. Converting assigns the referrer's next position (unique per campaign and referrer, so two
conversions racing get 1 and 2, never 1 twice) and books the bounty for that position under the key
`bounty:<referral>`; re-running, re-importing the orders or a retried request finds the referral
already converted and the key already taken, and pays nothing more.

Commissions are settled per paid order (`commission:<order_no>`) once the purchase day is over in
the shop's time zone, because the rate of a day is only final when the day ends: it is the rate
for the referrer's number of conversions up to and including that day ("from the day the 4th
converts"). The base is the order's amount net of refunds at settlement. A refund never takes back
an entry already written (R-REF-8); it only lowers what later settlements count.
"""

from __future__ import annotations

import bisect
import logging
from collections import defaultdict
from datetime import date, datetime
from zoneinfo import ZoneInfo

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from bot.phones import same_phone
from handlers.referral.campaigns import local_midnight, tiers_of
from handlers.referral.people import kin_ids, net_fen, paid_orders_of
from handlers.referral.rejections import reject
from handlers.referral.tiers import commission_fen
from models.order import Order
from models.referral import Campaign, Referral, RewardEntry

log = logging.getLogger("csbot.referral")

#: Tries at taking the referrer's next position when other conversions keep taking it first.
ATTEMPTS = 10


class ConfirmError(ValueError):
    """A staff confirmation that cannot apply; the message says why."""


async def convert_from_orders(*, now: datetime, zone: ZoneInfo, only: Referral | None = None) -> int:
    """Convert every pending referral whose friend has paid; returns how many converted."""
    pending = Referral.filter(status="visited") if only is None else Referral.filter(id=only.id, status="visited")
    converted = 0
    for referral in await pending.prefetch_related("campaign", "referrer", "referred"):
        order = await paid_orders_of(referral.referred).order_by("paid_at", "id").first()
        if order is None:
            continue
        refused = await _refusal(referral, order)
        if refused is not None:
            await Referral.filter(id=referral.id, status="visited").update(status="rejected")
            await reject(refused, now=now, campaign=referral.campaign, card_id=referral.card_id,
                         customer_id=referral.referred_id, channel=referral.first_visit_channel)
            continue
        assert order.paid_at is not None
        converted += await _convert(referral, order.paid_at, f"order:{order.order_no}", zone)
    return converted


async def _refusal(referral: Referral, order: Order) -> str | None:
    """Rules that only the first order can reveal (a phone learnt since the visit, an older order)."""
    campaign: Campaign = referral.campaign
    assert order.paid_at is not None
    if order.paid_at < referral.first_visit_at:
        return "existing_customer"
    if order.paid_at >= campaign.ends_at:
        return "campaign_ended"
    if same_phone(referral.referred.phone, referral.referrer.phone) or same_phone(order.phone,
                                                                                   referral.referrer.phone):
        return "same_phone"
    kin = await kin_ids(referral.referred)
    if await Referral.filter(referred_id__in=kin, first_visit_at__lt=referral.first_visit_at).exists():
        return "already_referred"
    return None


async def confirm(referral_id: int, staff: str, *, now: datetime, zone: ZoneInfo) -> Referral:
    """A staff confirmation that the friend has bought and paid in full (R-REF-4)."""
    referral = await Referral.get_or_none(id=referral_id).prefetch_related("campaign")
    if referral is None:
        raise ConfirmError(f"no referral {referral_id}")
    if referral.status == "visited":
        if now >= referral.campaign.ends_at:
            raise ConfirmError("the campaign has ended: nothing counts after its last day")
        await _convert(referral, now, f"staff:{staff}", zone)
        await referral.refresh_from_db()
    if referral.status != "converted":
        raise ConfirmError(f"referral {referral_id} was rejected and cannot convert")
    return referral


async def _convert(referral: Referral, at: datetime, by: str, zone: ZoneInfo) -> int:
    """Convert and book the bounty in one transaction; 0 when someone else converted it first."""
    campaign: Campaign = referral.campaign
    for attempt in range(ATTEMPTS):
        position = await Referral.filter(campaign_id=campaign.id, referrer_id=referral.referrer_id,
                                         status="converted").count() + 1
        try:
            async with in_transaction() as connection:
                updated = await Referral.filter(id=referral.id, status="visited").using_db(connection).update(
                    status="converted", converted_at=at, converted_by=by, position=position)
                if not updated:
                    return 0
                bounty = tiers_of(campaign).bounty_fen(position)
                if bounty:
                    await RewardEntry.create(
                        key=f"bounty:{referral.id}", campaign_id=campaign.id, referrer_id=referral.referrer_id,
                        referral_id=referral.id, kind="bounty", amount_fen=bounty,
                        earned_on=at.astimezone(zone).date(), created_at=at, using_db=connection)
        except IntegrityError:  # another conversion of this referrer took the position: count again
            if attempt == ATTEMPTS - 1:
                raise
            continue
        log.info("referral %s converted (%s) as position %d", referral.id, by.split(":")[0], position)
        return 1
    raise AssertionError("unreachable")


async def settle_commissions(*, now: datetime, zone: ZoneInfo) -> int:
    """Book the commission of every paid order of a referred friend up to yesterday; returns new entries."""
    until = local_midnight(now.astimezone(zone).date(), zone)
    booked = 0
    for campaign in await Campaign.filter(starts_at__lt=until):
        tiers = tiers_of(campaign)
        referrals = await Referral.filter(campaign=campaign, status="converted").prefetch_related("referred")
        days = _conversion_days(referrals, zone)
        settled = set(await RewardEntry.filter(campaign=campaign, kind="commission").values_list("order_no", flat=True))
        for referral in referrals:
            orders = await paid_orders_of(referral.referred).filter(
                paid_at__gte=max(referral.first_visit_at, campaign.starts_at),
                paid_at__lt=min(campaign.ends_at, until))
            for order in orders:
                if order.order_no in settled:
                    continue
                assert order.paid_at is not None
                day = order.paid_at.astimezone(zone).date()
                rate = tiers.rate(bisect.bisect_right(days[referral.referrer_id], day))
                base = net_fen(order)
                amount = commission_fen(base, rate)
                if amount <= 0:
                    continue
                try:
                    await RewardEntry.create(
                        key=f"commission:{order.order_no}", campaign=campaign, referrer_id=referral.referrer_id,
                        referral=referral, kind="commission", amount_fen=amount, base_fen=base, rate=str(rate),
                        order_no=order.order_no, earned_on=day, created_at=now)
                except IntegrityError:  # settled by another run a moment ago
                    continue
                settled.add(order.order_no)
                booked += 1
    return booked


def _conversion_days(referrals: list[Referral], zone: ZoneInfo) -> dict[int, list[date]]:
    """Per referrer, the sorted shop-local days of their conversions."""
    days: dict[int, list[date]] = defaultdict(list)
    for referral in referrals:
        assert referral.converted_at is not None
        days[referral.referrer_id].append(referral.converted_at.astimezone(zone).date())
    for values in days.values():
        values.sort()
    return days
