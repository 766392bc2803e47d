"""The callback figures (docs/rules.md R-CALLBACK-8), per kind and per period, from one function so
the console, the API, `csbot callbacks stats` and the reports page show the same numbers.

Every callback that fell due in the period and is due by now counts in the denominator, whether or
not anyone tried: one still open is a failure, not a missing row.
- success rate (回访成功率) = reached / due, target ≥ 95% (004);
- compliance (回访规范率) = reached by its deadline (due + `CALLBACKS_WITHIN_DAYS`) / due, target ≥ 90%
  a month (004);
- satisfaction rate (满意率) = satisfied / rated, target ≥ 98% (003).

The report may be narrowed to the customer's channel and to the agent who owns the callback's task
(who calls: the customer's last agent); a callback with no task yet is nobody's, so it counts in the
shop's figures only, as an escalation nobody reached does in the agents report.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.report_periods import month_period, period_label
from bot.reports import Column, ReportQuery, ReportSpec, ReportTable
from models.callback import CALLBACK_KINDS, Callback

if TYPE_CHECKING:
    from bot.context import Services

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
TARGETS = {"success_rate": 0.95, "compliance": 0.90, "satisfaction": 0.98}
COUNTS = ("due", "reached", "on_time", "rated", "satisfied")


def empty() -> dict[str, int]:
    return dict.fromkeys(COUNTS, 0)


def rates(counts: dict[str, int]) -> dict[str, Any]:
    due, rated = counts["due"], counts["rated"]
    figures: dict[str, Any] = {
        **counts,
        "success_rate": counts["reached"] / due if due else None,
        "compliance": counts["on_time"] / due if due else None,
        "satisfaction": counts["satisfied"] / rated if rated else None,
    }
    figures["meets_targets"] = {name: figures[name] >= target for name, target in TARGETS.items()
                                if figures[name] is not None}
    return figures


async def count(start: datetime, end: datetime, now: datetime, zone: ZoneInfo, bucket: str = "month",
                channel: str | None = None, agent_id: int | None = None) -> dict[tuple[str, str], dict[str, int]]:
    """Counts keyed by (period label, kind) for callbacks due in [start, end) and by `now`, of customers
    on `channel` and tasks owned by `agent_id` when given."""
    found = Callback.filter(due_at__gte=start, due_at__lt=end, due_at__lte=now)
    if channel:
        found = found.filter(customer__channel=channel)
    if agent_id is not None:
        found = found.filter(task__owner_id=agent_id)
    rows = await found.prefetch_related("task")
    table: dict[tuple[str, str], dict[str, int]] = defaultdict(empty)
    for callback in rows:
        counts = table[(period_label(callback.due_at, bucket, zone), callback.kind)]
        counts["due"] += 1
        task = callback.task
        if task is None or task.state != "done":
            continue
        counts["reached"] += 1
        counts["on_time"] += task.done_at is not None and task.done_at <= callback.deadline_at
        if task.rating:
            counts["rated"] += 1
            counts["satisfied"] += task.rating == "satisfied"
    return table


def check_month(text: str) -> str:
    """"2026-11" as it is; ValueError for anything that is not a month between the years 1 and 9998."""
    if not MONTH.match(text) or not 1 <= int(text[:4]) <= 9998:
        raise ValueError(f"{text!r} is not a month like 2026-11")
    return text


async def month_figures(month: str, now: datetime, zone: ZoneInfo) -> dict[str, Any]:
    """One month's figures: per kind and all kinds together."""
    start, end = month_period(int(month[:4]), int(month[5:7]), zone)
    table = await count(start, end, now, zone)
    total = empty()
    kinds = {}
    for kind in CALLBACK_KINDS:
        counts = table.get((month, kind), empty())
        kinds[kind] = rates(counts)
        for name in COUNTS:
            total[name] += counts[name]
    return {"month": month, "kinds": kinds, "all": rates(total), "targets": TARGETS}


COLUMNS = [
    Column("period", "reports.col_bucket", "text"), Column("kind", "callbacks_console.col_kind", "text"),
    Column("due", "callbacks_console.col_due_count"), Column("reached", "callbacks_console.col_reached"),
    Column("on_time", "callbacks_console.col_on_time"), Column("rated", "callbacks_console.col_rated"),
    Column("satisfied", "callbacks_console.col_satisfied"),
    Column("success_rate", "callbacks_console.col_success_rate", "share"),
    Column("compliance", "callbacks_console.col_compliance", "share"),
    Column("satisfaction", "callbacks_console.col_satisfaction", "share"),
]


async def build_report(services: Services, query: ReportQuery) -> ReportTable:
    zone, render = services.settings.zone, services.templates.render_safe
    table = await count(query.start, query.end, services.clock.now(), zone, query.bucket, query.channel,
                        query.agent_id)
    rows, total = [], empty()
    for (label, kind), counts in sorted(table.items()):
        figures = rates(counts)
        rows.append({"period": label, "kind": render(f"callbacks_console.kind_{kind}"),
                     **{column.key: figures[column.key] for column in COLUMNS[2:]}})
        for name in COUNTS:
            total[name] += counts[name]
    figures = rates(total)
    totals = {"period": "", "kind": render("callbacks_console.all_kinds"),
              **{column.key: figures[column.key] for column in COLUMNS[2:]}}
    return ReportTable(COLUMNS, rows, totals)


REPORT = ReportSpec("callbacks", "callbacks_console.stats_title", build_report, ("channel", "agent"))
