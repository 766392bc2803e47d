"""CPU per call of the after-sales chat's reads: the ORM's queries they replaced against the prebuilt ones.

    .venv/bin/python bench/area_reads.py                      # SQLite in a temp dir (the embedded default)
    .venv/bin/python bench/area_reads.py --database-url postgres://postgres@127.0.0.1:5432/NAME

The baseline is the ORM's queries as they were before `handlers/after_sales/lookups.py` (written
out here, since the code no longer has them), run in the same process on the same rows, taking
turns with the prebuilt reads; SQLite reads run inline as on a message's path. The PostgreSQL
database must exist (it is migrated here; use a scratch one). Prints one line per read and, last,
one JSON object. See docs/performance.md, "Areas' reads on the message path".
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.db import close_database, open_database
from bot.sqlite_client import SHORT_READS
from handlers.after_sales import lookups
from handlers.after_sales.machine import OPEN_STATES
from handlers.after_sales.orders import owned_by
from models.case import AfterSalesCase
from models.customer import Customer
from models.order import Order

NOW = datetime(2026, 11, 27, 8, 30, tzinfo=UTC)
CALLS = 400
ROUNDS = 3


async def orm_order_for(order_no: str, customer_id: int) -> tuple[Order | None, bool]:
    order = await Order.get_or_none(order_no=order_no)
    return order, order is not None and await owned_by(order, customer_id)


async def orm_open_cases(customer_id: int) -> list[AfterSalesCase]:
    return await AfterSalesCase.filter(state__in=OPEN_STATES, customer_id=customer_id) \
        .order_by("-touched_at").prefetch_related("order")


async def orm_filed(open_key: str, source_key: str) -> AfterSalesCase | None:
    found = await AfterSalesCase.get_or_none(source_key=source_key).prefetch_related("order")
    return found or await AfterSalesCase.get_or_none(open_key=open_key).prefetch_related("order")


async def cpu_per_call(read: Callable[[], Awaitable[object]]) -> float:
    started = time.process_time()
    for _ in range(CALLS):
        await read()
    return (time.process_time() - started) / CALLS * 1e6


async def measure(database_url: str) -> dict[str, dict[str, float]]:
    await open_database(database_url)
    SHORT_READS.set(True)
    tag = str(time.time_ns())
    try:
        asker = await Customer.create(channel="wechat", external_id=f"a{tag}", phone="13900139000", created_at=NOW)
        holder = await Customer.create(channel="wechat", external_id=f"h{tag}", created_at=NOW)
        order_no = f"B{tag[-12:]}"
        order = await Order.create(order_no=order_no, phone="13800138000", total_fen=9900, status="shipped",
                                   items=[{"sku": "A", "name": "T恤", "qty": 1, "price_fen": 9900}],
                                   paid_at=NOW, shipped_at=NOW, updated_at=NOW, courier="顺丰", tracking_no="SF1")
        for n, kind in enumerate(("refund", "return")):
            await AfterSalesCase.create(case_no=f"AS20261127-{tag[-6:]}{n}", order=order, customer=holder, kind=kind,
                                        created_at=NOW, touched_at=NOW - timedelta(hours=n))
        pairs = {
            "order and its ownership (not the asker's: two ORM queries)": (
                lambda: orm_order_for(order_no, asker.id), lambda: lookups.order_for(order_no, asker.id)),
            "open cases with their order (two ORM queries)": (
                lambda: orm_open_cases(holder.id), lambda: lookups.open_cases(holder.id)),
            "filing's look for an existing case (none: two ORM queries)": (
                lambda: orm_filed(f"{order_no}:damaged", f"wechat:{tag}"),
                lambda: lookups.filed(f"{order_no}:damaged", f"wechat:{tag}")),
        }
        figures = {}
        for name, (orm, prebuilt) in pairs.items():
            best = {"orm_us": float("inf"), "prebuilt_us": float("inf")}
            for _ in range(ROUNDS):
                best["orm_us"] = min(best["orm_us"], await cpu_per_call(orm))
                best["prebuilt_us"] = min(best["prebuilt_us"], await cpu_per_call(prebuilt))
            figures[name] = {key: round(value) for key, value in best.items()}
            print(f"{name}: ORM {best['orm_us']:.0f} µs, prebuilt {best['prebuilt_us']:.0f} µs CPU per call "
                  f"(best of {ROUNDS} x {CALLS})")
        return figures
    finally:
        await close_database()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", help="default: SQLite in a temporary directory")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        url = args.database_url or f"sqlite://{Path(directory) / 'reads.sqlite3'}"
        figures = asyncio.run(measure(url))
    print(json.dumps({"database": url.split(":", 1)[0], "reads": figures}, ensure_ascii=False))


if __name__ == "__main__":
    main()
