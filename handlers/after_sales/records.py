"""One order as every order source describes it, checked, and saved by order number.

The CSV/XLSX import, the ERP and the demo shop all produce `OrderRecord`s through the same field
parsers and hand them to `save_records`, so an order looks the same whichever way it arrived.
Times without a zone are shop-local (that is how shop exports write them) and stored in UTC;
money is parsed as a decimal number of yuan and kept as integer fen, never a float.

A field the source left empty does not overwrite what the database already knows (an export
without tracking columns keeps the tracking the ERP reported). Buyers are named as
`<channel>:<id>` (`wechat:<openid>`, `webchat:<visitor id>`), which links the order to that
customer; otherwise ownership comes from the phone number.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.transactions import in_transaction

from bot.phones import normal_phone as bot_normal_phone
from models.customer import Customer
from models.order import ORDER_STATUSES, Order

#: Shop exports name the statuses their own way; these are the marketplace's usual words.
STATUS_WORDS = {
    "待付款": "pending", "等待买家付款": "pending", "已付款": "paid", "待发货": "paid", "买家已付款": "paid",
    "已发货": "shipped", "卖家已发货": "shipped", "运输中": "shipped", "待收货": "shipped",
    "已收货": "received", "已签收": "received", "交易成功": "received", "已完成": "received",
    "交易关闭": "closed", "已关闭": "closed", "已取消": "closed", "已退款": "refunded",
}
TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%d",
                "%Y/%m/%d", "%Y%m%d%H%M%S")
ORDER_NO = re.compile(r"[A-Za-z0-9_-]{4,40}")
BUYER = re.compile(r"(webchat|wechat|wecom|terminal):([A-Za-z0-9_-]{1,128})")
BATCH = 500


class RecordError(ValueError):
    """The record cannot be saved; `problems` names every field that is wrong."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = list(problems)


@dataclass
class OrderRecord:
    order_no: str
    buyer: tuple[str, str] | None = None
    buyer_name: str | None = None
    phone: str | None = None
    items: list[dict[str, Any]] = field(default_factory=list)
    total_fen: int | None = None
    status: str | None = None
    paid_at: datetime | None = None
    shipped_at: datetime | None = None
    received_at: datetime | None = None
    courier: str | None = None
    tracking_no: str | None = None
    tracking_events: list[dict[str, str]] | None = None


def text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    cleaned = str(value).strip()
    return cleaned or None


def parse_order_no(value: Any) -> str:
    if isinstance(value, float) or (isinstance(value, int) and len(str(value)) > 15):
        raise ValueError("order number stored as a number (spreadsheets keep 15 digits): format the column as text")
    cleaned = re.sub(r"\s+", "", text(value) or "").upper()
    if not cleaned:
        raise ValueError("missing order number")
    if not ORDER_NO.fullmatch(cleaned):
        raise ValueError(f"bad order number {cleaned[:40]!r}")
    return cleaned


def parse_fen(value: Any) -> int | None:
    """Yuan as written in an export ("12.5", "¥1,299.00", 12.5) to fen."""
    raw = text(value)
    if raw is None:
        return None
    try:
        amount = Decimal(raw.replace(",", "").replace("¥", "").replace("￥", "").strip())
    except InvalidOperation:
        raise ValueError(f"bad amount {raw[:20]!r}") from None
    if amount < 0 or amount != amount.quantize(Decimal("0.01")):
        raise ValueError(f"bad amount {raw[:20]!r}")
    return int(amount * 100)


def parse_qty(value: Any) -> int:
    raw = text(value) or "1"
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"bad quantity {raw[:10]!r}")
    return int(raw)


def parse_time(value: Any, zone: ZoneInfo) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime.combine(value, time())
    else:
        raw = str(value).strip()
        parsed = None
        for fmt in TIME_FORMATS:
            try:
                parsed = datetime.strptime(raw, fmt)  # noqa: DTZ007 - shop-local, zone attached below
                break
            except ValueError:
                continue
        if parsed is None:
            try:
                parsed = datetime.fromisoformat(raw)
            except ValueError:
                raise ValueError(f"bad date {raw[:30]!r}") from None
    return parsed.replace(tzinfo=zone) if parsed.tzinfo is None else parsed


def parse_status(value: Any) -> str | None:
    raw = text(value)
    if raw is None:
        return None
    status = STATUS_WORDS.get(raw, raw.lower())
    if status not in ORDER_STATUSES:
        raise ValueError(f"unknown status {raw[:20]!r}")
    return status


def parse_buyer(value: Any) -> tuple[str, str] | None:
    raw = text(value)
    if raw is None:
        return None
    found = BUYER.fullmatch(raw)
    if not found:
        raise ValueError("buyer_id must look like wechat:<openid>, wecom:<external userid> or webchat:<visitor id>")
    return found.group(1), found.group(2)


def normal_phone(value: Any) -> str | None:
    """A cell's phone number in the one form phones are compared in."""
    return bot_normal_phone(text(value))


def parse_item(raw: Mapping[str, Any]) -> dict[str, Any] | None:
    name = text(raw.get("item_name"))
    if name is None:
        return None
    return {"sku": text(raw.get("sku")), "name": name[:120], "qty": parse_qty(raw.get("qty")),
            "price_fen": parse_fen(raw.get("price")) or 0}


def parse_fields(raw: Mapping[str, Any], zone: ZoneInfo, problems: list[str]) -> OrderRecord | None:
    """The order-level fields of one row or object; problems are appended, not raised."""

    def take(parser: Callable[..., Any], name: str, *args: Any) -> Any:
        try:
            return parser(raw.get(name), *args)
        except ValueError as exc:
            problems.append(f"{name}: {exc}")
            return None

    order_no = take(parse_order_no, "order_no")
    record = OrderRecord(
        order_no=order_no or "", buyer=take(parse_buyer, "buyer_id"), buyer_name=text(raw.get("buyer_name")),
        phone=normal_phone(raw.get("phone")), total_fen=take(parse_fen, "total"), status=take(parse_status, "status"),
        paid_at=take(parse_time, "paid_at", zone), shipped_at=take(parse_time, "shipped_at", zone),
        received_at=take(parse_time, "received_at", zone), courier=text(raw.get("courier")),
        tracking_no=text(raw.get("tracking_no")),
    )
    moved_at = take(parse_time, "tracking_time", zone)
    moved = text(raw.get("tracking_status"))
    if moved and moved_at:
        record.tracking_events = [{"at": moved_at.isoformat(), "status": moved[:120]}]
    elif moved or moved_at:
        problems.append("tracking_status and tracking_time go together")
    return record if order_no else None


def record_from_object(raw: Mapping[str, Any], zone: ZoneInfo) -> OrderRecord:
    """An order given as one object with an `items` list (the ERP's answer, the demo shop)."""
    problems: list[str] = []
    record = parse_fields(raw, zone, problems)
    items, events = raw.get("items") or [], raw.get("tracking_events")
    if not isinstance(items, list) or not all(isinstance(i, Mapping) for i in items):
        problems.append("items must be a list of objects")
        items = []
    for number, item in enumerate(items, 1):
        try:
            parsed = parse_item(item)
        except ValueError as exc:
            problems.append(f"items[{number}]: {exc}")
            continue
        if parsed and record:
            record.items.append(parsed)
    if events is not None and record:
        record.tracking_events = []
        for event in events if isinstance(events, list) else [None]:
            try:
                at = parse_time(event.get("at"), zone) if isinstance(event, Mapping) else None
            except ValueError as exc:
                problems.append(f"tracking_events: {exc}")
                continue
            if at is None or not text(event.get("status")):
                problems.append("tracking_events: each needs at and status")
                continue
            record.tracking_events.append({"at": at.isoformat(), "status": text(event.get("status"))[:120]})
    if problems or record is None:
        raise RecordError(problems or ["missing order number"])
    return record


def _merged_events(old: list[dict[str, str]], new: list[dict[str, str]] | None, replace: bool) -> list[dict[str, str]]:
    if new is None:
        return old
    events = {(e["at"], e["status"]): e for e in ([] if replace else old) + new}
    return sorted(events.values(), key=lambda e: datetime.fromisoformat(e["at"]))


async def save_records(
    records: Iterable[OrderRecord], source: str, now: datetime, *, replace_tracking: bool = False,
    progress: Callable[[int], None] | None = None,
) -> tuple[int, int]:
    """Upsert by order number in one transaction; returns (created, updated).

    `replace_tracking`: the source reports the whole tracking history (the ERP); otherwise new
    events are added to the known ones (an export carries only the latest).
    """
    records = list(records)
    created = updated = 0
    async with in_transaction() as connection:
        customers = await _customers(records, now, connection)
        for start in range(0, len(records), BATCH):
            batch = records[start:start + BATCH]
            known = {o.order_no: o for o in await Order.filter(
                order_no__in=[r.order_no for r in batch]).using_db(connection)}
            for record in batch:
                order = known.get(record.order_no) or Order(order_no=record.order_no, source=source)
                _apply(order, record, customers, source, now, replace_tracking)
                await order.save(using_db=connection)
                if record.order_no in known:
                    updated += 1
                else:
                    created += 1
                    known[record.order_no] = order
            if progress:
                progress(len(batch))
    return created, updated


def _apply(order: Order, record: OrderRecord, customers: Mapping[tuple[str, str], int], source: str,
           now: datetime, replace_tracking: bool) -> None:
    for name in ("buyer_name", "phone", "status", "paid_at", "shipped_at", "received_at", "courier", "tracking_no"):
        value = getattr(record, name)
        if value is not None:
            setattr(order, name, value)
    if record.buyer:
        order.customer_id = customers[record.buyer]
    if record.items:
        order.items = record.items
    if record.total_fen is not None:
        order.total_fen = record.total_fen
    elif record.items:
        order.total_fen = sum(item["qty"] * item["price_fen"] for item in record.items)
    order.tracking_events = _merged_events(order.tracking_events or [], record.tracking_events, replace_tracking)
    order.source = source
    order.updated_at = now


async def _customers(records: Sequence[OrderRecord], now: datetime, connection: Any) -> dict[tuple[str, str], int]:
    """Customer ids of every buyer named in `records`, creating the ones not seen yet."""
    ids: dict[tuple[str, str], int] = {}
    for channel, external_id in {r.buyer for r in records if r.buyer}:
        customer = await Customer.get_or_none(channel=channel, external_id=external_id).using_db(connection)
        if customer is None:
            customer = await Customer.create(channel=channel, external_id=external_id, created_at=now,
                                             using_db=connection)
        ids[(channel, external_id)] = customer.id
    return ids
