"""Major complaints (docs/rules.md R-COMPLAINT-9, R-COMPLAINT-10, R-COMPLAINT-12): each trigger from the
chat's words, a repeat within 30 days, three customers about one product, a staff member's judgement;
each alerts the console and the webhook at once and opens the legal warning due within 24 h. The
third service complaint about an agent in a month is flagged serious."""

from __future__ import annotations

from datetime import timedelta

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.clock import FakeClock
from bot.errors import ConfigError
from bot.reports import ReportQuery
from bot.web.auth import create_agent, issue_api_token
from handlers.complaints.desk import COMPLAINTS, Draft
from handlers.complaints.report import AGENTS_REPORT
from handlers.complaints.settings import ComplaintSettings
from models.complaint import Complaint, ComplaintTask
from models.customer import Customer
from tests.fakes.bot_app import make_settings, running_bot, visitor_headers
from tests.fakes.erp_server import order_object, seed_orders


@pytest.fixture
async def webhook():
    received: list[dict] = []

    async def hook(request):
        received.append(await request.json())
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_post("/alert", hook)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        yield server, received
    finally:
        await server.close()


@pytest.fixture
async def bot(tmp_path, clock: FakeClock, webhook):
    server, _ = webhook
    settings = make_settings(tmp_path, alert_webhook_url=str(server.make_url("/alert")))
    async with running_bot(settings, clock=clock) as running:
        await running.runtime.scheduler.stop()
        yield running


async def say(bot, user_id: str, text: str) -> str:
    response = await bot.client.post("/api/webchat/messages", json={"user_id": user_id, "text": text},
                                     headers=visitor_headers(bot.runtime, user_id))
    assert response.status == 200, await response.text()
    return "\n".join((await response.json())["replies"])


async def complain(bot, user_id: str, first: str) -> Complaint:
    await say(bot, user_id, first)
    for answer in ("没有订单", "要求给个说法", "13800138000"):
        await say(bot, user_id, answer)
    return await Complaint.filter(customer__external_id=user_id).order_by("-id").first()


@pytest.mark.parametrize(("text", "reason"), [
    ("我要投诉，再不处理我就找记者曝光你们", "media"),
    ("投诉！东西是坏的，我已经打12315了", "platform"),
    ("我要投诉，不给解决我就去你们店里闹", "protest"),
    ("我要投诉，这东西质量太差我要退货", "return"),
])
async def test_words_in_the_chat_make_it_major_alert_at_once_and_open_the_legal_task(bot, clock, webhook, text,
                                                                                     reason):
    _, received = webhook
    manager = await create_agent("mia", "supervisor", "secret-pass-123")
    async with bot.runtime.store.subscribe(f"agent:{manager.id}") as console:  # the manager's own console
        complaint = await complain(bot, "dan", text)
        alerts = []
        while not alerts:
            payload = await anext(console)
            if payload["type"] == "complaint.major":
                alerts.append(payload)
    assert complaint.severity == "major" and complaint.major_reasons == [reason]
    assert alerts[0]["number"] == complaint.number
    assert [(r["type"], r["number"], r["reasons"]) for r in received] == [
        ("complaint.major", complaint.number, [reason])]
    [task] = await ComplaintTask.filter(complaint_id=complaint.id)
    assert task.kind == "legal" and task.due_at == complaint.created_at + timedelta(hours=24)


async def test_an_ordinary_complaint_is_not_major(bot, webhook):
    complaint = await complain(bot, "erin", "我要投诉，客服回复太慢了")
    assert complaint.severity == "normal" and webhook[1] == []
    assert await ComplaintTask.filter(complaint_id=complaint.id).count() == 0


async def test_a_repeat_complaint_within_30_days_is_major_after_that_it_is_not(bot, clock):
    first = await complain(bot, "fay", "我要投诉，客服回复太慢了")
    await bot.runtime.services[COMPLAINTS].act(first, await create_agent("sup", "supervisor", "secret-pass-123"),
                                               "accept", {})
    await clock.advance(timedelta(days=10))
    await say(bot, "fay", "好的")  # ends the left-message flow the first handover opened
    second = await complain(bot, "fay", "我要投诉，价格刚买完就降价了")
    assert second.id != first.id and second.major_reasons == ["repeat"]
    await clock.advance(timedelta(days=31))
    await say(bot, "fay", "好的")
    third = await complain(bot, "fay", "我要投诉，赠品一直没寄来")
    assert third.severity == "normal"


async def test_three_customers_about_one_product_within_the_window_are_collective(bot, clock):
    orders = {name: f"E20261122{n:05d}" for n, name in enumerate(("gus", "hal", "ivy", "jon"), 1)}
    await seed_orders(*(order_object(no, f"webchat:{name}") for name, no in orders.items()), now=clock.now())
    made = []
    for name in ("gus", "hal"):
        await say(bot, name, f"我要投诉，订单{orders[name]}的杯子漏水")
        await say(bot, name, "要求换新")
        await say(bot, name, "13800138000")
        made.append(await Complaint.get(customer__external_id=name))
    assert all(c.severity == "normal" for c in made)
    await clock.advance(timedelta(hours=10))
    await say(bot, "ivy", f"我要投诉，订单{orders['ivy']}的杯子一倒水就漏")
    await say(bot, "ivy", "要求退款")
    await say(bot, "ivy", "13800138000")
    for complaint in await Complaint.all():
        assert "collective" in complaint.major_reasons, complaint.number
        assert await ComplaintTask.filter(complaint_id=complaint.id, kind="legal").count() == 1


async def test_two_customers_or_three_outside_the_window_are_not_collective(bot, clock):
    desk = bot.runtime.services[COMPLAINTS]
    orders = {name: f"E20261122{n:05d}" for n, name in enumerate(("kim", "lee", "max"), 1)}
    await seed_orders(*(order_object(no, f"webchat:{name}") for name, no in orders.items()), now=clock.now())
    for name in orders:
        await say(bot, name, f"我要投诉，订单{orders[name]}的杯子漏水")
        await say(bot, name, "要求换新")
        await say(bot, name, "13800138000")
        await clock.advance(timedelta(hours=desk.settings.collective_window_h / 2 + 1))
    assert all(c.severity == "normal" for c in await Complaint.all())


async def test_a_staff_member_marks_a_complaint_major(bot, clock, webhook):
    complaint = await complain(bot, "ned", "我要投诉，客服回复太慢了")
    supervisor = await create_agent("sue", "supervisor", "secret-pass-123")
    headers = {"Authorization": f"Bearer {await issue_api_token(supervisor)}"}
    response = await bot.client.post(f"/api/complaints/{complaint.number}/major", headers=headers,
                                     json={"reason": "staff", "note": "顾客是本地大V"})
    body = await response.json()
    assert response.status == 200 and body["severity"] == "major" and body["major_reasons"] == ["staff"]
    assert [t["kind"] for t in body["tasks"]] == ["legal"]
    again = await bot.client.post(f"/api/complaints/{complaint.number}/major", headers=headers, json={})
    assert len((await again.json())["tasks"]) == 1 and len(webhook[1]) == 1  # once
    agent = await create_agent("amy", "agent", "secret-pass-123")
    done = await bot.client.post(f"/api/complaints/{complaint.number}/tasks/legal", json={"note": "已报备法务"},
                                 headers={"Authorization": f"Bearer {await issue_api_token(agent)}"})
    assert done.status in (403, 404)  # not theirs to file
    done = await bot.client.post(f"/api/complaints/{complaint.number}/tasks/legal", json={"note": "已报备法务"},
                                 headers=headers)
    assert (await done.json())["tasks"][0]["done_at"] is not None


async def test_the_third_service_complaint_about_an_agent_in_a_month_is_serious(bot, clock):
    desk = bot.runtime.services[COMPLAINTS]
    accused = await create_agent("zed", "agent", "secret-pass-123")
    made = []
    for n in range(3):
        customer = await Customer.create(channel="webchat", external_id=f"s{n}", created_at=clock.now())
        complaint, _ = await desk.register(Draft(customer_id=customer.id, channel="webchat", actor="test",
                                                 content="客服态度差", category="service", accused_agent_id=accused.id))
        made.append(complaint)
    assert [c.serious for c in made] == [False, False, True]
    table = await AGENTS_REPORT.build(bot.runtime, ReportQuery(start=clock.now() - timedelta(days=1),
                                                               end=clock.now() + timedelta(days=1), bucket="month"))
    assert table.rows == [{"period": "2026-11", "agent": "zed", "count": 3, "serious": 1}]


def test_a_bad_setting_stops_start_up_naming_the_variable(monkeypatch):
    monkeypatch.setenv("COMPLAINTS_JUDGE_H", "-1")
    with pytest.raises(ConfigError, match="COMPLAINTS_JUDGE_H"):
        ComplaintSettings.load(_env_file=None)
