"""The after-sales chat's reads on a message's path, each one prebuilt statement (bot/prebuilt_sql.py).

- `order_for`: an order and whether it is the customer's, in one query (the order joined with the
  asking customer's phone), where the ORM took two (the order, then the phone) and built both anew
  for every message of a dialogue; `owned_order` the same query, building the model only for its
  owner (a number that is somebody else's order is most of what a dialogue checks: docs/performance.md).
- `case_by_no`, `open_cases`, `order_cases`, `filed`: cases with their order joined in, one query
  each where `prefetch_related("order")` took two (`filed`: one where filing asked two to four);
  `last_case_no`, the day's last number, without the ORM's query building.

What they answer is what the ORM's queries answered: the same rows, loaded into the same models.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.phones import same_phone
from bot.prebuilt_sql import Prebuilt, columns, load
from handlers.after_sales.machine import OPEN_STATES
from models.case import AfterSalesCase
from models.order import Order

#: The order's columns prefixed in a join with its cases (the case's own columns keep their names).
ORDER = "order__"

_ORDER_FOR = Prebuilt(lambda: (
    f"SELECT {columns(Order, 'o')}, c.phone AS owner_phone FROM shop_order o "
    "LEFT JOIN customer c ON c.id = ? WHERE o.order_no = ?"))
_CASE_BY_NO = Prebuilt(lambda: _with_order("a.case_no = ?"))
_OPEN_CASES = Prebuilt(lambda: _with_order(
    f"a.customer_id = ? AND a.state IN ({', '.join('?' * len(OPEN_STATES))}) ORDER BY a.touched_at DESC, a.id DESC"))
_ORDER_CASES = Prebuilt(lambda: _with_order("a.order_id = ? ORDER BY a.touched_at DESC, a.id DESC"))
_FILED = Prebuilt(lambda: _with_order("a.source_key = ? OR a.open_key = ?"))
_LAST_NUMBERED = Prebuilt(lambda: "SELECT case_no FROM after_sales_case WHERE case_no LIKE ? ORDER BY id DESC LIMIT 1")


def _with_order(condition: str) -> str:
    return (f"SELECT {columns(AfterSalesCase, 'a')}, {columns(Order, 'o', ORDER)} FROM after_sales_case a "
            f"JOIN shop_order o ON o.id = a.order_id WHERE {condition}")


async def order_for(order_no: str, customer_id: int) -> tuple[Order | None, bool]:
    """The order numbered `order_no` (the local copy) and whether `customer_id` owns it
    (`orders.owned_by`: their channel identity, or their phone is the order's)."""
    rows = await _ORDER_FOR.rows(customer_id, order_no)
    if not rows:
        return None, False
    return load(Order, rows[0]), _owns(rows[0], customer_id)


async def owned_order(order_no: str, customer_id: int) -> Order | None:
    """`order_for`'s order when `customer_id` owns it, else None; the model is built only then
    (from the row: an order named by someone who does not own it costs the query, not the load)."""
    rows = await _ORDER_FOR.rows(customer_id, order_no)
    return load(Order, rows[0]) if rows and _owns(rows[0], customer_id) else None


def _owns(row: Mapping[str, Any], customer_id: int) -> bool:
    """`orders.owned_by` on the order's row joined with the asker's phone (the columns as loaded: an
    integer `customer_id`, text `phone`)."""
    return row["customer_id"] == customer_id or same_phone(row["owner_phone"], row["phone"])


async def case_by_no(case_no: str) -> AfterSalesCase | None:
    cases = _cases(await _CASE_BY_NO.rows(case_no))
    return cases[0] if cases else None


async def open_cases(customer_id: int) -> list[AfterSalesCase]:
    """A customer's open cases, most recently touched first."""
    return _cases(await _OPEN_CASES.rows(customer_id, *OPEN_STATES))


async def order_cases(order_id: int) -> list[AfterSalesCase]:
    """Every case of an order, most recently touched first."""
    return _cases(await _ORDER_CASES.rows(order_id))


async def filed(open_key: str, source_key: str | None) -> AfterSalesCase | None:
    """The case this message filed (its `source_key`), else the one open for the order and kind."""
    cases = _cases(await _FILED.rows(source_key, open_key))
    by_message = [case for case in cases if source_key and case.source_key == source_key]
    return (by_message or cases or [None])[0]


async def last_case_no(prefix: str) -> str | None:
    """The latest case number starting with `prefix` (a day's numbers: letters, digits and `-`)."""
    rows = await _LAST_NUMBERED.rows(f"{prefix}%")
    return rows[0]["case_no"] if rows else None


def _cases(rows: Sequence[Mapping[str, Any]]) -> list[AfterSalesCase]:
    cases = []
    for row in rows:
        case = load(AfterSalesCase, row)
        case.order = load(Order, row, ORDER)
        cases.append(case)
    return cases
