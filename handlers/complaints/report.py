"""顾客投诉分类统计表: complaints registered per period by category and cause (docs/rules.md R-COMPLAINT-14).

Counts only (no numbers, customers or agents), so the table is the same for whoever reads it and
shows nothing of a complaint about the reader (R-COMPLAINT-8). A row is one period and one
category; `cause` is what the investigation found, 未调查 until then.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.reports import Column, ReportQuery, ReportSpec, ReportTable
from bot.templates import spec
from handlers.complaints.process import CATEGORIES
from models.complaint import Complaint

if TYPE_CHECKING:
    from bot.runtime import Runtime

COLUMNS = ("period", "category", "cause", "count", "major", "closed")
SCRIPTS = (
    spec("complaints_console.report_title"),
    *(spec(f"complaints_console.report_{name}") for name in COLUMNS),
    spec("complaints_console.report_no_cause"),
)


def period_of(moment: datetime, query: ReportQuery, zone) -> str:
    local = moment.astimezone(zone)
    if query.bucket == "month":
        return f"{local:%Y-%m}"
    if query.bucket == "week":
        monday = local.date() - timedelta(days=local.weekday())
        return monday.isoformat()
    return local.date().isoformat()


async def build(runtime: Runtime, query: ReportQuery) -> ReportTable:
    found = Complaint.filter(created_at__gte=query.start, created_at__lt=query.end)
    if query.channel:
        found = found.filter(channel=query.channel)
    no_cause = runtime.templates.render_safe("complaints_console.report_no_cause")
    counts: Counter[tuple[str, str, str]] = Counter()
    majors: Counter[tuple[str, str, str]] = Counter()
    closed: Counter[tuple[str, str, str]] = Counter()
    for complaint in await found:
        key = (period_of(complaint.created_at, query, runtime.settings.zone), complaint.category,
               (complaint.cause or no_cause).strip()[:60])
        counts[key] += 1
        majors[key] += complaint.severity == "major"
        closed[key] += complaint.closed_at is not None
    order = {category: n for n, category in enumerate(CATEGORIES)}
    rows = [{"period": p, "category": runtime.templates.render_safe(f"complaints_console.category_{c}"),
             "cause": cause, "count": counts[(p, c, cause)], "major": majors[(p, c, cause)],
             "closed": closed[(p, c, cause)]}
            for p, c, cause in sorted(counts, key=lambda k: (k[0], order.get(k[1], 99), k[2]))]
    totals = {"count": sum(counts.values()), "major": sum(majors.values()), "closed": sum(closed.values())}
    columns = [Column(name, f"complaints_console.report_{name}",
                      "count" if name in ("count", "major", "closed") else "text") for name in COLUMNS]
    return ReportTable(columns=columns, rows=rows, totals=totals)


REPORT = ReportSpec("complaint_categories", "complaints_console.report_title", build, filters=("channel",))
