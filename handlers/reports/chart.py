"""Charts of a report, drawn by the bot as plain SVG (docs/rules.md R-REPORT-7): no script, no CDN.

Two charts per report, from the same `Report` the API answers: the counts as grouped bars, and the
shares (kept promises, conversion, completion) as lines in percent. Rows are labelled by their text
columns (the bucket, and the agent where there is one). Hand-written on purpose: pygal, the usual
library, installs an import hook in `sys.meta_path` on import, which breaks other imports' warnings;
a chart here is a few rectangles and polylines.
"""

from __future__ import annotations

from typing import Literal
from xml.sax.saxutils import escape, quoteattr

from handlers.reports.catalogue import Report

Measure = Literal["counts", "shares"]
KINDS: dict[Measure, str] = {"counts": "count", "shares": "share"}
COLOURS = ("#2f6fdf", "#f08c00", "#2b9348", "#c92a2a", "#7048e8", "#0b7285", "#5c940d", "#862e9c")
WIDTH, HEIGHT = 900, 380
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 40, 110
FONT = "font-family=\"'Noto Sans CJK SC','Microsoft YaHei','PingFang SC',sans-serif\""


def row_label(report: Report, row: dict) -> str:
    return " ".join(str(row[c.key]) for c in report.columns if c.kind == "text" and row.get(c.key) is not None)


def _series(report: Report, measure: Measure) -> list[tuple[str, list[float | None]]]:
    series = []
    for column in report.columns:
        if column.kind != KINDS[measure]:
            continue
        values = [row.get(column.key) for row in report.rows]
        if measure == "shares":
            values = [None if v is None else round(v * 100, 1) for v in values]
        series.append((column.label, values))
    return series


def _nice_top(value: float) -> float:
    top = 1.0
    while top < value:
        top *= 2 if str(top)[0] in "15" else 2.5
    return top


def svg(report: Report, measure: Measure, empty_text: str) -> str:
    series = _series(report, measure)
    labels = [row_label(report, row) for row in report.rows]
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" '
             f'height="{HEIGHT}" role="img" aria-label={quoteattr(report.title)} {FONT} font-size="12">',
             f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
             f'<text x="{WIDTH / 2}" y="22" text-anchor="middle" font-size="15">{escape(report.title)}</text>']
    values = [v for _, vs in series for v in vs if v is not None]
    if not labels or not series:
        parts.append(f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle">{escape(empty_text)}</text>')
        return "".join([*parts, "</svg>"])
    top = 100.0 if measure == "shares" else _nice_top(max(values, default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    base = TOP + plot_h

    def y(value: float) -> float:
        return base - plot_h * value / top

    for step in range(5):
        level = top * step / 4
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(level):.1f}" y2="{y(level):.1f}" '
                     f'stroke="#ddd"/><text x="{LEFT - 6}" y="{y(level) + 4:.1f}" text-anchor="end">'
                     f'{level:g}{"%" if measure == "shares" else ""}</text>')
    slot = plot_w / len(labels)
    for index, label in enumerate(labels):
        x = LEFT + slot * (index + 0.5)
        parts.append(f'<text x="{x:.1f}" y="{base + 14}" text-anchor="end" transform="rotate(-35 {x:.1f} '
                     f'{base + 14})">{escape(label)}</text>')
    for number, (name, points) in enumerate(series):
        colour = COLOURS[number % len(COLOURS)]
        if measure == "counts":
            width = slot * 0.8 / len(series)
            for index, value in enumerate(points):
                x = LEFT + slot * index + slot * 0.1 + width * number
                parts.append(f'<rect x="{x:.1f}" y="{y(value or 0):.1f}" width="{width:.1f}" '
                             f'height="{base - y(value or 0):.1f}" fill="{colour}"><title>{escape(name)} '
                             f'{escape(labels[index])}: {value or 0:g}</title></rect>')
        else:
            drawn = [(LEFT + slot * (i + 0.5), y(v), v, i) for i, v in enumerate(points) if v is not None]
            if len(drawn) > 1:
                line = " ".join(f"{px:.1f},{py:.1f}" for px, py, _, _ in drawn)
                parts.append(f'<polyline points="{line}" fill="none" stroke="{colour}" stroke-width="2"/>')
            for px, py, value, index in drawn:
                parts.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3.5" fill="{colour}"><title>{escape(name)} '
                             f'{escape(labels[index])}: {value:g}%</title></circle>')
        legend_x = LEFT + (number % 4) * 210
        legend_y = HEIGHT - 28 + (number // 4) * 16 - (16 if len(series) > 4 else 0)
        parts.append(f'<rect x="{legend_x}" y="{legend_y - 9}" width="10" height="10" fill="{colour}"/>'
                     f'<text x="{legend_x + 14}" y="{legend_y}">{escape(name)}</text>')
    return "".join([*parts, "</svg>"])
