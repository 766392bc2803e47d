"""An approved export of one archive as CSV or XLSX (docs/rules.md R-ARCHIVE-8).

One row per record of each part, columns `part, field, value`: plain enough for a spreadsheet and
the same for every section an area contributes. Phones and addresses stay masked in exports.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

HEADER = ("part", "row", "field", "value")
#: What a spreadsheet reads as the start of a formula (a customer's name or a note may begin so).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return "" if value is None else str(value)


def rows(parts: Mapping[str, list[dict[str, Any]]]) -> list[tuple[str, str, str, str]]:
    return [(part, str(number), field, _cell(value))
            for part, records in parts.items() for number, record in enumerate(records, 1)
            for field, value in record.items()]


def to_csv(parts: Mapping[str, list[dict[str, Any]]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows([["'" + cell if cell.startswith(FORMULA_STARTS) else cell for cell in row]
                      for row in rows(parts)])  # a leading ' makes a spreadsheet show the text as text
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: Excel opens Chinese CSV correctly


def to_xlsx(parts: Mapping[str, list[dict[str, Any]]]) -> bytes:
    from openpyxl import Workbook  # here, not with the module: about 0.2 s of every process' start-up

    book = Workbook()
    sheet = book.active
    sheet.title = "archive"
    sheet.append(HEADER)
    for row in rows(parts):
        sheet.append(row)
        for cell in sheet[sheet.max_row]:  # every value is text: never a formula, whatever it starts with
            if cell.data_type != "s":
                cell.data_type, cell.quotePrefix = "s", True
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
