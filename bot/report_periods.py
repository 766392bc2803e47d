"""Periods and buckets of a report in shop time (docs/rules.md R-REPORT-2), shared by every `ReportSpec`.

A report covers `[start, end)` in the shop's time zone and is cut into days, ISO weeks (Monday
first) or calendar months, each labelled the way supervisors write them (`2026-11-03`,
`2026-W45`, `2026-11`). A bucket is clipped to the period, so a week that began before the
period's first day counts only the days inside it. Every area builds its rows on these
helpers, so the page, the API and the workbooks cut time the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.reports import Bucket, ReportQuery


@dataclass(frozen=True, slots=True)
class Span:
    label: str
    start: datetime
    end: datetime


def day_start(day: date, zone: ZoneInfo) -> datetime:
    """Midnight of `day` in shop time, in UTC: the database compares stored UTC times as they are
    (SQLite compares the text), so every bound a report passes to a query is UTC."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def bucket_start(day: date, bucket: Bucket) -> date:
    if bucket == "week":
        return day - timedelta(days=day.weekday())
    if bucket == "month":
        return day.replace(day=1)
    return day


def next_bucket(day: date, bucket: Bucket) -> date:
    if bucket == "day":
        return day + timedelta(days=1)
    if bucket == "week":
        return day + timedelta(days=7)
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def bucket_label(day: date, bucket: Bucket) -> str:
    if bucket == "week":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    if bucket == "month":
        return day.strftime("%Y-%m")
    return day.isoformat()


def spans(query: ReportQuery, zone: ZoneInfo) -> list[Span]:
    """The query's buckets, in order, clipped to `[start, end)`."""
    result = []
    first = bucket_start(query.start.astimezone(zone).date(), query.bucket)
    while (start := day_start(first, zone)) < query.end:
        following = next_bucket(first, query.bucket)
        result.append(Span(bucket_label(first, query.bucket), max(start, query.start),
                           min(day_start(following, zone), query.end)))
        first = following
    return result


def label_of(moment: datetime, query: ReportQuery, zone: ZoneInfo) -> str | None:
    """The label of the bucket `moment` falls in, or None outside the query's period."""
    if not query.start <= moment < query.end:
        return None
    return period_label(moment, query.bucket, zone)


def period_label(moment: datetime, bucket: Bucket, zone: ZoneInfo) -> str:
    """The label of the bucket `moment` falls in, shop time ("2026-11-27", "2026-W48", "2026-11")."""
    return bucket_label(bucket_start(moment.astimezone(zone).date(), bucket), bucket)


def month_period(year: int, month: int, zone: ZoneInfo) -> tuple[datetime, datetime]:
    first = date(year, month, 1)
    return day_start(first, zone), day_start(next_bucket(first, "month"), zone)


def week_period(year: int, week: int, zone: ZoneInfo) -> tuple[datetime, datetime]:
    monday = date.fromisocalendar(year, week, 1)
    return day_start(monday, zone), day_start(monday + timedelta(days=7), zone)


def share(part: int, whole: int) -> float | None:
    """A share in 0..1, or None (shown as -) when nothing was counted."""
    return round(part / whole, 4) if whole else None
