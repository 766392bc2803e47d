"""`csbot orders import FILE`: a shop's CSV or XLSX order export, all or nothing.

One row per order item; rows with the same order number make one order (its order-level columns
are read from its first row). Headers may be the canonical names below or the usual Chinese
export headers. Every row is checked before anything is written: a file with any bad row (bad
date, missing order number, cells beyond the last column, ...) or an unknown column imports
nothing, and the report names every problem with its row number. A good file is upserted by order
number in one transaction, with a progress bar on large files.

CSV may be UTF-8 (with or without BOM) or GB18030, as Chinese Excel saves it.
"""

from __future__ import annotations

import asyncio
import csv
import io
import sys
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from handlers.after_sales.records import OrderRecord, parse_fields, parse_item, save_records

COLUMNS = {
    "order_no": ("订单编号", "订单号"),
    "buyer_id": ("买家ID", "买家账号"),
    "buyer_name": ("收货人姓名", "收货人", "买家姓名"),
    "phone": ("联系手机", "手机", "手机号", "联系电话"),
    "sku": ("商家编码", "SKU"),
    "item_name": ("宝贝标题", "商品名称", "商品"),
    "qty": ("购买数量", "数量"),
    "price": ("单价", "价格"),
    "total": ("实付金额", "订单金额", "总金额"),
    "status": ("订单状态", "状态"),
    "paid_at": ("付款时间", "订单付款时间"),
    "shipped_at": ("发货时间",),
    "received_at": ("确认收货时间", "收货时间"),
    "courier": ("物流公司", "快递公司"),
    "tracking_no": ("物流单号", "运单号", "快递单号"),
    "tracking_status": ("物流状态", "最新物流"),
    "tracking_time": ("物流更新时间",),
}
ALIASES = {alias.lower(): name for name, aliases in COLUMNS.items() for alias in (name, *aliases)}
PROGRESS_FROM = 1000  # orders; smaller files import without a progress bar


class ImportFileError(Exception):
    """The file cannot be read as an order export at all."""


@dataclass
class ImportReport:
    rows: int = 0
    orders: int = 0
    created: int = 0
    updated: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def header_names(header: list[Any]) -> list[str]:
    names, unknown = [], []
    for cell in header:
        raw = str(cell if cell is not None else "").strip()
        name = ALIASES.get(raw.lower())
        if name is None:
            unknown.append(raw or "(empty)")
        names.append(name or "")
    if unknown:
        raise ImportFileError(f"unknown columns: {', '.join(unknown)} (known: {', '.join(COLUMNS)})")
    if "order_no" not in names:
        raise ImportFileError("no order number column (order_no / 订单编号)")
    return names


def read_table(path: Path) -> Iterator[tuple[int, list[Any]]]:
    """(row number as a spreadsheet shows it, cells) for every non-empty row, header first."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        from openpyxl import load_workbook

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles it does not read
            try:
                book = load_workbook(path, read_only=True, data_only=True)
            except Exception as exc:
                raise ImportFileError(f"not a readable XLSX file: {exc}") from None
            try:
                for number, row in enumerate(book.worksheets[0].iter_rows(values_only=True), 1):
                    cells = list(row)
                    while cells and cells[-1] in (None, ""):
                        cells.pop()
                    if cells:
                        yield number, cells
            finally:
                book.close()
        return
    if suffix != ".csv":
        raise ImportFileError("the file must be .csv or .xlsx")
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            content = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportFileError("the CSV is neither UTF-8 nor GB18030")
    for number, row in enumerate(csv.reader(io.StringIO(content, newline="")), 1):
        if any(cell.strip() for cell in row):
            yield number, row


def check_rows(path: Path, zone: ZoneInfo, report: ImportReport) -> list[OrderRecord]:
    """Every order in the file, with every bad row named in `report.problems`."""
    rows = read_table(path)
    first = next(rows, None)
    if first is None:
        raise ImportFileError("the file is empty")
    names = header_names(first[1])
    orders: dict[str, OrderRecord] = {}
    for number, cells in rows:
        report.rows += 1
        problems: list[str] = []
        if len(cells) > len(names) and any(c not in (None, "") for c in cells[len(names):]):
            problems.append(f"{len(cells) - len(names)} value(s) beyond the last column (unknown columns)")
        raw = {name: cell for name, cell in zip(names, cells, strict=False)}
        record = parse_fields(raw, zone, problems)
        try:
            item = parse_item(raw)
        except ValueError as exc:
            problems.append(f"item: {exc}")
            item = None
        if problems:
            report.problems += [f"row {number}: {problem}" for problem in problems]
            continue
        assert record is not None
        known = orders.setdefault(record.order_no, record)
        if item:
            known.items.append(item)
    return list(orders.values())


async def import_orders(path: Path, zone: ZoneInfo, now: datetime, *, progress: bool = True) -> ImportReport:
    report = ImportReport()
    try:
        records = await asyncio.to_thread(check_rows, path, zone, report)
    except ImportFileError as exc:
        report.problems.append(str(exc))
        return report
    except OSError as exc:
        report.problems.append(f"cannot read {path}: {exc.strerror}")
        return report
    if report.problems:
        return report
    report.orders = len(records)
    from tqdm import tqdm  # here, not in every process that imports the command line (docs/performance.md)

    with tqdm(total=len(records), unit="order", file=sys.stderr,
              disable=not progress or len(records) < PROGRESS_FROM) as bar:
        report.created, report.updated = await save_records(records, "import", now, progress=bar.update)
    return report
