"""The weekly and monthly workbooks (XLSX, openpyxl), one sheet per report with a native chart
(docs/rules.md R-REPORT-8).

The first sheet says what the workbook covers; then every report of every extension, built by the
same `catalogue.run` the API uses: the headings, one row per row of the report, and a totals row.
Shares are written as fractions formatted in percent, money (kept in fen) as yuan; the chart is an
Excel bar chart over the count columns, so the figures stay live in the file. A workbook asked for a
channel or an agent writes each report filtered by what it honours; the cover names the filters and,
beside a report that declares one not applicable, that it is not filtered by it (docs/reports.md
"Filters"), so every sheet still equals what the API answers for that report.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from bot.reports import ReportQuery
from handlers.reports.catalogue import Report, catalogue, inapplicable, run, without_inapplicable
from handlers.reports.desk import ReportsDesk
from models.agent import Agent

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

FORMATS = {"share": "0.0%", "money": "#,##0.00", "seconds": "0.0"}
SHEET_NAME_MAX = 31
FORBIDDEN_IN_SHEET_NAMES = str.maketrans({c: "_" for c in "[]:*?/\\"})


@dataclass(frozen=True)
class Period:
    """What a workbook covers: `label` like 2026-11 or 2026-W45, and the query (month or week buckets)."""

    kind: str
    label: str
    query: ReportQuery


def cell_value(kind: str, value: object) -> object:
    if value is None:
        return None
    return value / 100 if kind == "money" else value


async def build_workbook(desk: ReportsDesk, period: Period, role: str) -> tuple[bytes, list[Report]]:
    """The workbook's bytes for a reader of `role`, and the reports written into it (what the API would
    answer). openpyxl is imported here and in the helpers below, not with the module: it costs every
    process about 0.2 s of start-up, and only a workbook needs it."""
    from openpyxl import Workbook

    specs = catalogue(desk, role).values()
    reports = [await run(desk, spec, without_inapplicable(spec, period.query)) for spec in specs]
    unfiltered = {spec.name: inapplicable(spec, period.query) for spec in specs}
    texts = desk.templates.section("reports")
    book = Workbook()
    cover = book.active
    cover.title = texts["sheet_cover"]
    await _cover(cover, desk, period, reports, unfiltered, texts)
    for report in reports:
        _sheet(book.create_sheet(_sheet_name(report.title, book.sheetnames)), report, texts["total"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue(), reports


async def _cover(sheet: Worksheet, desk: ReportsDesk, period: Period, reports: list[Report],
                 unfiltered: dict[str, tuple[str, ...]], texts: dict[str, str]) -> None:
    zone = desk.core.zone
    sheet.append([texts[f"workbook_{period.kind}"], period.label])
    sheet.append([texts["workbook_from"], period.query.start.astimezone(zone).date().isoformat()])
    sheet.append([texts["workbook_to"], (period.query.end.astimezone(zone) - timedelta(days=1)).date().isoformat()])
    sheet.append([texts["workbook_shop"], desk.core.shop_name])
    sheet.append([texts["workbook_made"], desk.clock.now().astimezone(zone).strftime("%Y-%m-%d %H:%M")])
    query = period.query
    if query.channel is not None:
        sheet.append([texts["workbook_channel"], query.channel])
    if query.agent_id is not None:
        agent = await Agent.get_or_none(id=query.agent_id)
        sheet.append([texts["workbook_agent"], agent.name if agent else f"#{query.agent_id}"])
    sheet.append([])
    for report in reports:
        left_out = texts["list_separator"].join(texts[f"workbook_filter_{name}"] for name in unfiltered[report.name])
        sheet.append([report.title, desk.templates.render("reports.workbook_not_filtered", {"filters": left_out})]
                     if left_out else [report.title])
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 24


def _sheet_name(title: str, taken: list[str]) -> str:
    name = title.translate(FORBIDDEN_IN_SHEET_NAMES)[:SHEET_NAME_MAX]
    number = 2
    while name in taken:
        suffix = f" {number}"
        name = title[:SHEET_NAME_MAX - len(suffix)] + suffix
        number += 1
    return name


def _sheet(sheet: Worksheet, report: Report, total_label: str) -> None:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    sheet.append([column.label for column in report.columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in report.rows:
        sheet.append([cell_value(c.kind, row.get(c.key)) for c in report.columns])
    totals = [cell_value(c.kind, report.totals.get(c.key)) for c in report.columns]
    first_text = next((i for i, c in enumerate(report.columns) if c.kind == "text"), None)
    if first_text is not None:
        totals[first_text] = total_label
    sheet.append(totals)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for index, column in enumerate(report.columns, 1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(12, len(column.label) * 2 + 2)
        if column.kind in FORMATS:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = FORMATS[column.kind]
    sheet.freeze_panes = "A2"
    _chart(sheet, report)


def _chart(sheet: Worksheet, report: Report) -> None:
    from openpyxl.chart import BarChart, Reference
    from openpyxl.utils import get_column_letter

    counted = [i for i, c in enumerate(report.columns, 1) if c.kind == "count"]
    if not counted or not report.rows:
        return
    chart = BarChart()
    chart.title = report.title
    chart.height, chart.width = 9, 22
    last_row = 1 + len(report.rows)
    for index in counted:
        chart.add_data(Reference(sheet, min_col=index, min_row=1, max_row=last_row), titles_from_data=True)
    labels = next((i for i, c in enumerate(report.columns, 1) if c.kind == "text"), None)
    if labels is not None:
        chart.set_categories(Reference(sheet, min_col=labels, min_row=2, max_row=last_row))
    sheet.add_chart(chart, f"{get_column_letter(len(report.columns) + 2)}2")
