"""The one query layer: every `ReportSpec` of every extension, run the same way for the page, the API
and the workbooks (docs/rules.md R-REPORT-1).

`run` calls the spec's `build` and labels what it answers from scripts_zh (title, column headings),
so every consumer gets the same numbers with the same words; nothing downstream computes a figure.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from bot.report_periods import day_start, spans
from bot.reports import FILTERS, Bucket, Column, ReportQuery, ReportSpec
from handlers.reports.desk import ReportsDesk

#: The days a report may cover: the shop's history, with room (outside it dates overflow in shop time).
EARLIEST, LATEST = date(2000, 1, 1), date(2199, 12, 31)
#: Fewest days a bucket spans, for refusing a period with too many buckets before cutting it up.
DAYS_PER_BUCKET = {"day": 1, "week": 7, "month": 28}


class PeriodError(ValueError):
    """A period the reports refuse (empty, reversed, too many buckets); the message says which."""


class FilterNotApplicable(ValueError):
    """A query naming a filter the report declares not applicable (`ReportSpec.not_applicable`)."""

    def __init__(self, spec: ReportSpec, names: tuple[str, ...]) -> None:
        super().__init__(f"report {spec.name} cannot be filtered by {', '.join(names)}")
        self.names = names
        self.allowed = spec.filters


@dataclass(frozen=True)
class LabelledColumn:
    key: str
    label: str
    kind: str


@dataclass(frozen=True)
class Report:
    name: str
    title: str
    query: ReportQuery
    columns: list[LabelledColumn]
    rows: list[dict[str, Any]]
    totals: dict[str, Any]


def catalogue(desk: ReportsDesk, role: str) -> dict[str, ReportSpec]:
    """Every extension's reports `role` may read, by name, in the extensions' order."""
    return {spec.name: spec for extension in desk.extensions for spec in extension.reports if role in spec.roles}


def period(desk: ReportsDesk, first: date, last: date, bucket: Bucket = "day", channel: str | None = None,
           agent_id: int | None = None) -> ReportQuery:
    """The query for shop-local days `first`..`last` (both included)."""
    if last < first:
        raise PeriodError("to is before from")
    if first < EARLIEST or last > LATEST:
        raise PeriodError(f"days must be between {EARLIEST} and {LATEST}")
    limit = desk.reports.max_buckets
    if (last - first).days // DAYS_PER_BUCKET[bucket] > limit:  # checked before cutting the period up
        raise PeriodError(f"more than {limit} {bucket} buckets; choose a shorter period or a longer bucket")
    zone = desk.core.zone
    query = ReportQuery(day_start(first, zone), day_start(last + timedelta(days=1), zone), bucket, channel, agent_id)
    if len(spans(query, zone)) > limit:
        raise PeriodError(f"more than {limit} {bucket} buckets; choose a shorter period or a longer bucket")
    return query


def named_filters(query: ReportQuery) -> tuple[str, ...]:
    """The filters `query` sets, in `FILTERS` order."""
    values = {"channel": query.channel, "agent": query.agent_id}
    return tuple(name for name in FILTERS if values[name] is not None)


def inapplicable(spec: ReportSpec, query: ReportQuery) -> tuple[str, ...]:
    """The filters `query` sets that `spec` declares not applicable."""
    return tuple(name for name in named_filters(query) if name in spec.not_applicable)


def without_inapplicable(spec: ReportSpec, query: ReportQuery) -> ReportQuery:
    """`query` less the filters `spec` declares not applicable: what a workbook of every report asks it,
    saying on the cover which filters it left out (workbook.py)."""
    return replace(query, channel=None if "channel" in spec.not_applicable else query.channel,
                   agent_id=None if "agent" in spec.not_applicable else query.agent_id)


async def run(desk: ReportsDesk, spec: ReportSpec, query: ReportQuery) -> Report:
    """Build one report and label it; `FilterNotApplicable` when the query names a filter the spec
    declares not applicable, rather than answering unfiltered figures as if filtered."""
    if refused := inapplicable(spec, query):
        raise FilterNotApplicable(spec, refused)
    table = await spec.build(desk.services, query)
    templates = desk.templates
    columns = [_labelled(templates.render(column.label_key), column) for column in table.columns]
    return Report(spec.name, templates.render(spec.title_key), query, columns, table.rows, table.totals)


def _labelled(label: str, column: Column) -> LabelledColumn:
    return LabelledColumn(column.key, label, column.kind)
