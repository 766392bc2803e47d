"""Message counts per day, channel and author that survive retention (docs/rules.md R-RETENTION-3).

`seal` counts every complete shop-local day not yet sealed (one GROUP BY per day) and marks it;
the daily job and `csbot retention` seal before deleting anything. `message_counts` answers a
report's period from the kept counts for sealed days and from the messages themselves for the rest
(today, and days not sealed yet), so the figures are the same before and after a deletion.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from tortoise.functions import Count
from tortoise.transactions import in_transaction

from bot.report_periods import day_start
from bot.reports import ReportQuery
from models.message import Message
from models.report import MessageDayCount, SealedDay


async def seal(until: date, zone: ZoneInfo, now: datetime) -> int:
    """Seal every day before `until` that has messages and is not sealed yet; returns how many."""
    first = await Message.all().order_by("created_at").first()
    if first is None:
        return 0
    sealed = set(await SealedDay.filter(day__lt=until).values_list("day", flat=True))
    day, count = first.created_at.astimezone(zone).date(), 0
    while day < until:
        if day not in sealed:
            await _seal_day(day, zone, now)
            count += 1
        day += timedelta(days=1)
    return count


async def _seal_day(day: date, zone: ZoneInfo, now: datetime) -> None:
    start, end = day_start(day, zone), day_start(day + timedelta(days=1), zone)
    rows = await Message.filter(created_at__gte=start, created_at__lt=end).group_by("channel", "author").annotate(
        n=Count("id")).values("channel", "author", "n")
    async with in_transaction():
        if await SealedDay.exists(day=day):
            return
        await MessageDayCount.bulk_create([MessageDayCount(day=day, channel=row["channel"], author=row["author"],
                                                           count=row["n"]) for row in rows])
        await SealedDay.create(day=day, sealed_at=now)


async def message_counts(query: ReportQuery, zone: ZoneInfo) -> Counter[tuple[date, str, str]]:
    """Messages written in the period by (shop-local day, channel, author)."""
    first, last = query.start.astimezone(zone).date(), query.end.astimezone(zone).date()
    sealed = set(await SealedDay.filter(day__gte=first, day__lte=last).values_list("day", flat=True))
    counts: Counter[tuple[date, str, str]] = Counter()
    kept = MessageDayCount.filter(day__in=sealed)
    unsealed = first
    while unsealed in sealed:
        unsealed += timedelta(days=1)
    live = Message.filter(created_at__gte=max(query.start, day_start(unsealed, zone)), created_at__lt=query.end)
    if query.channel:
        kept, live = kept.filter(channel=query.channel), live.filter(channel=query.channel)
    for row in await kept.values("day", "channel", "author", "count"):
        moment = day_start(row["day"], zone)
        if query.start <= moment < query.end:
            counts[row["day"], row["channel"], row["author"]] += row["count"]
    for row in await live.values("created_at", "channel", "author"):
        day = row["created_at"].astimezone(zone).date()
        if day not in sealed:
            counts[day, row["channel"], row["author"]] += 1
    return counts
