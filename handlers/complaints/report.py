"""The complaint statistics (docs/rules.md R-COMPLAINT-12, R-COMPLAINT-14).

- 顾客投诉分类统计表: complaints registered per period by category and cause. Counts only (no
  numbers or customers), so it shows nothing of a complaint about the reader (R-COMPLAINT-8). A row
  is one period, category and cause; `cause` is what the investigation found, 未调查 until then.
- 服务投诉统计 (per agent): service complaints about each agent per period, and whether one of them
  was flagged serious (the third in a month).

Both are filtered by the complaint's channel; the agent filter is the complaint's owner (who handles
it) for the first and the accused agent for the second (admins only).
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from bot.report_periods import period_label
from bot.reports import Column, ReportQuery, ReportSpec, ReportTable
from bot.templates import spec
from handlers.complaints.process import CATEGORIES
from models.agent import Agent
from models.complaint import Complaint

if TYPE_CHECKING:
    from bot.context import Services

COLUMNS = ("period", "category", "cause", "count", "major", "closed")
AGENT_COLUMNS = ("period", "agent", "count", "serious")
SCRIPTS = (
    spec("complaints_console.report_title"),
    spec("complaints_console.report_agents_title"),
    *(spec(f"complaints_console.report_{name}") for name in dict.fromkeys((*COLUMNS, *AGENT_COLUMNS))),
    spec("complaints_console.report_no_cause"),
)


async def build(services: Services, query: ReportQuery) -> ReportTable:
    found = Complaint.filter(created_at__gte=query.start, created_at__lt=query.end)
    if query.channel:
        found = found.filter(channel=query.channel)
    if query.agent_id is not None:
        found = found.filter(owner_id=query.agent_id)
    no_cause = services.templates.render_safe("complaints_console.report_no_cause")
    counts: Counter[tuple[str, str, str]] = Counter()
    majors: Counter[tuple[str, str, str]] = Counter()
    closed: Counter[tuple[str, str, str]] = Counter()
    for complaint in await found:
        key = (period_label(complaint.created_at, query.bucket, services.settings.zone), complaint.category,
               (complaint.cause or no_cause).strip()[:60])
        counts[key] += 1
        majors[key] += complaint.severity == "major"
        closed[key] += complaint.closed_at is not None
    order = {category: n for n, category in enumerate(CATEGORIES)}
    rows = [{"period": p, "category": services.templates.render_safe(f"complaints_console.category_{c}"),
             "cause": cause, "count": counts[(p, c, cause)], "major": majors[(p, c, cause)],
             "closed": closed[(p, c, cause)]}
            for p, c, cause in sorted(counts, key=lambda k: (k[0], order.get(k[1], 99), k[2]))]
    totals = {"count": sum(counts.values()), "major": sum(majors.values()), "closed": sum(closed.values())}
    columns = [Column(name, f"complaints_console.report_{name}",
                      "count" if name in ("count", "major", "closed") else "text") for name in COLUMNS]
    return ReportTable(columns=columns, rows=rows, totals=totals)


async def build_agents(services: Services, query: ReportQuery) -> ReportTable:
    found = Complaint.filter(created_at__gte=query.start, created_at__lt=query.end, category="service",
                             accused_agent_id__isnull=False)
    if query.channel:
        found = found.filter(channel=query.channel)
    if query.agent_id is not None:
        found = found.filter(accused_agent_id=query.agent_id)
    counts: Counter[tuple[str, int]] = Counter()
    serious: set[tuple[str, int]] = set()
    for complaint in await found:
        key = (period_label(complaint.created_at, query.bucket, services.settings.zone), complaint.accused_agent_id)
        counts[key] += 1
        if complaint.serious:
            serious.add(key)
    names = dict(await Agent.filter(id__in={agent for _, agent in counts}).values_list("id", "name"))
    rows = [{"period": p, "agent": names.get(agent, str(agent)), "count": counts[(p, agent)],
             "serious": int((p, agent) in serious)} for p, agent in sorted(counts)]
    columns = [Column(name, f"complaints_console.report_{name}", "text" if name in ("period", "agent") else "count")
               for name in AGENT_COLUMNS]
    return ReportTable(columns=columns, rows=rows, totals={"count": sum(counts.values())})


REPORT = ReportSpec("complaint_categories", "complaints_console.report_title", build, ("channel", "agent"))
AGENTS_REPORT = ReportSpec("complaint_service_agents", "complaints_console.report_agents_title", build_agents,
                           ("channel", "agent"), roles=("admin",))
