"""After-sales completion as a report (docs/rules.md R-REPORT-6).

Per bucket of filing: cases filed, how many of them are completed (resolved, rejected or cancelled:
the customer has an answer) and the share, how many were resolved, and money refunded or
compensated on them. Filtered by the filing customer's channel and the case's assignee.
"""

from __future__ import annotations

from collections import Counter

from bot.context import Services
from bot.report_periods import label_of, share, spans
from bot.reports import Column, ReportQuery, ReportSpec, ReportTable
from bot.templates import spec
from handlers.after_sales.machine import OPEN_STATES
from models.case import AfterSalesCase

COLUMNS = [
    Column("bucket", "reports.col_bucket", "text"),
    Column("filed", "after_sales.report_filed"),
    Column("completed", "after_sales.report_completed"),
    Column("completion_rate", "after_sales.report_completion_rate", "share"),
    Column("resolved", "after_sales.report_resolved"),
    Column("money_fen", "after_sales.report_money", "money"),
]
SCRIPTS = (spec("after_sales.report_title"),
           *(spec(c.label_key) for c in COLUMNS if c.label_key.startswith("after_sales.")))


async def build(services: Services, query: ReportQuery) -> ReportTable:
    zone = services.settings.zone
    counts: dict[str | None, Counter[str]] = {span.label: Counter() for span in spans(query, zone)}
    cases = AfterSalesCase.filter(created_at__gte=query.start, created_at__lt=query.end)
    if query.channel:
        cases = cases.filter(customer__channel=query.channel)
    if query.agent_id is not None:
        cases = cases.filter(assignee_id=query.agent_id)
    for row in await cases.values("created_at", "state", "amount_fen"):
        cell = counts[label_of(row["created_at"], query, zone)]
        cell["filed"] += 1
        cell["completed"] += row["state"] not in OPEN_STATES
        cell["resolved"] += row["state"] == "resolved"
        cell["money_fen"] += (row["amount_fen"] or 0) if row["state"] == "resolved" else 0
    total: Counter[str] = sum(counts.values(), Counter())
    return ReportTable(COLUMNS, [_row(label, c) for label, c in counts.items()], _row(None, total))


def _row(label: str | None, counts: Counter[str]) -> dict[str, object]:
    return {"bucket": label, "filed": counts["filed"], "completed": counts["completed"],
            "completion_rate": share(counts["completed"], counts["filed"]), "resolved": counts["resolved"],
            "money_fen": counts["money_fen"]}


SPEC = ReportSpec("after_sales", "after_sales.report_title", build, ("channel", "agent"))
