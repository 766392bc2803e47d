"""The customer archive through real HTTP with a fake clock (docs/rules.md R-ARCHIVE): one person
across channels (merge, undo, a verified phone), class at the band edges and in the queue, who may
read what (per role, requests, expiry, secrecy), the read log, masking and logged reveal, exports."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import timedelta

import pytest

from bot.errors import ConfigError
from bot.web.auth import create_agent, issue_api_token
from handlers.archive.classing import band_for, score_of
from handlers.archive.service import ARCHIVE
from handlers.archive.settings import ArchiveSettings
from models.archive import AccessLog, ArchiveMerge, Person, PersonLink
from models.conversation import Conversation
from models.customer import Customer
from models.order import Order
from tests.fakes.bot_app import visitor_headers
from tests.workbooks import load_workbook

PASSWORD = "secret-pass-123"


@pytest.fixture
def bot_settings():
    return {"staffed_hours": "00:00-24:00"}


async def staff(bot, name: str, role: str = "agent", online: bool = False) -> dict[str, str]:
    agent = await create_agent(name, role, PASSWORD)
    headers = {"Authorization": f"Bearer {await issue_api_token(agent)}"}
    if online:
        response = await bot.client.post("/api/agent/presence", json={"presence": "online"}, headers=headers)
        assert response.status == 200
    return headers


async def say(bot, user: str, text: str) -> list[str]:
    response = await bot.client.post("/api/webchat/messages", json={"user_id": user, "text": text},
                                      headers=visitor_headers(bot.runtime, user))
    assert response.status == 200, await response.text()
    return (await response.json())["replies"]


async def customer(bot, channel: str, external_id: str, phone: str | None = None, name: str | None = None) -> Customer:
    return await Customer.create(channel=channel, external_id=external_id, phone=phone, name=name,
                                 created_at=bot.runtime.clock.now())


async def person_of(bot, headers: dict[str, str], customer_id: int) -> int:
    response = await bot.client.get(f"/api/archive/customers/{customer_id}", headers=headers)
    assert response.status == 200, await response.text()
    return (await response.json())["person_id"]


async def read(bot, headers: dict[str, str], person_id: int, parts: str | None = None):
    path = f"/api/archive/{person_id}" + (f"?parts={parts}" if parts else "")
    response = await bot.client.get(path, headers=headers)
    return response.status, await response.json()


def part(archive: dict, name: str) -> list[dict]:
    return next(p["rows"] for p in archive["parts"] if p["name"] == name)


# --- one person across channels ---


async def test_a_verified_phone_links_channels_and_a_merge_is_undone_exactly(bot):
    boss = await staff(bot, "sue", "supervisor")
    web = await customer(bot, "webchat", "v1", phone="13800138000", name="王芳")
    wechat = await customer(bot, "wechat", "openid-1", phone="+86 138-0013-8000")
    wecom = await customer(bot, "wecom", "ext-1")
    first = await person_of(bot, boss, web.id)
    assert await person_of(bot, boss, wechat.id) == first  # same verified phone: one person
    other = await person_of(bot, boss, wecom.id)
    assert other != first
    note = await bot.client.post(f"/api/archive/{other}/notes", json={"text": "喜欢蓝色"}, headers=boss)
    assert note.status == 201

    merged = await bot.client.post("/api/archive/merges", json={"kept_id": first, "absorbed_id": other}, headers=boss)
    assert merged.status == 201
    merge = await merged.json()
    assert merge["customers_moved"] == 1
    status, archive = await read(bot, boss, first)
    assert status == 200
    assert sorted(c["channel"] for c in part(archive, "contact")[0]["channels"]) == ["webchat", "wechat", "wecom"]
    assert [n["text"] for n in part(archive, "notes")] == ["喜欢蓝色"]
    assert (await read(bot, boss, other))[0] == 200  # the absorbed id still finds the record it went into
    again = await bot.client.post("/api/archive/merges", json={"kept_id": first, "absorbed_id": other}, headers=boss)
    assert again.status == 409

    undone = await bot.client.post(f"/api/archive/merges/{merge['id']}/undo", headers=boss)
    assert undone.status == 200 and (await undone.json())["undone_at"] is not None
    _, archive = await read(bot, boss, first)
    assert sorted(c["channel"] for c in part(archive, "contact")[0]["channels"]) == ["webchat", "wechat"]
    assert part(archive, "notes") == []
    _, absorbed = await read(bot, boss, other)
    assert [c["channel"] for c in part(absorbed, "contact")[0]["channels"]] == ["wecom"]
    assert [n["text"] for n in part(absorbed, "notes")] == ["喜欢蓝色"]
    assert (await bot.client.post(f"/api/archive/merges/{merge['id']}/undo", headers=boss)).status == 409


async def test_a_phone_verified_later_merges_and_can_be_undone(bot):
    boss = await staff(bot, "sue", "supervisor")
    known = await customer(bot, "webchat", "v1", phone="13900139000")
    later = await customer(bot, "wechat", "openid-2")
    first, second = await person_of(bot, boss, known.id), await person_of(bot, boss, later.id)
    assert first != second
    later.phone = "13900139000"
    await later.save()
    assert await person_of(bot, boss, later.id) == first
    record = await ArchiveMerge.get(absorbed_id=second)
    assert record.reason == "phone" and record.by_id is None
    assert (await bot.client.post(f"/api/archive/merges/{record.id}/undo", headers=boss)).status == 200
    assert await person_of(bot, boss, later.id) == second  # undone stays undone


async def test_concurrent_first_reads_link_a_customer_once(bot):
    boss = await staff(bot, "sue", "supervisor")
    new = await customer(bot, "webchat", "v9", phone="13700137000")
    ids = await asyncio.gather(*(person_of(bot, boss, new.id) for _ in range(6)))
    assert len(set(ids)) == 1
    assert await PersonLink.filter(customer_id=new.id).count() == 1


# --- class ---


def test_class_bands_at_their_edges():
    bands = {"A": 80, "B": 60, "C": 40, "D": 0}
    assert [band_for(score, bands) for score in (100, 80, 79.99, 60, 59.99, 40, 39.99, 0)] == [
        "A", "A", "B", "B", "C", "C", "D", "D"]
    weights = {"orders": 0.5, "amount": 0.5}
    assert score_of({"orders": 1.0, "amount": 0.6}, weights) == 80.0


async def test_class_follows_each_order_and_orders_the_queue(bot):
    boss = await staff(bot, "sue", "supervisor")
    service = bot.runtime.services[ARCHIVE]
    service.settings = ArchiveSettings.load(_env_file=None, class_weights={"orders": 1}, class_full_orders=5,
                                             queue_priority={"A": 5})
    buyer = await customer(bot, "webchat", "buyer")
    person_id = await person_of(bot, boss, buyer.id)
    now = bot.runtime.clock.now()
    bands = []
    for number in range(1, 5):
        await Order.create(order_no=f"E{number:013d}", customer=buyer, total_fen=1000, status="paid", updated_at=now)
        _, archive = await read(bot, boss, person_id, "class")  # what the console shows after each order
        row = part(archive, "class")[0]
        bands.append((row["score"], row["band"]))
    assert bands == [(20.0, "D"), (40.0, "C"), (60.0, "B"), (80.0, "A")]
    await Order.filter(order_no="E0000000000004").update(status="refunded")  # a bulk change: the daily run catches it
    await bot.runtime.run_daily()
    assert (await Person.get(id=person_id)).class_band == "B"
    await Order.create(order_no="E0000000000005", customer=buyer, total_fen=1000, status="paid", updated_at=now)
    await say(bot, "someone", "转人工")
    await say(bot, "buyer", "转人工")
    queued = {c.key: c.priority for c in await Conversation.filter(status="queued")}
    assert queued == {"webchat:someone": 0, "webchat:buyer": 5}
    _, archive = await read(bot, boss, person_id, "class")
    assert part(archive, "class")[0]["band"] == "A"


# --- who may read ---


async def test_holder_and_recent_agent_read_others_request_and_access_expires(bot):
    amy = await staff(bot, "amy", online=True)
    bob = await staff(bot, "bob")
    cat = await staff(bot, "cat")
    boss = await staff(bot, "sue", "supervisor")
    await say(bot, "c1", "转人工")
    held = await Conversation.get(key="webchat:c1")
    assert held.status == "handoff"
    person_id = await person_of(bot, boss, held.customer_id)

    assert (await read(bot, amy, person_id))[0] == 200  # holds the conversation now
    answered = await bot.client.post(f"/api/agent/conversations/{held.id}/messages", json={"text": "您好，我来帮您查"},
                                     headers=amy)
    assert answered.status == 200
    status, refusal = await read(bot, bob, person_id)
    assert status == 403 and refusal["error"]["code"] == "access_denied"

    await Conversation.filter(id=held.id).update(status="closed", assignee_id=None)
    assert (await read(bot, amy, person_id))[0] == 200  # served within ARCHIVE_RECENT_DAYS
    await bot.runtime.clock.advance(8 * 86400)
    assert (await read(bot, amy, person_id))[0] == 403

    filed = await bot.client.post("/api/access-requests", headers=bob, json={
        "person_id": person_id, "parts": ["orders", "profile"], "reason": "核对退款订单"})
    assert filed.status == 201
    request_id = (await filed.json())["id"]
    assert (await bot.client.post(f"/api/access-requests/{request_id}/approve", json={}, headers=cat)).status == 403
    listing = await (await bot.client.get("/api/access-requests", headers=boss)).json()
    assert [r["id"] for r in listing] == [request_id]
    approved = await bot.client.post(f"/api/access-requests/{request_id}/approve", json={}, headers=boss)
    assert approved.status == 200 and (await approved.json())["status"] == "approved"
    assert (await bot.client.post(f"/api/access-requests/{request_id}/refuse", headers=boss)).status == 409

    status, archive = await read(bot, bob, person_id)
    assert status == 200
    assert sorted(p["name"] for p in archive["parts"]) == ["orders", "profile"]
    assert "contact" in archive["denied"] and "notes" in archive["denied"]
    assert (await read(bot, cat, person_id))[0] == 403  # approval is for bob only
    await bot.runtime.clock.advance(24 * 3600 + 1)  # ARCHIVE_ACCESS_HOURS
    assert (await read(bot, bob, person_id))[0] == 403

    refused = await bot.client.post("/api/access-requests", headers=cat, json={
        "person_id": person_id, "parts": ["all"], "reason": "想看看"})
    assert refused.status == 201, await refused.text()
    refused_id = (await refused.json())["id"]
    assert (await (await bot.client.post(f"/api/access-requests/{refused_id}/refuse", headers=boss)).json())[
        "status"] == "refused"
    assert (await read(bot, cat, person_id))[0] == 403
    bad = await bot.client.post("/api/access-requests", headers=cat, json={"person_id": person_id, "parts": ["x"],
                                                                           "reason": "看看而已"})
    assert bad.status == 400 and (await bad.json())["error"]["code"] == "unknown_part"


async def test_confidential_and_secret_records(bot):
    amy = await staff(bot, "amy", online=True)
    boss = await staff(bot, "sue", "supervisor")
    root = await staff(bot, "root", "admin")
    await say(bot, "c1", "转人工")
    customer_id = (await Conversation.get(key="webchat:c1")).customer_id
    person_id = await person_of(bot, boss, customer_id)
    hits = await (await bot.client.get(f"/api/archive/search?q={customer_id}", headers=boss)).json()
    assert [hit["id"] for hit in hits] == [person_id]

    mark = await bot.client.put(f"/api/archive/{person_id}/secrecy", json={"secrecy": "confidential"}, headers=boss)
    assert mark.status == 204
    assert (await read(bot, amy, person_id))[0] == 403  # holding the conversation does not open 機密
    assert (await read(bot, boss, person_id))[0] == 200
    assert (await bot.client.put(f"/api/archive/{person_id}/secrecy", json={"secrecy": "secret"},
                                 headers=boss)).status == 403
    assert (await bot.client.put(f"/api/archive/{person_id}/secrecy", json={"secrecy": "secret"},
                                 headers=amy)).status == 403
    assert (await bot.client.put(f"/api/archive/{person_id}/secrecy", json={"secrecy": "secret"},
                                 headers=root)).status == 204
    assert (await read(bot, boss, person_id))[0] == 403
    assert (await read(bot, root, person_id))[0] == 200
    hits = await (await bot.client.get(f"/api/archive/search?q={customer_id}", headers=boss)).json()
    assert hits == []  # a 絕密 record is not even found by those not cleared for it

    filed = await bot.client.post("/api/access-requests", headers=amy, json={
        "person_id": person_id, "parts": ["orders"], "reason": "顾客要求核对订单"})
    request_id = (await filed.json())["id"]
    assert await (await bot.client.get("/api/access-requests", headers=boss)).json() == []
    refused = await bot.client.post(f"/api/access-requests/{request_id}/approve", json={}, headers=boss)
    assert refused.status == 403 and (await refused.json())["error"]["code"] == "needs_admin"
    assert (await bot.client.post(f"/api/access-requests/{request_id}/approve", json={"hours": 1},
                                  headers=root)).status == 200
    status, archive = await read(bot, amy, person_id)
    assert status == 200 and [p["name"] for p in archive["parts"]] == ["orders"]


# --- masking, reveal, the read log, exports ---


async def test_masked_by_default_reveal_and_every_read_logged(bot):
    boss = await staff(bot, "sue", "supervisor")
    buyer = await customer(bot, "webchat", "v1", phone="13800138000", name="王芳")
    person_id = await person_of(bot, boss, buyer.id)
    assert (await bot.client.patch(f"/api/archive/{person_id}", json={"address": "浙江省杭州市西湖区文三路90号"},
                                   headers=boss)).status == 204
    not_a_phone = await bot.client.patch(f"/api/archive/{person_id}", json={"phone": "n/a"}, headers=boss)
    assert not_a_phone.status == 400  # refused, not stored as "no phone"
    _, archive = await read(bot, boss, person_id, "contact")
    contact = part(archive, "contact")[0]
    assert contact["phones"] == ["138****8000"] and contact["address"] == "浙江省杭州市****"
    assert "13800138000" not in str(archive) and "文三路" not in str(archive)

    revealed = await bot.client.post(f"/api/archive/{person_id}/reveal", json={"field": "phone", "reason": "回电"},
                                     headers=boss)
    assert (await revealed.json())["values"] == ["13800138000"]
    address = await bot.client.post(f"/api/archive/{person_id}/reveal", json={"field": "address"}, headers=boss)
    assert (await address.json())["values"] == ["浙江省杭州市西湖区文三路90号"]

    # a console session (cookie + CSRF) is logged as the console
    login = await bot.client.post("/api/agent/login", json={"name": "sue", "password": PASSWORD})
    csrf = (await login.json())["csrf_token"]
    assert (await bot.client.get(f"/api/archive/{person_id}?parts=orders&reason=核对")).status == 200
    assert (await bot.client.post(f"/api/archive/{person_id}/reveal", json={"field": "phone"},
                                  headers={"X-CSRF-Token": csrf})).status == 200
    bot.client.session.cookie_jar.clear()

    amy = await staff(bot, "amy")
    assert (await read(bot, amy, person_id))[0] == 403
    assert (await bot.client.post(f"/api/archive/{person_id}/reveal", json={"field": "phone"},
                                  headers=amy)).status == 403
    log = await (await bot.client.get(f"/api/audit?person_id={person_id}", headers=boss)).json()
    seen = {(e["staff"], e["action"], e["part"], e["via"]) for e in log}
    assert ("sue", "read", "contact", "api") in seen
    assert ("sue", "reveal", "contact.phone", "api") in seen and ("sue", "reveal", "contact.address", "api") in seen
    assert ("sue", "read", "orders", "console") in seen and ("sue", "reveal", "contact.phone", "console") in seen
    assert ("amy", "denied", "contact", "api") in seen and ("amy", "denied", "contact", "api") in seen
    assert next(e for e in log if e["via"] == "console" and e["action"] == "read")["reason"] == "核对"
    assert all("13800138000" not in str(entry) for entry in log)
    assert (await bot.client.get("/api/audit", headers=amy)).status == 403
    by_staff = await (await bot.client.get("/api/audit?staff=amy", headers=boss)).json()
    assert {e["staff"] for e in by_staff} == {"amy"}


async def test_looking_up_a_customers_record_is_logged_and_hides_secret_records(bot):
    boss = await staff(bot, "sue", "supervisor")
    root = await staff(bot, "root", "admin")
    amy = await staff(bot, "amy")
    buyer = await customer(bot, "webchat", "v1", phone="13800138000", name="王芳")
    await bot.runtime.clock.advance(timedelta(minutes=3))
    looked = await bot.client.get(f"/api/archive/customers/{buyer.id}?reason=来电核实", headers=amy)
    assert looked.status == 200
    person_id = (await looked.json())["person_id"]
    [entry] = await AccessLog.filter(person_id=person_id)
    assert (entry.staff_name, entry.action, entry.part, entry.via, entry.basis, entry.reason, entry.at) == (
        "amy", "lookup", "index", "api", "search", "来电核实", bot.runtime.clock.now())
    login = await bot.client.post("/api/agent/login", json={"name": "sue", "password": PASSWORD})
    assert login.status == 200
    assert (await bot.client.get(f"/api/archive/customers/{buyer.id}")).status == 200
    bot.client.session.cookie_jar.clear()
    assert await AccessLog.filter(person_id=person_id, staff_name="sue", action="lookup", via="console").exists()

    assert (await bot.client.put(f"/api/archive/{person_id}/secrecy", json={"secrecy": "secret"},
                                 headers=root)).status == 204
    hidden = await bot.client.get(f"/api/archive/customers/{buyer.id}", headers=boss)
    assert hidden.status == 404 and (await hidden.json())["error"]["code"] == "no_such_customer"  # as if absent
    assert await AccessLog.filter(person_id=person_id, staff_name="sue", action="denied", part="index").exists()
    assert await person_of(bot, root, buyer.id) == person_id
    log = await (await bot.client.get(f"/api/audit?person_id={person_id}", headers=root)).json()
    assert [(e["staff"], e["action"]) for e in log if e["part"] == "index"] == [
        ("root", "lookup"), ("sue", "denied"), ("sue", "lookup"), ("amy", "lookup")]


async def test_exports_need_an_approved_request_and_are_logged(bot):
    boss = await staff(bot, "sue", "supervisor")
    root = await staff(bot, "root", "admin")
    buyer = await customer(bot, "webchat", "v1", phone="13800138000", name="王芳")
    await Order.create(order_no="E2026112700001", customer=buyer, total_fen=12900, status="paid",
                       updated_at=bot.runtime.clock.now())
    person_id = await person_of(bot, boss, buyer.id)
    refused = await bot.client.get(f"/api/archive/{person_id}/export?format=csv", headers=boss)
    assert refused.status == 403  # even a supervisor needs someone's approval
    filed = await bot.client.post("/api/access-requests", headers=boss, json={
        "person_id": person_id, "parts": ["contact", "orders"], "reason": "顾客要求提供资料副本", "kind": "export"})
    request_id = (await filed.json())["id"]
    assert (await bot.client.post(f"/api/access-requests/{request_id}/approve", json={}, headers=root)).status == 200
    assert (await bot.client.get(f"/api/archive/{person_id}/export?parts=notes", headers=boss)).status == 403

    response = await bot.client.get(f"/api/archive/{person_id}/export?format=csv&parts=contact,orders", headers=boss)
    assert response.status == 200 and response.content_type == "text/csv"
    rows = list(csv.reader(io.StringIO((await response.read()).decode("utf-8-sig"))))
    assert rows[0] == ["part", "row", "field", "value"]
    assert ["orders", "1", "order_no", "E2026112700001"] in rows
    assert "13800138000" not in str(rows) and any("138****8000" in row[3] for row in rows)
    workbook = await bot.client.get(f"/api/archive/{person_id}/export?format=xlsx&parts=orders", headers=boss)
    sheet = load_workbook(io.BytesIO(await workbook.read())).active
    assert ("orders", "1", "total_fen", "12900") in list(sheet.iter_rows(values_only=True))
    exports = await AccessLog.filter(action="export", person_id=person_id).values_list("part", "request_id", "via")
    assert sorted(exports) == [("contact", request_id, "api"), ("orders", request_id, "api"),
                               ("orders", request_id, "api")]
    await bot.runtime.clock.advance(timedelta(hours=25).total_seconds())
    assert (await bot.client.get(f"/api/archive/{person_id}/export", headers=boss)).status == 403


def test_a_bad_archive_setting_names_the_variable(monkeypatch):
    monkeypatch.setenv("ARCHIVE_CLASS_BANDS", '{"A": 50}')
    with pytest.raises(ConfigError, match="ARCHIVE_CLASS_BANDS"):
        ArchiveSettings.load(_env_file=None)
    monkeypatch.setenv("ARCHIVE_CLASS_BANDS", '{"A": 50, "D": 0}')
    monkeypatch.setenv("ARCHIVE_CLASS_WEIGHTS", '{"luck": 1}')
    with pytest.raises(ConfigError, match="ARCHIVE_CLASS_WEIGHTS"):
        ArchiveSettings.load(_env_file=None)
