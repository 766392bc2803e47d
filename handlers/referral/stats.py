"""Numbers about a campaign: its statistics, the honour board, and one customer's own standing.

Ranks are competition ranks by successful referrals (two referrers with 3 share rank 1, the next is
3rd); among equals, whoever got there first is listed first. Monthly counts give 月度转介绍量
and 转介绍率, conversions per first visit (docs/rules.md R-REF-12).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.functions import Count, Sum

from models.customer import Customer
from models.referral import Campaign, FollowUp, Push, PushRecipient, Referral, ReferralCard, Rejection, RewardEntry


@dataclass(frozen=True, slots=True)
class Standing:
    referrer: Customer
    converted: int
    rank: int


async def campaign_stats(campaign: Campaign, zone: ZoneInfo) -> dict[str, Any]:
    cards = ReferralCard.filter(campaign=campaign)
    referrals = await Referral.filter(campaign=campaign).values("status", "first_visit_at", "converted_at")
    conversions = [row for row in referrals if row["status"] == "converted"]
    rewards = {row["kind"]: row["total"] for row in await RewardEntry.filter(campaign=campaign).annotate(
        total=Sum("amount_fen")).group_by("kind").values("kind", "total")}
    rejections = {row["reason"]: row["n"] for row in await Rejection.filter(campaign=campaign).annotate(
        n=Count("id")).group_by("reason").values("reason", "n")}
    return {
        "campaign": campaign.name,
        "cards_issued": await cards.count(),
        "link_opens": sum(await cards.values_list("opens", flat=True)),
        "first_visits": len(referrals),
        "conversions": len(conversions),
        "conversion_rate": _rate(len(conversions), len(referrals)),
        "rewards_fen": {"bounty": int(rewards.get("bounty") or 0), "commission": int(rewards.get("commission") or 0),
                        "total": int(sum(v or 0 for v in rewards.values()))},
        "rejections": dict(sorted(rejections.items())),
        "follow_ups_open": await FollowUp.filter(referral__campaign=campaign, done_at__isnull=True).count(),
        "by_month": _by_month(referrals, zone),
        "pushes": await _pushes(campaign),
    }


def _rate(part: int, whole: int) -> str:
    return f"{part / whole:.1%}" if whole else "-"


def _by_month(referrals: list[dict[str, Any]], zone: ZoneInfo) -> list[dict[str, Any]]:
    months: dict[str, Counter[str]] = defaultdict(Counter)
    for row in referrals:
        months[_month(row["first_visit_at"], zone)]["first_visits"] += 1
        if row["status"] == "converted":
            months[_month(row["converted_at"], zone)]["conversions"] += 1
    return [{"month": month, "first_visits": counts["first_visits"], "conversions": counts["conversions"],
             "conversion_rate": _rate(counts["conversions"], counts["first_visits"])}
            for month, counts in sorted(months.items())]


def _month(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m")


async def _pushes(campaign: Campaign) -> list[dict[str, Any]]:
    result = []
    for push in await Push.filter(campaign=campaign).order_by("id"):
        counts = {row["status"]: row["n"] for row in await PushRecipient.filter(push=push).annotate(
            n=Count("id")).group_by("status").values("status", "n")}
        result.append({"segment": push.segment, "finished": push.finished_at is not None, **counts})
    return result


async def honour_board(campaign: Campaign, limit: int | None = None) -> list[Standing]:
    """Referrers with at least one successful referral, best first."""
    rows = await Referral.filter(campaign=campaign, status="converted").values("referrer_id", "converted_at")
    counts: Counter[int] = Counter(row["referrer_id"] for row in rows)
    reached: dict[int, datetime] = {}
    for row in rows:
        reached[row["referrer_id"]] = max(row["converted_at"], reached.get(row["referrer_id"], row["converted_at"]))
    order = sorted(counts, key=lambda rid: (-counts[rid], reached[rid], rid))[:limit]
    customers = {c.id: c for c in await Customer.filter(id__in=order)}
    return [Standing(customers[rid], counts[rid], 1 + sum(1 for n in counts.values() if n > counts[rid]))
            for rid in order]


async def own_standing(campaign: Campaign, customer_id: int) -> dict[str, int]:
    """What a referrer sees in chat (我推荐了几个人): friends who came, who bought, rewards, rank."""
    mine = await Referral.filter(campaign=campaign, referrer_id=customer_id).values_list("status", flat=True)
    converted = sum(1 for status in mine if status == "converted")
    reward = sum(await RewardEntry.filter(campaign=campaign, referrer_id=customer_id).values_list(
        "amount_fen", flat=True))
    others = await Referral.filter(campaign=campaign, status="converted").annotate(n=Count("id")).group_by(
        "referrer_id").values_list("n", flat=True)
    rank = 1 + sum(1 for n in others if n > converted) if converted else 0
    return {"visited": len(mine), "converted": converted, "reward_fen": reward, "rank": rank}
