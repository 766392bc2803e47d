"""The daily follow-up (stuck parcels, stale cases), `cases --stale`, and the demo shop."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from datetime import UTC, datetime, timedelta

from bot import cli
from bot.db import close_database, open_database
from handlers.after_sales.desk import DESK
from handlers.after_sales.notify import REMINDERS
from models.agent import Agent
from models.case import AfterSalesCase, CaseEvent
from models.customer import Customer
from models.message import Message
from models.order import Order
from tests.fakes.erp_server import order_object, seed_orders


def shipped(order_no: str, buyer: str | None, now: datetime, hours_ago: float, moved_hours_ago: float | None,
            **fields) -> dict:
    events = [] if moved_hours_ago is None else [
        {"at": (now - timedelta(hours=moved_hours_ago)).isoformat(), "status": "【杭州市】运输中"}]
    return order_object(order_no, buyer, now=now, status="shipped", shipped_hours_ago=hours_ago,
                        tracking_events=events, **fields)


async def notices(user: str) -> list[str]:
    return await Message.filter(conversation__key=f"webchat:{user}", direction="out").values_list("text", flat=True)


async def test_daily_extends_stuck_parcels_once_and_tells_the_customer(bot, clock):
    now = clock.now()
    await seed_orders(
        shipped("E2026112200701", "webchat:alice", now, 30, 28),  # stuck for 28 h
        shipped("E2026112200702", "webchat:alice", now, 30, 2),  # moving
        shipped("E2026112200703", "webchat:alice", now, 2, None),  # shipped today: too early to tell
        shipped("E2026112200704", None, now, 40, None, phone="13800000009"),  # never scanned; owner by phone
        now=now)
    carol = await Customer.create(channel="webchat", external_id="carol", phone="13800000009", created_at=now)
    await bot.runtime.run_daily()
    stuck = await Order.get(order_no="E2026112200701")
    assert stuck.receipt_extended_at == now and stuck.receipt_due_at == stuck.shipped_at + timedelta(days=13)
    [case] = await AfterSalesCase.filter(order_id=stuck.id)
    assert (case.kind, case.state, case.customer_id) == ("track", "requested", stuck.customer_id)
    assert (await CaseEvent.get(case_id=case.id)).actor == "system"
    [told] = await notices("alice")
    assert "E2026112200701" in told and stuck.receipt_due_at.astimezone(bot.runtime.settings.zone).strftime(
        "%Y-%m-%d") in told
    for order_no in ("E2026112200702", "E2026112200703"):
        assert (await Order.get(order_no=order_no)).receipt_extended_at is None
    assert (await AfterSalesCase.get(order__order_no="E2026112200704")).customer_id == carol.id
    assert len(await notices("carol")) == 1
    await bot.runtime.run_daily()  # running twice changes nothing
    assert await AfterSalesCase.all().count() == 2 and len(await notices("alice")) == 1


async def test_daily_reminds_the_owner_of_every_stale_case(bot, clock):
    runtime = bot.runtime
    await seed_orders(order_object("E2026112200711", "webchat:alice"), order_object("E2026112200712", "webchat:alice"),
                      now=clock.now())
    amy = await Agent.create(name="amy", role="agent", password_hash="-", created_at=clock.now())
    desk = runtime.services[DESK]
    owned, _ = await desk.cases.file(await Order.get(order_no="E2026112200711"), "return", actor="customer:1")
    await desk.cases.note(owned, "assign", "agent:1", assignee_id=amy.id)
    unowned, _ = await desk.cases.file(await Order.get(order_no="E2026112200712"), "missing", actor="customer:1")
    await clock.advance(timedelta(days=1))  # the next morning; one case gets touched today
    touched, _ = await desk.cases.file(await Order.get(order_no="E2026112200712"), "exchange", actor="customer:1")
    before = (await AfterSalesCase.get(id=owned.id)).touched_at
    async with runtime.store.subscribe(REMINDERS) as reminders:
        await runtime.run_daily()
        got = [await anext(reminders), await anext(reminders)]
    assert {(r["case_no"], r["agent_id"]) for r in got} == {(owned.case_no, amy.id), (unowned.case_no, None)}
    assert await CaseEvent.filter(action="remind").count() == 2
    assert not await CaseEvent.filter(action="remind", case_id=touched.id).exists()
    assert (await AfterSalesCase.get(id=owned.id)).touched_at == before  # a reminder is not a touch
    assert [c.case_no for c in await desk.cases.stale()] == [owned.case_no, unowned.case_no]


async def test_the_server_runs_the_daily_job_at_night(bot, clock):
    now = clock.now()
    await seed_orders(shipped("E2026112200721", "webchat:alice", now, 30, 28), now=now)
    await clock.advance(timedelta(hours=16, minutes=1))  # 10:00 shop time → past 02:00 the next day
    for _ in range(500):
        await clock.advance(1)
        if (await Order.get(order_no="E2026112200721")).receipt_extended_at is not None:
            break
        await asyncio.sleep(0.01)
    assert (await Order.get(order_no="E2026112200721")).receipt_extended_at is not None


# --- command line (a real process's view: its own runtime, the system clock) ---


def seed_cases(url: str) -> tuple[str, str]:
    """A case last touched long ago (stale) and one touched in the far future (touched "today")."""

    async def seed() -> tuple[str, str]:
        await open_database(url)
        try:
            now = datetime(2026, 11, 23, tzinfo=UTC)
            await seed_orders(order_object("E2026112200731", "webchat:alice"), now=now)
            order = await Order.get(order_no="E2026112200731")
            cases = []
            for number, (kind, touched) in enumerate([("return", datetime(2000, 1, 1, tzinfo=UTC)),
                                                      ("missing", datetime(2100, 1, 1, tzinfo=UTC))], 1):
                case = await AfterSalesCase.create(case_no=f"AS20261123-{number:04d}", order=order, kind=kind,
                                                   open_key=f"{order.order_no}:{kind}", created_at=touched,
                                                   touched_at=touched)
                cases.append(case.case_no)
            return cases[0], cases[1]
        finally:
            await close_database()

    return asyncio.run(seed())


def test_cases_stale_lists_open_cases_nobody_touched_today(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    url = f"sqlite://{tmp_path / 'cli.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    stale, fresh = seed_cases(url)
    assert cli.main(["cases", "--stale"]) == 0
    out = capsys.readouterr().out
    assert stale in out and fresh not in out and "unassigned" in out
    assert cli.main(["cases", "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["case_no"] for r in rows] == [stale, fresh] and rows[0]["state"] == "requested"
    assert cli.main(["cases", "--state", "nonsense"]) == 2
    assert cli.main(["daily"]) == 0


def test_demo_data_creates_a_small_shop_idempotently(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite://{tmp_path / 'demo.sqlite3'}")
    assert cli.main(["demo-data"]) == 0
    out = capsys.readouterr().out
    assert "6 order(s) created" in out and "csbot chat" in out and "E2026112000103" in out
    assert cli.main(["demo-data"]) == 0
    assert "0 order(s) created, 6 updated" in capsys.readouterr().out
    with sqlite3.connect(tmp_path / "demo.sqlite3") as db:
        orders = dict(db.execute("select order_no, status from shop_order").fetchall())
        assert len(orders) == 6 and set(orders.values()) == {"shipped", "received", "paid"}
        assert db.execute("select count(*) from customer where phone is not null").fetchone()[0] == 4
        couriers = [r[0] for r in db.execute("select tracking_no from shop_order where status='shipped'")]
        assert all(couriers)
