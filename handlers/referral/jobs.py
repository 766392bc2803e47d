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

from bot.runtime import Runtime
from handlers.referral import followups
from handlers.referral.campaigns import Changes, create_campaign, edit_campaign, is_open
from handlers.referral.codes import SecretMissing, secret_key
from handlers.referral.conversion import convert_from_orders, settle_commissions
from handlers.referral.settings import ReferralSettings
from models.referral import Campaign

log = logging.getLogger("csbot.referral")

SYNC_KIND = "referral.sync"
DEMO = "demo"
DEMO_DAYS = 90


async def settle_all(runtime: Runtime) -> tuple[int, int, int]:
    """(conversions, commission entries, follow-up tasks) made now."""
    now, zone = runtime.clock.now(), runtime.settings.zone
    converted = await convert_from_orders(now=now, zone=zone)
    commissions = await settle_commissions(now=now, zone=zone)
    tasks = await followups.catch_up(now=now, zone=zone)
    return converted, commissions, tasks


async def daily(runtime: Runtime) -> None:
    converted, commissions, tasks = await settle_all(runtime)
    log.info("referral daily: %d conversions, %d commissions, %d follow-ups", converted, commissions, tasks)


async def startup(runtime: Runtime) -> None:
    settings = runtime.settings
    try:
        await secret_key(settings)
    except SecretMissing as exc:
        log.error("referral cards are off: %s", exc)

    async def follow_up_due(member: str) -> None:
        await followups.due(int(member), now=runtime.clock.now(), zone=settings.zone)

    async def sync(member: str) -> None:
        await plan_sync()
        converted = await convert_from_orders(now=runtime.clock.now(), zone=settings.zone)
        if converted:
            log.info("referral sync: %d conversions", converted)

    async def plan_sync() -> None:
        await runtime.scheduler.at(SYNC_KIND, "orders", next_sync(runtime))

    runtime.scheduler.on(followups.KIND, follow_up_due)
    runtime.scheduler.on(SYNC_KIND, sync)
    await plan_sync()


def next_sync(runtime: Runtime) -> float:
    return runtime.clock.time() + runtime.settings.area(ReferralSettings).sync_interval_s


async def reconcile(runtime: Runtime, store_lost: bool) -> None:
    """The order sync re-arms itself if its deadline is missing (the store lost it, or a sync failed
    before planning the next); after a loss, follow-up deadlines come back from the referrals."""
    await runtime.scheduler.ensure(SYNC_KIND, "orders", next_sync(runtime))
    if store_lost:
        await followups.rearm(runtime.scheduler)


async def demo_data(runtime: Runtime) -> None:
    """An active campaign named `demo` with the default tiers (docs/rules.md R-REF-5, R-REF-6); made active
    again if it has ended."""
    now, zone = runtime.clock.now(), runtime.settings.zone
    today = now.astimezone(zone).date()
    window = Changes(starts_on=today - timedelta(days=1), ends_on=today + timedelta(days=DEMO_DAYS))
    campaign = await Campaign.get_or_none(name=DEMO)
    if campaign is None:
        await create_campaign(DEMO, Changes(title=runtime.templates.render("referral.demo_title"),
                                            starts_on=window.starts_on, ends_on=window.ends_on),
                              now=now, zone=zone, templates=runtime.templates)
    elif not is_open(campaign, now):
        await edit_campaign(campaign, window, now=now, zone=zone, templates=runtime.templates)
