"""The weekly and monthly workbooks the server makes by itself (docs/rules.md R-REPORT-8, R-REPORT-9).

From the daily job (02:00 shop time, on the runtime's clock): on the 1st, last month's workbook, and
on any later day up to `REPORTS_MONTHLY_DUE_DAY` when it is still missing (the server was down on
the 1st); from each Monday on, last week's when it is still missing. A workbook is written once
(to a temporary name, then renamed) into the reports directory, and supervisors are told: an event
on the console topic and, with `ALERT_WEBHOOK_URL`, a JSON POST like the handoff's alerts.
"""

from __future__ import annotations

import asyncio
import logging
import re
from datetime import date, timedelta
from pathlib import Path

import aiohttp

from bot.report_periods import month_period, week_period
from bot.reports import ReportQuery
from bot.store.keys import CONSOLE_TOPIC
from handlers.reports.desk import ReportsDesk
from handlers.reports.workbook import Period, build_workbook

log = logging.getLogger("csbot.reports")

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
WEEK = re.compile(r"^(\d{4})-W(0[1-9]|[1-4]\d|5[0-3])$")
FILE_NAME = re.compile(r"^(monthly-\d{4}-\d{2}|weekly-\d{4}-W\d{2})\.xlsx$")
WEBHOOK_TIMEOUT_S = 3.0


def month(desk: ReportsDesk, label: str) -> Period:
    """The period of `YYYY-MM` in shop time, by month; ValueError on another shape."""
    found = MONTH.match(label)
    if found is None:
        raise ValueError(f"{label!r} is not a month written YYYY-MM")
    start, end = month_period(int(found[1]), int(found[2]), desk.core.zone)
    return Period("monthly", label, ReportQuery(start, end, "month"))


def week(desk: ReportsDesk, label: str) -> Period:
    """The ISO week `YYYY-Www` in shop time; ValueError on another shape or a week the year lacks."""
    found = WEEK.match(label)
    if found is None:
        raise ValueError(f"{label!r} is not a week written YYYY-Www (e.g. 2026-W45)")
    start, end = week_period(int(found[1]), int(found[2]), desk.core.zone)
    return Period("weekly", label, ReportQuery(start, end, "week"))


def previous_month(today: date) -> str:
    return (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")


def previous_week(today: date) -> str:
    year, number, _ = (today - timedelta(days=7)).isocalendar()
    return f"{year}-W{number:02d}"


def directory(desk: ReportsDesk) -> Path:
    return desk.reports.directory(desk.core)


def path_of(desk: ReportsDesk, period: Period) -> Path:
    return directory(desk) / f"{period.kind}-{period.label}.xlsx"


async def write(desk: ReportsDesk, period: Period, target: Path) -> None:
    data, _ = await build_workbook(desk, period, "supervisor")  # stored for every supervisor to open
    await asyncio.to_thread(_write_atomically, target, data)


def _write_atomically(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    partial.write_bytes(data)
    partial.replace(target)


async def daily(desk: ReportsDesk) -> list[Path]:
    """Make the workbooks due today that are missing; returns those made."""
    today = desk.clock.now().astimezone(desk.core.zone).date()
    due = [week(desk, previous_week(today))]
    if today.day <= desk.reports.monthly_due_day:
        due.insert(0, month(desk, previous_month(today)))
    made = []
    for period in due:
        target = path_of(desk, period)
        if target.exists():
            continue
        await write(desk, period, target)
        await notify(desk, period, target)
        made.append(target)
    return made


async def notify(desk: ReportsDesk, period: Period, target: Path) -> None:
    payload = {"type": "report.ready", "kind": period.kind, "period": period.label, "file": target.name,
               "url": f"/api/report-files/{target.name}", "at": desk.clock.time()}
    await desk.store.publish(CONSOLE_TOPIC, payload)
    url = desk.core.alert_webhook_url
    if not url:
        return
    try:
        timeout = aiohttp.ClientTimeout(total=WEBHOOK_TIMEOUT_S)
        async with aiohttp.ClientSession(timeout=timeout) as session, session.post(url, json=payload) as response:
            if response.status >= 400:
                log.warning("report webhook answered %d", response.status)
    except (TimeoutError, aiohttp.ClientError) as exc:
        log.warning("report webhook failed: %s", type(exc).__name__)
