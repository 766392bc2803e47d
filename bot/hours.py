"""Staffed hours in the shop's time zone (docs/rules.md R-TIME-6).

Outside them the bot does not promise a handover; it says when a person is back. "24:00" means
the end of the day.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

RANGE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
Span = tuple[int, int]  # minutes after local midnight, [start, end)


def parse_hours(text: str) -> list[Span]:
    """"09:30-12:00,13:30-24:00" → [(570, 720), (810, 1440)]; raises ValueError with the bad part."""
    spans: list[Span] = []
    for part in text.split(","):
        match = RANGE.match(part)
        if not match:
            raise ValueError(f"{part.strip()!r} is not HH:MM-HH:MM")
        h1, m1, h2, m2 = map(int, match.groups())
        start, end = h1 * 60 + m1, h2 * 60 + m2
        if not (0 <= start < end <= 1440 and m1 < 60 and m2 < 60):
            raise ValueError(f"{part.strip()!r} must run forward within one day (24:00 is midnight)")
        spans.append((start, end))
    return sorted(spans)


class StaffedHours:
    def __init__(self, text: str, zone: ZoneInfo) -> None:
        self.spans = parse_hours(text)
        self.zone = zone

    def is_open(self, moment: datetime) -> bool:
        local = moment.astimezone(self.zone)
        minute = local.hour * 60 + local.minute
        return any(start <= minute < end for start, end in self.spans)

    def next_open(self, moment: datetime) -> datetime:
        """When a person is next at work (`moment` itself when open)."""
        if self.is_open(moment):
            return moment
        local = moment.astimezone(self.zone)
        for day in range(0, 8):
            date = (local + timedelta(days=day)).date()
            for start, _ in self.spans:
                opening = datetime.combine(date, time(start // 60, start % 60), self.zone)
                if opening > local:
                    return opening
        raise ValueError("no staffed hours configured")


def shop_midnight(now: datetime, zone: ZoneInfo) -> datetime:
    """The start of the shop-local day containing `now`, in UTC.

    In UTC because that is how every datetime is stored: SQLite compares them as text, so a bound
    written with another offset ("…+08:00") would be compared wrongly against stored "…+00:00".
    """
    local = now.astimezone(zone)
    return datetime.combine(local.date(), time(0), zone).astimezone(UTC)
