"""The referral area's background work: conversions from the order source, commission settlement,
follow-up tasks, and the demo campaign.

Conversions are checked every `referral_sync_interval_s` by one worker (the deadline lives in the
store like every other), and again by the daily job, which also settles the previous days'
commissions and creates follow-up tasks a lost deadline missed. All of it is idempotent, so
running it twice, or on two workers, books nothing twice.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from handlers.referral import followups
from handlers.referral.campaigns import Changes, create_campaign, edit_campaign, is_open
from handlers.referral.codes import SecretMissing, secret_key
from handlers.referral.conversion import convert_from_orders, settle_commissions
from handlers.referral.desk import REFERRAL, ReferralDesk
from models.referral import Campaign

if TYPE_CHECKING:
    from bot.extension import AreaKit

log = logging.getLogger("csbot.referral")

SYNC_KIND = "referral.sync"
DEMO = "demo"
DEMO_DAYS = 90


async def settle_all(desk: ReferralDesk) -> tuple[int, int, int]:
    """(conversions, commission entries, follow-up tasks) made now."""
    now, zone = desk.now(), desk.zone
    converted = await convert_from_orders(now=now, zone=zone)
    commissions = await settle_commissions(now=now, zone=zone)
    tasks = await followups.catch_up(now=now, zone=zone)
    return converted, commissions, tasks


async def daily(kit: AreaKit) -> None:
    converted, commissions, tasks = await settle_all(kit.services[REFERRAL])
    log.info("referral daily: %d conversions, %d commissions, %d follow-ups", converted, commissions, tasks)


async def startup(kit: AreaKit) -> None:
    desk = kit.services[REFERRAL] = ReferralDesk.build(kit)
    try:
        await secret_key(desk.core)
    except SecretMissing as exc:
        log.error("referral cards are off: %s", exc)

    async def follow_up_due(member: str) -> None:
        await followups.due(int(member), now=desk.now(), zone=desk.zone)

    async def sync(member: str) -> None:
        await plan_sync()
        converted = await convert_from_orders(now=desk.now(), zone=desk.zone)
        if converted:
            log.info("referral sync: %d conversions", converted)

    async def plan_sync() -> None:
        await desk.scheduler.at(SYNC_KIND, "orders", next_sync(desk))

    desk.scheduler.on(followups.KIND, follow_up_due)
    desk.scheduler.on(SYNC_KIND, sync)
    await plan_sync()


def next_sync(desk: ReferralDesk) -> float:
    return desk.clock.time() + desk.settings.sync_interval_s


async def reconcile(kit: AreaKit, store_lost: bool) -> None:
    """The order sync re-arms itself if its deadline is missing (the store lost it, or a sync failed
    before planning the next); after a loss, follow-up deadlines come back from the referrals."""
    desk = kit.services[REFERRAL]
    await desk.scheduler.ensure(SYNC_KIND, "orders", next_sync(desk))
    if store_lost:
        await followups.rearm(desk.scheduler)


async def demo_data(kit: AreaKit) -> None:
    """An active campaign named `demo` with the default tiers (docs/rules.md R-REF-5, R-REF-6); made active
    again if it has ended."""
    desk = kit.services[REFERRAL]
    now, zone = desk.now(), desk.zone
    today = now.astimezone(zone).date()
    window = Changes(starts_on=today - timedelta(days=1), ends_on=today + timedelta(days=DEMO_DAYS))
    campaign = await Campaign.get_or_none(name=DEMO)
    if campaign is None:
        await create_campaign(DEMO, Changes(title=desk.templates.render("referral.demo_title"),
                                            starts_on=window.starts_on, ends_on=window.ends_on),
                              now=now, zone=zone, templates=desk.templates)
    elif not is_open(campaign, now):
        await edit_campaign(campaign, window, now=now, zone=zone, templates=desk.templates)
