"""Charts of a report, drawn by the bot as SVG with pygal (docs/rules.md R-REPORT-7): no script, no CDN.

Two charts per report, from the same `Report` the API answers: the counts as grouped bars, and the
shares (kept promises, conversion, completion) as lines in percent. Rows are labelled by their text
columns (the bucket, and the agent where there is one).
"""

from __future__ import annotations

from typing import Literal

import pygal
from pygal.style import DefaultStyle

from handlers.reports.catalogue import Report

Measure = Literal["counts", "shares"]
KINDS: dict[Measure, str] = {"counts": "count", "shares": "share"}
FONT = "'Noto Sans CJK SC', 'Microsoft YaHei', 'PingFang SC', sans-serif"
STYLE = DefaultStyle(font_family=FONT, background="white", plot_background="white")


def row_label(report: Report, row: dict) -> str:
    return " ".join(str(row[c.key]) for c in report.columns if c.kind == "text" and row.get(c.key) is not None)


def has_measure(report: Report, measure: Measure) -> bool:
    return any(column.kind == KINDS[measure] for column in report.columns)


def svg(report: Report, measure: Measure, empty_text: str) -> str:
    kind = KINDS[measure]
    chart_type = pygal.Bar if measure == "counts" else pygal.Line
    chart = chart_type(js=[], disable_xml_declaration=True, width=900, height=360, style=STYLE,
                       x_label_rotation=30 if len(report.rows) > 8 else 0, legend_at_bottom=True,
                       truncate_legend=-1, no_data_text=empty_text, print_values=False,
                       value_formatter=(lambda v: f"{v:.1f}%") if measure == "shares" else (lambda v: f"{v:g}"))
    chart.title = report.title
    chart.x_labels = [row_label(report, row) for row in report.rows]
    for column in report.columns:
        if column.kind != kind:
            continue
        values = [row.get(column.key) for row in report.rows]
        if measure == "shares":
            values = [None if v is None else round(v * 100, 1) for v in values]
        chart.add(column.label, values)
    return chart.render(is_unicode=True)
