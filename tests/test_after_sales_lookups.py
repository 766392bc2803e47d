"""The after-sales chat's prebuilt reads answer what the ORM's queries answered, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.db import close_database, open_database
from handlers.after_sales import lookups
from handlers.after_sales.orders import owned_by
from models.case import AfterSalesCase
from models.customer import Customer
from models.order import Order

NOW = datetime(2026, 11, 27, 8, 30, tzinfo=UTC)


@pytest.fixture
async def shop(database_url: str) -> AsyncIterator[dict]:
    await open_database(database_url)
    try:
        owner = await Customer.create(channel="wechat", external_id="owner", created_at=NOW)
        by_phone = await Customer.create(channel="webchat", external_id="phone", phone="138-0013-8000", created_at=NOW)
        stranger = await Customer.create(channel="webchat", external_id="stranger", created_at=NOW)
        linked = await Order.create(order_no="TB1001", customer=owner, phone="13800138000", total_fen=9900,
                                    items=[{"sku": "A", "name": "短袖T恤", "qty": 1, "price_fen": 9900}],
                                    shipped_at=NOW - timedelta(days=2), updated_at=NOW)
        garbled = await Order.create(order_no="TB1002", phone="N/A", updated_at=NOW)
        yield {"owner": owner, "by_phone": by_phone, "stranger": stranger, "linked": linked, "garbled": garbled}
    finally:
        await close_database()


async def test_an_order_and_whether_it_is_the_customers_in_one_read(shop: dict) -> None:
    linked = shop["linked"]
    for customer, expected in ((shop["owner"], True), (shop["by_phone"], True), (shop["stranger"], False)):
        order, owned = await lookups.order_for("TB1001", customer.id)
        assert owned is expected
        assert owned is await owned_by(order, customer.id)  # the ORM's rule, the same answer
        assert (order.id, order.order_no, order.customer_id, order.total_fen, order.items, order.shipped_at) == (
            linked.id, "TB1001", shop["owner"].id, 9900, linked.items, NOW - timedelta(days=2))
    assert await lookups.order_for("TB9999", shop["owner"].id) == (None, False)
    assert await lookups.order_for("TB1001", 10**6) == ((await Order.get(order_no="TB1001")), False)



async def test_the_owned_order_is_order_for_s_order_when_owned_and_none_otherwise(shop: dict) -> None:
    asked = 0
    for order_no in ("TB1001", "TB1002", "TB9999"):
        for customer_id in (shop["owner"].id, shop["by_phone"].id, shop["stranger"].id, 10**6):
            order, owned = await lookups.order_for(order_no, customer_id)
            mine = await lookups.owned_order(order_no, customer_id)
            assert (mine is not None) is owned
            if owned:
                assert (mine.id, mine.order_no, mine.customer_id, mine.phone, mine.items, mine.shipped_at,
                        mine.updated_at) == (order.id, order.order_no, order.customer_id, order.phone, order.items,
                                             order.shipped_at, order.updated_at)
                asked += 1
    assert asked == 2  # the owner and the customer with the order's phone, of TB1001 only

async def test_no_phone_and_an_unreadable_phone_are_not_the_same_phone(shop: dict) -> None:
    for customer in (shop["stranger"], shop["by_phone"]):
        order, owned = await lookups.order_for("TB1002", customer.id)
        assert order is not None and not owned
        assert not await owned_by(order, customer.id)


async def test_cases_come_with_their_order_newest_touched_first(shop: dict) -> None:
    owner, linked = shop["owner"], shop["linked"]

    async def case(number: int, state: str, touched: datetime, kind: str = "return") -> AfterSalesCase:
        return await AfterSalesCase.create(case_no=f"AS20261127-000{number}", order=linked, customer=owner,
                                           kind=kind, state=state, created_at=NOW, touched_at=touched)

    older = await case(1, "requested", NOW - timedelta(hours=2))
    newer = await case(2, "approved", NOW - timedelta(hours=1), kind="refund")
    closed = await case(3, "resolved", NOW, kind="damaged")
    found = await lookups.open_cases(owner.id)
    assert [c.case_no for c in found] == [newer.case_no, older.case_no]
    assert [c.case_no for c in await lookups.order_cases(linked.id)] == [closed.case_no, newer.case_no, older.case_no]
    assert found[0].order.order_no == "TB1001" and found[0].order_id == linked.id and found[0].kind == "refund"
    assert found[0].touched_at == NOW - timedelta(hours=1)
    assert await lookups.open_cases(shop["stranger"].id) == []
    by_no = await lookups.case_by_no(older.case_no)
    assert by_no is not None and (by_no.id, by_no.state, by_no.order.items) == (older.id, "requested", linked.items)
    assert await lookups.case_by_no("AS20261127-0009") is None
    await by_no.save(update_fields=["touched_at"])  # a loaded case saves like one the ORM loaded


async def test_filing_finds_the_case_of_the_same_message_first_then_the_open_one(shop: dict) -> None:
    owner, linked = shop["owner"], shop["linked"]
    open_one = await AfterSalesCase.create(case_no="AS20261127-0001", order=linked, customer=owner, kind="return",
                                           open_key="TB1001:return", source_key="wechat:m1", created_at=NOW,
                                           touched_at=NOW)
    by_message = await AfterSalesCase.create(case_no="AS20261127-0002", order=linked, customer=owner, kind="refund",
                                             source_key="wechat:m2", created_at=NOW, touched_at=NOW)
    assert (await lookups.filed("TB1001:return", "wechat:m2")).id == by_message.id
    found = await lookups.filed("TB1001:return", None)
    assert found.id == open_one.id and found.order.order_no == "TB1001"
    assert await lookups.filed("TB1001:damaged", "wechat:m3") is None
    await AfterSalesCase.create(case_no="AS20261128-0007", order=linked, kind="track", created_at=NOW, touched_at=NOW)
    assert await lookups.last_case_no("AS20261127-") == "AS20261127-0002"
    assert await lookups.last_case_no("AS20261128-") == "AS20261128-0007"
    assert await lookups.last_case_no("AS20261129-") is None
