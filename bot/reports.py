"""Reports as an extension point: each area describes the tables it contributes (docs/rules.md R-REPORT).

An area lists `ReportSpec`s in its `Extension`; the reports area serves every spec as
`GET /api/reports/{name}`, draws it on the console's reports page and writes it into the weekly and
monthly workbooks, always through `build`, so the page, the API and the workbook show the same
numbers. `build` gets the period (shop time, `start` inclusive, `end` exclusive), how to bucket it
and the optional filters, and answers one table: rows keyed by column key, plus totals.

Every spec accounts for every filter in `FILTERS`: it honours it (`filters`) or declares it not
applicable (`not_applicable`, e.g. agent for referral counts, which no agent makes), so a report can
not quietly miss a filter; asking a report for a filter it declares not applicable is refused
(docs/reports.md "Filters").
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from bot.context import Services

Bucket = Literal["day", "week", "month"]
#: How a column's values are drawn and written: counts, shares (0..1), seconds, money, or text.
ColumnKind = Literal["count", "share", "seconds", "money", "text"]
Filter = Literal["channel", "agent"]
#: Every filter a report request may name; each spec honours or declares not applicable each one.
FILTERS: tuple[Filter, ...] = ("channel", "agent")


@dataclass(frozen=True)
class ReportQuery:
    start: datetime
    end: datetime
    bucket: Bucket = "day"
    channel: str | None = None
    agent_id: int | None = None


@dataclass(frozen=True)
class Column:
    key: str
    #: scripts_zh key of the column's Chinese heading.
    label_key: str
    kind: ColumnKind = "count"


@dataclass(frozen=True)
class ReportTable:
    columns: list[Column]
    rows: list[dict[str, Any]]
    totals: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ReportSpec:
    #: URL segment and sheet id: lower-case letters, digits and _.
    name: str
    #: scripts_zh key of the report's Chinese title.
    title_key: str
    #: Builds the table from the shared services (clock, settings, templates, store; bot/context.py).
    build: Callable[[Services, ReportQuery], Awaitable[ReportTable]]
    #: Which filters the report honours.
    filters: tuple[Filter, ...] = ()
    #: The filters that make no sense for it; the API refuses them (400 filter_not_applicable), the page
    #: disables their controls and a workbook leaves this report unfiltered by them, saying so.
    not_applicable: tuple[Filter, ...] = ()
    #: Who may read it (page, API, workbooks): a report naming staff members' complaints is for admins
    #: only, so a supervisor never reads one about themselves (docs/rules.md R-COMPLAINT-8).
    roles: tuple[str, ...] = ("supervisor", "admin")

    def __post_init__(self) -> None:
        declared = (*self.filters, *self.not_applicable)
        if sorted(declared) != sorted(FILTERS):
            raise ValueError(f"report {self.name!r} must honour or declare not applicable each of {FILTERS} "
                             f"exactly once (filters={self.filters}, not_applicable={self.not_applicable})")
