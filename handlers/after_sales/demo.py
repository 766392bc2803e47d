"""`csbot demo-data`: a small demo shop (`demo_shop.yaml`) to try every after-sales flow.

The orders go through the same parser and upsert as an import, so running it again updates them
instead of adding more; times are relative to now, so the demo parcels are always "recent". What
was created is printed as ids and order numbers only.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from handlers.after_sales.records import record_from_object, save_records
from models.customer import Customer

if TYPE_CHECKING:
    from handlers.after_sales.desk import Desk

SHOP = Path(__file__).with_name("demo_shop.yaml")
TIMES = {"paid_hours_ago": "paid_at", "shipped_hours_ago": "shipped_at", "received_hours_ago": "received_at"}


def _with_times(raw: dict[str, Any], now: datetime) -> dict[str, Any]:
    order = {k: v for k, v in raw.items() if k not in TIMES and k != "tracking_events"}
    for relative, absolute in TIMES.items():
        if relative in raw:
            order[absolute] = (now - timedelta(hours=raw[relative])).isoformat()
    if "tracking_events" in raw:
        order["tracking_events"] = [{"at": (now - timedelta(hours=e["hours_ago"])).isoformat(), "status": e["status"]}
                                    for e in raw["tracking_events"]]
    return order


async def create_demo_shop(desk: Desk) -> None:
    shop = yaml.safe_load(SHOP.read_text(encoding="utf-8"))
    now = desk.clock.now()
    for raw in shop["customers"]:
        customer, created = await Customer.get_or_create(
            channel=raw["channel"], external_id=raw["external_id"], defaults={"created_at": now})
        customer.name, customer.phone = raw["name"], raw["phone"]
        await customer.save(update_fields=["name", "phone"])
        print(f"  customer {customer.channel}:{customer.external_id} ({'created' if created else 'updated'})")
    records = [record_from_object(_with_times(raw, now), desk.zone) for raw in shop["orders"]]
    created, updated = await save_records(records, "demo", now, replace_tracking=True)
    for record in records:
        buyer = ":".join(record.buyer) if record.buyer else "by phone"
        print(f"  order {record.order_no}: {record.status}, buyer {buyer}")
    print(f"  {created} order(s) created, {updated} updated; try `csbot chat` and send "
          f"\"订单E2026112000102想换个尺码\" or \"快递到哪了 E2026112000101\"")
