"""The archive's privacy and role rules at the edges a probe found, through real HTTP (docs/rules.md
R-ARCHIVE): two staff leaving to each other at once, formulas in exports, contact validation, the
teaching review list and the after-sales desk under the archive's secrecy and read log."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from handlers.handoff.queue import ASSIGN_LOCK
from models.agent import Agent
from models.archive import AccessLog, Person
from models.case import AfterSalesCase
from models.conversation import Conversation
from models.customer import Customer
from models.order import Order
from tests.fakes.bot_app import RunningBot, eventually, make_settings, running_bot
from tests.test_archive import person_of, say, staff
from tests.workbooks import load_workbook


@pytest.fixture
def bot_settings():
    return {"staffed_hours": "00:00-24:00"}


@pytest.fixture
async def shop(tmp_path: Path, database_url: str) -> AsyncIterator[RunningBot]:
    """The real app on SQLite, then on PostgreSQL (`database_url`)."""
    settings = make_settings(tmp_path, staffed_hours="00:00-24:00", database_url=database_url)
    async with running_bot(settings) as running:
        yield running


# --- 离职交接 ---


async def test_two_staff_leaving_to_each_other_at_once_leave_one_active(shop):
    bot = shop
    boss = await staff(bot, "sue", "supervisor")
    await staff(bot, "lv5")
    await staff(bot, "lv6")
    now = bot.runtime.clock.now()
    for number, name in enumerate(("lv5", "lv6"), 1):
        order = await Order.create(order_no=f"E20261129000{number}", total_fen=100, updated_at=now)
        await AfterSalesCase.create(case_no=f"AS20261129-000{number}", order=order, kind="return",
                                    assignee=await Agent.get(name=name), created_at=now, touched_at=now)
    store = bot.runtime.store
    slot = store.keys("lock", ASSIGN_LOCK)

    async def both_waiting() -> bool:
        return getattr(store._locks.get(slot), "waiters", 0) == 2  # the memory store's lock

    async with store.lock(ASSIGN_LOCK, timeout=30, wait=5):  # both pass the early checks before either moves
        leaving = [asyncio.create_task(bot.client.post(f"/api/staff/{name}/leave", json={"to": to}, headers=boss))
                   for name, to in (("lv5", "lv6"), ("lv6", "lv5"))]
        await eventually(both_waiting, "both hand-overs waiting for the assignment lock")
    first, second = await asyncio.gather(*leaving)
    answers = sorted([(first.status, (await first.json()).get("error", {}).get("code")),
                      (second.status, (await second.json()).get("error", {}).get("code"))], key=str)
    assert answers == [(200, None), (409, "successor_inactive")], answers
    active = await Agent.filter(name__in=["lv5", "lv6"], active=True).values_list("id", flat=True)
    assert len(active) == 1
    assert set(await AfterSalesCase.all().values_list("assignee_id", flat=True)) == set(active)


# --- exports ---


async def test_exports_write_a_name_or_note_starting_like_a_formula_as_text(bot):
    boss = await staff(bot, "sue", "supervisor")
    root = await staff(bot, "root", "admin")
    buyer = await Customer.create(channel="webchat", external_id="v1", created_at=bot.runtime.clock.now())
    person_id = await person_of(bot, boss, buyer.id)
    name, note = '=HYPERLINK("http://x.example/?"&A1,"点我")', "+1-2@\t退款"
    assert (await bot.client.patch(f"/api/archive/{person_id}", json={"name": name}, headers=boss)).status == 204
    assert (await bot.client.post(f"/api/archive/{person_id}/notes", json={"text": note}, headers=boss)).status == 201
    filed = await bot.client.post("/api/access-requests", headers=boss, json={
        "person_id": person_id, "parts": ["contact", "notes"], "reason": "顾客要求提供资料副本", "kind": "export"})
    approved = await bot.client.post(f"/api/access-requests/{(await filed.json())['id']}/approve", json={},
                                     headers=root)
    assert approved.status == 200

    response = await bot.client.get(f"/api/archive/{person_id}/export?format=csv&parts=contact,notes", headers=boss)
    rows = list(csv.reader(io.StringIO((await response.read()).decode("utf-8-sig"))))
    assert ["contact", "1", "name", "'" + name] in rows and ["notes", "1", "text", "'" + note] in rows
    assert not any(row[3].startswith(("=", "+", "-", "@", "\t")) for row in rows[1:])

    workbook = await bot.client.get(f"/api/archive/{person_id}/export?format=xlsx&parts=contact,notes",
                                    headers=boss)
    sheet = load_workbook(io.BytesIO(await workbook.read())).active
    cells = {(row[0].value, row[2].value): row[3] for row in sheet.rows}
    assert (cells["contact", "name"].value, cells["contact", "name"].data_type) == (name, "s")
    assert (cells["notes", "text"].value, cells["notes", "text"].data_type) == (note, "s")


# --- contact details ---


async def test_contact_changes_refuse_a_non_phone_and_a_blank_name(bot):
    boss = await staff(bot, "sue", "supervisor")
    buyer = await Customer.create(channel="webchat", external_id="v1", name="王芳", phone="13800138000",
                                  created_at=bot.runtime.clock.now())
    person_id = await person_of(bot, boss, buyer.id)
    for body, code in [({"phone": "1" * 32}, "invalid_phone"), ({"phone": "123"}, "invalid_phone"),
                       ({"phone": "call 13800138000"}, "invalid_phone"), ({"name": ""}, "invalid_name"),
                       ({"name": "\u200b"}, "invalid_name"), ({"name": " \u2060\ufeff "}, "invalid_name"),
                       ({"name": None}, "invalid_name")]:
        response = await bot.client.patch(f"/api/archive/{person_id}", json=body, headers=boss)
        assert response.status == 400, body
        assert (await response.json())["error"]["code"] == code, body
    person = await Person.get(id=person_id)
    assert (person.name, person.phone) == ("王芳", "13800138000")  # nothing half-written

    changed = await bot.client.patch(f"/api/archive/{person_id}", json={"name": "王小芳", "phone": "+86 139-0013-9000"},
                                     headers=boss)
    assert changed.status == 204 and (await Person.get(id=person_id)).phone == "13900139000"
    assert (await bot.client.patch(f"/api/archive/{person_id}", json={"phone": ""}, headers=boss)).status == 204
    person = await Person.get(id=person_id)
    assert person.name == "王小芳" and not person.phone  # empty clears the phone on purpose


async def test_a_full_width_phone_is_stored_in_ascii_and_other_digits_are_refused(bot):
    boss = await staff(bot, "sue", "supervisor")
    buyer = await Customer.create(channel="webchat", external_id="v1", name="王芳", phone="13800138000",
                                  created_at=bot.runtime.clock.now())
    person_id = await person_of(bot, boss, buyer.id)
    for phone in ("1380013800\u00b2", "\u00b9\u00b3\u2078" + "00138000", "\u0661\u0663\u0668" + "00138000",
                  "\u0967\u0969\u096e" + "00138000", "\u2460" + "3800138000"):
        response = await bot.client.patch(f"/api/archive/{person_id}", json={"phone": phone}, headers=boss)
        assert response.status == 400, phone
        assert (await response.json())["error"]["code"] == "invalid_phone", phone
    assert (await Person.get(id=person_id)).phone == "13800138000"

    typed = "\uff0b\uff18\uff16\u3000\uff11\uff13\uff19\uff0d\uff10\uff10\uff11\uff13\uff0d\uff19\uff10\uff10\uff10"
    response = await bot.client.patch(f"/api/archive/{person_id}", json={"phone": typed}, headers=boss)
    assert response.status == 204
    assert (await Person.get(id=person_id)).phone == "13900139000"


# --- teaching: who reviews whose messages ---


async def review(bot, headers: dict[str, str]) -> dict[str, dict]:
    response = await bot.client.get("/api/intents/review", headers=headers)
    assert response.status == 200, await response.text()
    return {item["text"]: item for item in (await response.json())["items"]}


async def test_the_review_list_is_the_readers_own_stripped_cleared_and_logged(bot):
    amy = await staff(bot, "amy", online=True)
    boss = await staff(bot, "sue", "supervisor")
    root = await staff(bot, "root", "admin")
    maker = await staff(bot, "pat", "product")
    await say(bot, "c1", "转人工")
    await say(bot, "c1", "那个杯子是保温的吗 我电话13800138000")  # amy holds c1's conversation
    await say(bot, "c2", "小蓝瓶上了没")  # nobody's: the bot asked
    words, other = "那个杯子是保温的吗 我电话", "小蓝瓶上了没"

    mine = await review(bot, amy)
    assert words in mine and other not in mine  # an agent: the conversations they handled
    assert not any("13800138000" in text for text in mine)  # the stripped text, as a label would store it
    assert {words, other} <= set(await review(bot, boss))
    assert (await bot.client.get("/api/intents/review", headers=maker)).status == 403
    assert (await bot.client.post("/api/intents/teach", headers=maker, json={
        "message_id": mine[words]["message_id"], "intent": "product.consult"})).status == 403
    c2_message = (await review(bot, boss))[other]["message_id"]
    refused = await bot.client.post("/api/intents/teach", headers=amy, json={"message_id": c2_message,
                                                                              "intent": "product.consult"})
    assert refused.status == 404  # not a message of hers

    c1 = (await Conversation.get(key="webchat:c1")).customer_id
    person_id = await person_of(bot, root, c1)
    reads = await AccessLog.filter(person_id=person_id, part="messages", action="read").values_list("staff_name",
                                                                                                   "basis", "via")
    assert ("amy", "teaching", "api") in reads and ("sue", "teaching", "api") in reads

    assert (await bot.client.put(f"/api/archive/{person_id}/secrecy", json={"secrecy": "confidential"},
                                 headers=root)).status == 204
    assert words not in await review(bot, amy) and words in await review(bot, boss)
    assert (await bot.client.post("/api/intents/teach", headers=amy, json={
        "message_id": mine[words]["message_id"], "intent": "product.consult"})).status == 403
    assert await AccessLog.filter(person_id=person_id, part="messages", action="denied", staff_name="amy").exists()
    assert (await bot.client.put(f"/api/archive/{person_id}/secrecy", json={"secrecy": "secret"},
                                 headers=root)).status == 204
    assert words not in await review(bot, boss) and other in await review(bot, boss)
    assert words in await review(bot, root)
    assert await AccessLog.filter(person_id=person_id, part="messages", action="read", staff_name="root",
                                  basis="role").exists()


# --- after-sales: orders and cases under the archive's secrecy and read log ---


async def test_orders_and_cases_follow_the_archives_secrecy_and_are_logged(bot):
    amy = await staff(bot, "amy", online=True)
    bob = await staff(bot, "bob")
    pat = await staff(bot, "pat", "product")
    boss = await staff(bot, "sue", "supervisor")
    root = await staff(bot, "root", "admin")
    await say(bot, "c1", "转人工")
    customer_id = (await Conversation.get(key="webchat:c1")).customer_id
    now = bot.runtime.clock.now()
    order = await Order.create(order_no="E2026112900001", customer_id=customer_id, total_fen=12900, updated_at=now,
                               items=[{"sku": "B1", "name": "保温杯", "qty": 1, "price_fen": 12900}],
                               tracking_no="SF1234567890")
    amys, others = [await AfterSalesCase.create(
        case_no=f"AS20261129-000{n}", order=order, kind="return", customer_id=customer_id, description="杯盖漏水",
        assignee=assignee, created_at=now, touched_at=now) for n, assignee in ((1, await Agent.get(name="amy")),
                                                                                 (2, None))]

    async def status(headers: dict[str, str], path: str) -> int:
        return (await bot.client.get(path, headers=headers)).status

    async def listed(headers: dict[str, str]) -> set[str]:
        response = await bot.client.get("/api/cases", headers=headers)
        return {case["case_no"] for case in (await response.json())["cases"]}

    order_path, amys_path, others_path = ("/api/orders/E2026112900001", f"/api/cases/{amys.case_no}",
                                          f"/api/cases/{others.case_no}")
    for headers in (bob, pat):  # a normal record: the desk works as before, each read logged
        assert await status(headers, order_path) == 200 and await status(headers, others_path) == 200
    person_id = await person_of(bot, root, customer_id)
    assert await AccessLog.filter(person_id=person_id, staff_name="bob", part="orders", action="read",
                                  basis="desk").exists()
    assert await AccessLog.filter(person_id=person_id, staff_name="pat", part="cases", action="read").exists()

    assert (await bot.client.put(f"/api/archive/{person_id}/secrecy", json={"secrecy": "secret"},
                                 headers=root)).status == 204
    for headers in (bob, pat, boss):
        assert await status(headers, order_path) == 403
        assert await status(headers, others_path) == 403 and await status(headers, amys_path) == 403
        assert await listed(headers) == set()
        took = await bot.client.post(f"{others_path}/assign", json={"agent_id": None}, headers=headers)
        assert took.status == 403
    assert await AccessLog.filter(person_id=person_id, staff_name="sue", part="cases", action="denied").exists()
    assert await AccessLog.filter(person_id=person_id, staff_name="pat", part="orders", action="denied").exists()

    assert await status(root, order_path) == 200 and await listed(root) == {amys.case_no, others.case_no}
    assert await AccessLog.filter(person_id=person_id, staff_name="root", part="orders", basis="role").exists()

    # amy holds the open case: she works it (and sees its order), not the customer's other case
    assert await status(amy, amys_path) == 200 and await status(amy, others_path) == 403
    answer = await (await bot.client.get(order_path, headers=amy)).json()
    assert answer["tracking_no"] == "SF1234567890" and [c["case_no"] for c in answer["cases"]] == [amys.case_no]
    assert await listed(amy) == {amys.case_no}
    assert await AccessLog.filter(person_id=person_id, staff_name="amy", part="cases", basis="case").exists()
    await AfterSalesCase.filter(id=amys.id).update(state="resolved")
    assert await status(amy, amys_path) == 403 and await status(amy, order_path) == 403  # closed: no longer hers
