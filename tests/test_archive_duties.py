"""Duties around the customer archive, through real HTTP with a fake clock (docs/rules.md R-ARCHIVE):
离职交接 moves everything in one transaction (or nothing), a leak response ends every session at once,
an erasure on request leaves counts only, and internal fields never reach a customer's chat."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Mapping
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import RUNTIME, build_app
from bot.clock import FakeClock
from bot.extension import Extension
from handlers import EXTENSIONS
from handlers.after_sales.uploads import UPLOAD_PATH
from models.agent import Agent
from models.archive import AccessLog, Erasure, Person, StaffLeave
from models.callback import CallbackTask
from models.case import AfterSalesCase, CasePhoto
from models.complaint import Complaint, ComplaintStep
from models.conversation import Conversation
from models.customer import Customer
from models.message import Message
from models.order import Order
from models.referral import CustomerTag
from tests.fakes.bot_app import RunningBot, make_settings
from tests.test_archive import PASSWORD, say, staff  # the same staff and customers as the archive's own tests

LEAVE_SEEN: list[tuple[str, str, bool]] = []


async def complaints_join(leaving: Agent, successor: Agent, at, connection) -> Mapping[str, int]:
    """One more area joining the hand-over (as complaints and callbacks do): it sees the same transaction."""
    LEAVE_SEEN.append((leaving.name, successor.name, connection is not None))
    return {"probe_records": 2}


async def complaints_break(leaving: Agent, successor: Agent, at, connection) -> Mapping[str, int]:
    raise RuntimeError("the complaints store refused")


@pytest.fixture
def hook():
    return complaints_join


@pytest.fixture
def database_url(request, tmp_path: Path) -> str:
    """SQLite; "postgres" as the parameter: a PostgreSQL database of the test's own, built by the migrations."""
    if getattr(request, "param", "sqlite") == "postgres":
        return request.getfixturevalue("migrated_postgres_url")
    return f"sqlite://{tmp_path / 'bot.sqlite3'}"


@pytest.fixture
async def shop(tmp_path: Path, hook, database_url: str) -> AsyncIterator[RunningBot]:
    """The real app with one more area that joins 离职交接 through `Extension.on_staff_leave`."""
    settings = make_settings(tmp_path, staffed_hours="00:00-24:00", database_url=database_url,
                             after_sales_upload_dir=tmp_path / "uploads")
    app = build_app(settings, [*EXTENSIONS, Extension("complaints_probe", on_staff_leave=hook)], clock=FakeClock())
    server = TestServer(app, host="127.0.0.1")
    client = TestClient(server)
    await client.start_server()
    try:
        yield RunningBot(server, client, app[RUNTIME])
    finally:
        await client.close()


async def amys_desk(bot) -> tuple[dict[str, str], Conversation, AfterSalesCase]:
    """amy holds c1's conversation, served c1 last and owns an open case."""
    amy = await staff(bot, "amy", online=True)
    await say(bot, "c1", "转人工")
    held = await Conversation.get(key="webchat:c1")
    assert held.status == "handoff"
    answered = await bot.client.post(f"/api/agent/conversations/{held.id}/messages", json={"text": "您好"}, headers=amy)
    assert answered.status == 200
    now = bot.runtime.clock.now()
    order = await Order.create(order_no="E2026112700001", customer_id=held.customer_id, total_fen=100, updated_at=now)
    case = await AfterSalesCase.create(case_no="AS20261127-0001", order=order, kind="return",
                                       customer_id=held.customer_id, assignee=await Agent.get(name="amy"),
                                       created_at=now, touched_at=now)
    return amy, held, case


# --- 离职交接 ---


@pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
async def test_leave_moves_everything_in_one_transaction_and_disables_the_login(shop):
    bot = shop
    amy, held, case = await amys_desk(bot)
    await staff(bot, "bob")
    boss = await staff(bot, "sue", "supervisor")
    login = await bot.client.post("/api/agent/login", json={"name": "amy", "password": PASSWORD})
    assert login.status == 200
    bot.client.session.cookie_jar.clear()
    LEAVE_SEEN.clear()
    assert (await bot.client.post("/api/staff/amy/leave", json={"to": "bob"}, headers=amy)).status == 403

    response = await bot.client.post("/api/staff/amy/leave", json={"to": "bob"}, headers=boss)
    assert response.status == 200, await response.text()
    assert (await response.json())["counts"] == {"customers": 1, "conversations": 1, "cases": 1, "complaints": 0,
                                                 "callbacks": 0, "probe_records": 2}
    bob = await Agent.get(name="bob")
    assert (await Conversation.get(id=held.id)).assignee_id == bob.id
    assert (await Customer.get(id=held.customer_id)).last_agent_id == bob.id
    assert (await AfterSalesCase.get(id=case.id)).assignee_id == bob.id
    assert LEAVE_SEEN == [("amy", "bob", True)]
    record = await StaffLeave.get()
    assert (record.from_agent_id, record.to_agent_id, record.by) == ((await Agent.get(name="amy")).id, bob.id, "sue")
    holder = await bot.runtime.store.get(bot.runtime.store.keys("handoff", "webchat:c1"))
    assert f'"agent_id": {bob.id}' in holder  # the chat path sees the new holder

    assert (await bot.client.get("/api/agent/me", headers=amy)).status == 401
    refused = await bot.client.post("/api/agent/login", json={"name": "amy", "password": PASSWORD})
    assert refused.status == 403
    again = await bot.client.post("/api/staff/amy/leave", json={"to": "bob"}, headers=boss)
    assert again.status == 409


async def test_only_an_admin_hands_over_an_admins_work(shop):
    bot = shop
    await staff(bot, "ada", "admin")
    await staff(bot, "bob")
    boss = await staff(bot, "sue", "supervisor")
    refused = await bot.client.post("/api/staff/ada/leave", json={"to": "bob"}, headers=boss)
    assert refused.status == 403 and (await refused.json())["error"]["code"] == "admin_leaves"
    assert (await Agent.get(name="ada")).active


@pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
@pytest.mark.parametrize("hook", [complaints_break])
async def test_a_failure_midway_moves_nothing(shop):
    bot = shop
    amy, held, case = await amys_desk(bot)
    await staff(bot, "bob")
    boss = await staff(bot, "sue", "supervisor")
    amy_id = (await Agent.get(name="amy")).id
    response = await bot.client.post("/api/staff/amy/leave", json={"to": "bob"}, headers=boss)
    assert response.status == 503 and (await response.json())["error"]["code"] == "handover_failed"
    assert (await Conversation.get(id=held.id)).assignee_id == amy_id
    assert (await Customer.get(id=held.customer_id)).last_agent_id == amy_id
    assert (await AfterSalesCase.get(id=case.id)).assignee_id == amy_id
    assert not await StaffLeave.exists()
    assert (await Agent.get(id=amy_id)).active
    assert (await bot.client.get("/api/agent/me", headers=amy)).status == 200


# --- leak response ---


async def test_an_admin_revokes_every_session_and_token_at_once(shop):
    bot = shop
    amy = await staff(bot, "amy")
    boss = await staff(bot, "sue", "supervisor")
    root = await staff(bot, "root", "admin")
    login = await bot.client.post("/api/agent/login", json={"name": "amy", "password": PASSWORD})
    assert login.status == 200
    assert (await bot.client.get("/api/agent/me")).status == 200  # the session cookie
    console = await bot.client.ws_connect("/ws/agent")  # an open console of that session
    assert (await bot.client.post("/api/staff/amy/revoke-sessions", headers=boss)).status == 403
    assert (await bot.client.post("/api/staff/amy/revoke-sessions", headers=root)).status == 204
    assert (await console.receive_json(timeout=5)) == {"type": "session.ended"}
    await console.receive(timeout=5)
    assert console.closed and console.close_code == 4401  # it stops hearing customers' events at once
    assert (await bot.client.get("/api/agent/me")).status == 401
    bot.client.session.cookie_jar.clear()
    assert (await bot.client.get("/api/agent/me", headers=amy)).status == 401
    assert (await bot.client.post("/api/agent/login", json={"name": "amy", "password": PASSWORD})).status == 200
    assert (await bot.client.get("/api/agent/me")).status == 200  # a new login works
    assert (await bot.client.post("/api/staff/nobody/revoke-sessions", headers=root)).status == 404


# --- erasure on request ---


async def test_erasure_removes_the_content_and_keeps_the_counts(shop):
    bot = shop
    root = await staff(bot, "root", "admin")
    boss = await staff(bot, "sue", "supervisor")
    await say(bot, "c1", "你好，我的电话是13800138000")
    await say(bot, "c1", "我想退货")
    held = await Conversation.get(key="webchat:c1")
    await Customer.filter(id=held.customer_id).update(phone="13800138000", name="王芳")
    now = bot.runtime.clock.now()
    order = await Order.create(order_no="E2026112700001", customer_id=held.customer_id, phone="13800138000",
                               buyer_name="王芳", total_fen=100, updated_at=now)
    case = await AfterSalesCase.create(case_no="AS20261127-0001", order=order, kind="damaged", description="杯子碎了",
                                       customer_id=held.customer_id, created_at=now, touched_at=now)
    photo = hashlib.sha256(b"photo").hexdigest() + ".jpg"
    uploads = bot.runtime.settings.after_sales_upload_dir
    uploads.mkdir(parents=True, exist_ok=True)
    (uploads / photo).write_bytes(b"photo")
    await CasePhoto.create(case=case, url=f"{UPLOAD_PATH}/{photo}", source_key="webchat:p1", created_at=now)
    person_id = (await (await bot.client.get(f"/api/archive/customers/{held.customer_id}", headers=root)).json())[
        "person_id"]
    note = await bot.client.post(f"/api/archive/{person_id}/notes", json={"text": "住在西湖边"}, headers=root)
    assert note.status == 201
    other = await Customer.create(channel="wechat", external_id="openid-9", name="王芳", created_at=now)
    other_person = (await (await bot.client.get(f"/api/archive/customers/{other.id}", headers=root)).json())[
        "person_id"]
    await bot.client.patch(f"/api/archive/{other_person}", json={"address": "杭州市西湖区"}, headers=root)
    merged = await bot.client.post("/api/archive/merges", json={"kept_id": person_id, "absorbed_id": other_person},
                                   headers=root)
    assert merged.status == 201
    messages = await Message.filter(conversation_id=held.id).count()
    complaint = await Complaint.create(number="TS202611270001", customer_id=held.customer_id, channel="webchat",
                                       content="杯子碎了，电话13800138000", contact="13800138000", matter="service",
                                       reply_by=now, created_at=now)
    await ComplaintStep.create(complaint=complaint, action="register", from_step="register", to_step="register",
                               actor="bot", note="王芳说杯子碎了", at=now)
    task = await CallbackTask.create(customer_id=held.customer_id, state="phone", open_key=held.customer_id,
                                     start_at=now, comment="很满意", created_at=now, updated_at=now)
    await CustomerTag.create(customer_id=held.customer_id, tag="母婴")

    assert (await bot.client.delete(f"/api/archive/{person_id}", headers=boss)).status == 403
    response = await bot.client.delete(f"/api/archive/{person_id}", headers=root)
    assert response.status == 200
    counts = (await response.json())["counts"]
    assert counts["messages"] == messages and counts["photos"] == 1 and counts["notes"] == 1

    assert await Message.filter(conversation_id=held.id).count() == messages  # counts stay
    assert set(await Message.filter(conversation_id=held.id).values_list("text", flat=True)) == {""}
    erased = await Customer.get(id=held.customer_id)
    assert (erased.name, erased.phone, erased.external_id) == (None, None, f"erased-{erased.id}")
    kept_order = await Order.get(id=order.id)
    assert (kept_order.phone, kept_order.buyer_name, kept_order.total_fen) == (None, None, 100)
    assert (await AfterSalesCase.get(id=case.id)).description == ""
    assert not (uploads / photo).exists() and not await CasePhoto.exists()
    assert (await Person.get(id=person_id)).erased_at is not None
    kept_complaint = await Complaint.get(id=complaint.id)  # the complaint counts, its words are gone
    assert (kept_complaint.content, kept_complaint.contact) == ("", None)
    assert set(await ComplaintStep.filter(complaint_id=complaint.id).values_list("note", flat=True)) == {""}
    erased_task = await CallbackTask.get(id=task.id)  # nobody calls an erased customer back
    assert (erased_task.state, erased_task.open_key, erased_task.comment) == ("failed", None, "")
    assert counts["complaints"] == 1 and counts["callbacks_closed"] == 1
    assert counts["referral_tags"] == 1 and not await CustomerTag.filter(customer_id=held.customer_id).exists()
    absorbed = await Person.get(id=other_person)
    assert (absorbed.name, absorbed.address) == (None, None)
    assert (await Customer.get(id=other.id)).name is None
    assert (await bot.client.get(f"/api/archive/{person_id}", headers=root)).status == 404
    assert await (await bot.client.get("/api/archive/search?q=13800138000", headers=root)).json() == []
    record = await Erasure.get(person_id=person_id)
    assert "13800138000" not in str(record.counts) and "王芳" not in str(record.counts)
    assert await AccessLog.filter(person_id=person_id, action="erase", staff_name="root").exists()
    # the same visitor writing again is a new, empty record
    await say(bot, "c2", "你好")
    assert await Conversation.filter(key="webchat:c2").exists()


# --- internal fields stay internal ---


async def test_internal_fields_never_reach_the_customers_chat(shop):
    bot = shop
    amy = await staff(bot, "amy", online=True)
    await say(bot, "c1", "你好")
    held = await Conversation.get(key="webchat:c1")
    person_id = (await (await bot.client.get(f"/api/archive/customers/{held.customer_id}", headers=amy)).json())[
        "person_id"]
    await say(bot, "c1", "转人工")
    secret_note = "内部备注：该顾客多次恶意退货"
    assert (await bot.client.post(f"/api/archive/{person_id}/notes", json={"text": secret_note},
                                  headers=amy)).status == 201
    await bot.runtime.run_daily()
    person = await Person.get(id=person_id)
    assert person.class_band is not None
    replies = []
    for text in ("我是什么等级的客户", "你们给我的评分是多少", "我的档案里写了什么", "备注是什么"):
        replies += await say(bot, "c1", text)  # held by amy: the bot stays quiet, amy answers
    held = await Conversation.get(key="webchat:c1")
    view = await bot.client.get(f"/api/agent/conversations/{held.id}", headers=amy)
    assert view.status == 200
    held = await Conversation.get(key="webchat:c1")
    await bot.client.post(f"/api/agent/conversations/{held.id}/hand-back", json={}, headers=amy)
    for text in ("我的客户分类是什么", "我是VIP吗", "我的会员等级"):
        replies += await say(bot, "c1", text)  # back with the bot, which answers
    outbound = await Message.filter(conversation_id=held.id, direction="out").values_list("text", flat=True)
    seen = "\n".join([*replies, *outbound])
    assert outbound and secret_note not in seen and "恶意退货" not in seen
    assert f"{person.class_score}" not in seen and "class" not in seen
    assert f"{person.class_band}类" not in seen and f"{person.class_band}级" not in seen
