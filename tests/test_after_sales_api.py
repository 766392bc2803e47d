"""The staff REST API for cases: roles, allowed steps only, notifications, approvals, OpenAPI."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.clock import FakeClock
from bot.web.auth import create_agent, issue_api_token
from handlers.after_sales.desk import DESK
from models.agent import Agent
from models.case import AfterSalesCase, CaseEvent
from models.customer import Customer
from models.message import Message
from models.order import Order
from tests.fakes.erp_server import order_object, seed_orders

ORDER = "E2026112200123"
BIG = "E2026112200888"


@pytest.fixture
def bot_settings():
    return {"after_sales_return_address": "测试仓 收件人 小王"}


@pytest.fixture
async def bot(bot, clock: FakeClock):
    await seed_orders(order_object(ORDER, "webchat:alice"), order_object(BIG, "webchat:alice", items=[
        {"item_name": "扫地机器人", "qty": 1, "price": "6999.00"}]), now=clock.now())
    return bot


@pytest.fixture
async def staff(bot, clock):
    """Staff with bearer tokens (no passwords: hashing them would only slow the tests down)."""
    tokens = {}
    for name, role in (("amy", "agent"), ("ann", "agent"), ("sam", "supervisor"), ("ada", "admin")):
        agent = await Agent.create(name=name, role=role, password_hash="-", created_at=clock.now())
        tokens[name] = (agent, {"Authorization": f"Bearer {await issue_api_token(agent)}"})
    return tokens


async def file_case(bot, kind: str = "return", order_no: str = ORDER) -> AfterSalesCase:
    alice = await Customer.get(channel="webchat", external_id="alice")
    order = await Order.get(order_no=order_no)
    case, _ = await bot.runtime.services[DESK].cases.file(order, kind, actor=f"customer:{alice.id}",
                                                          customer_id=alice.id)
    return case


async def move(bot, headers, case_no: str, to: str, **body):
    response = await bot.client.post(f"/api/cases/{case_no}/transitions", json={"to": to, **body}, headers=headers)
    return response.status, await response.json()


async def told(customer: str = "alice") -> list[str]:
    """What the customer was sent outside replies (pushed notices), in order."""
    rows = await Message.filter(conversation__key=f"webchat:{customer}", direction="out").order_by("id")
    return [row.text for row in rows]


async def test_every_endpoint_needs_a_logged_in_staff_member(bot):
    case = await file_case(bot)
    one = f"/api/cases/{case.case_no}"
    for method, path in [("GET", "/api/cases"), ("GET", one), ("POST", f"{one}/transitions"), ("POST", f"{one}/flag"),
                         ("POST", f"{one}/assign"), ("POST", f"{one}/approval"), ("GET", f"/api/orders/{ORDER}")]:
        response = await bot.client.request(method, path, json={})
        assert response.status == 401, path
        response = await bot.client.request(method, path, json={}, headers={"Authorization": "Bearer forged"})
        assert response.status == 401, path


async def test_approvals_are_for_supervisors_and_admins_only(bot, staff):
    case = await file_case(bot, "refund", BIG)
    body = {"amount_fen": 699900, "reason": "大额退款，主管批准"}
    response = await bot.client.post(f"/api/cases/{case.case_no}/approval", json=body, headers=staff["amy"][1])
    assert response.status == 403
    for name in ("sam", "ada"):
        response = await bot.client.post(f"/api/cases/{case.case_no}/approval", json=body, headers=staff[name][1])
        assert response.status == 200
    assert (await response.json())["approved_fen"] == 699900


async def test_a_session_cookie_works_with_its_csrf_token(bot):
    await create_agent("cat", "agent", "secret-pass-123")
    case = await file_case(bot)
    login = await bot.client.post("/api/agent/login", json={"name": "cat", "password": "secret-pass-123"})
    csrf = (await login.json())["csrf_token"]
    assert (await bot.client.get("/api/cases")).status == 200
    assert (await bot.client.post(f"/api/cases/{case.case_no}/transitions", json={"to": "approved"})).status == 403
    ok = await bot.client.post(f"/api/cases/{case.case_no}/transitions", json={"to": "approved"},
                               headers={"X-CSRF-Token": csrf})
    assert ok.status == 200


async def test_a_return_through_every_step_tells_the_customer_each_time(bot, staff, clock):
    agent, headers = staff["amy"]
    case = await file_case(bot)
    status, body = await move(bot, headers, case.case_no, "approved", reason="符合七天无理由")
    assert status == 200 and body["next_states"] == ["awaiting_return", "rejected", "cancelled"]
    assert body["assignee_id"] == agent.id  # whoever acts on an unowned case owns it
    await move(bot, headers, case.case_no, "awaiting_return")
    instructions = (await told())[-1]
    assert "测试仓 收件人 小王" in instructions and ORDER in instructions and case.case_no in instructions
    assert "姓名和电话" in instructions
    for step in ("received", "inspected"):
        assert (await move(bot, headers, case.case_no, step))[0] == 200
    await clock.advance(3600)
    status, body = await move(bot, headers, case.case_no, "resolved", outcome="refunded", refund_method="alipay",
                              amount_fen=5900)
    assert status == 200 and body["state"] == "resolved" and body["next_states"] == []
    notices = await told()
    assert len(notices) == 5 and "59.00元" in notices[-1] and "支付宝" in notices[-1]
    case = await AfterSalesCase.get(id=case.id)
    assert case.open_key is None and case.resolved_at == clock.now()
    assert case.satisfaction_due_at == clock.now() + timedelta(hours=72)  # the follow-up, recorded on resolve
    assert (await Order.get(order_no=ORDER)).refunded_fen == 5900
    events = [(e.action, e.from_state, e.to_state, e.actor)
              for e in await CaseEvent.filter(case_id=case.id).order_by("id")]
    assert events[0] == ("filed", None, "requested", f"customer:{case.customer_id}")
    assert [e[2] for e in events[1:]] == ["approved", "awaiting_return", "received", "inspected", "resolved"]
    assert all(e[3] == f"agent:{agent.id}" for e in events[1:])
    assert body["events"][1]["reason"] == "符合七天无理由"


async def test_a_step_that_is_not_allowed_is_refused_with_the_allowed_ones(bot, staff):
    case = await file_case(bot)
    status, body = await move(bot, staff["amy"][1], case.case_no, "received")
    assert status == 409 and body["error"]["code"] == "not_allowed"
    assert body["error"]["allowed"] == ["approved", "rejected", "cancelled"]
    assert (await AfterSalesCase.get(id=case.id)).state == "requested"
    assert await told() == []


async def test_a_retried_transition_is_a_no_op(bot, staff):
    case = await file_case(bot)
    for _ in range(2):
        assert (await move(bot, staff["amy"][1], case.case_no, "approved"))[0] == 200
    assert await CaseEvent.filter(case_id=case.id, action="transition").count() == 1
    assert len(await told()) == 1


async def test_a_rejection_tells_the_customer_why(bot, staff):
    case = await file_case(bot)
    status, body = await move(bot, staff["amy"][1], case.case_no, "rejected")
    assert status == 400 and body["error"]["code"] == "reason_required"
    status, _ = await move(bot, staff["amy"][1], case.case_no, "rejected", reason="商品已超过七天退货期")
    assert status == 200 and "商品已超过七天退货期" in (await told())[-1]


async def test_a_refund_above_the_limit_needs_a_supervisor(bot, staff):
    case = await file_case(bot, "refund", BIG)
    await move(bot, staff["amy"][1], case.case_no, "approved")
    refund = {"outcome": "refunded", "refund_method": "original", "amount_fen": 699900}
    status, body = await move(bot, staff["amy"][1], case.case_no, "resolved", **refund)
    assert status == 403 and body["error"]["code"] == "supervisor_approval_required"
    approval = await bot.client.post(f"/api/cases/{case.case_no}/approval", headers=staff["sam"][1],
                                     json={"amount_fen": 699900, "reason": "质量问题，同意全额退款"})
    assert approval.status == 200
    status, body = await move(bot, staff["amy"][1], case.case_no, "resolved", **refund)
    assert status == 200 and body["amount_fen"] == 699900
    assert [e["action"] for e in body["events"]] == ["filed", "transition", "approve", "transition"]


async def test_a_supervisor_may_refund_above_the_limit_directly_but_not_more_than_paid(bot, staff):
    case = await file_case(bot, "refund", BIG)
    await move(bot, staff["sam"][1], case.case_no, "approved")
    status, body = await move(bot, staff["sam"][1], case.case_no, "resolved", outcome="refunded",
                              refund_method="balance", amount_fen=700000)
    assert status == 400 and body["error"]["code"] == "amount_over_order"
    status, _ = await move(bot, staff["sam"][1], case.case_no, "resolved", outcome="refunded",
                           refund_method="balance", amount_fen=699900)
    assert status == 200


async def test_a_flagged_damage_is_resolved_without_a_return(bot, staff):
    case = await file_case(bot, "damaged")
    headers = staff["amy"][1]
    await move(bot, headers, case.case_no, "approved")
    status, body = await move(bot, headers, case.case_no, "resolved", outcome="reshipped")
    assert status == 409 and "resolved" not in body["error"]["allowed"]
    async with bot.runtime.store.subscribe("after_sales.review") as reviews:
        flagged = await bot.client.post(f"/api/cases/{case.case_no}/flag", headers=headers,
                                        json={"reason": "照片显示运输压坏，非人为"})
        assert flagged.status == 200 and (await flagged.json())["immediate_review"] is True
        assert (await anext(reviews))["case_no"] == case.case_no  # reported up at once
    status, body = await move(bot, headers, case.case_no, "resolved", outcome="reshipped")
    assert status == 200 and "补发" in (await told())[-1]


async def test_agents_take_cases_themselves_supervisors_assign_anyone(bot, staff):
    case = await file_case(bot)
    amy, ann, sam = staff["amy"], staff["ann"], staff["sam"]
    path = f"/api/cases/{case.case_no}/assign"
    assert (await bot.client.post(path, json={"agent_id": ann[0].id}, headers=amy[1])).status == 403
    assert (await bot.client.post(path, json={"agent_id": amy[0].id}, headers=amy[1])).status == 200
    assert (await bot.client.post(path, json={"agent_id": None}, headers=ann[1])).status == 403
    response = await bot.client.post(path, json={"agent_id": ann[0].id}, headers=sam[1])
    assert response.status == 200 and (await response.json())["assignee_id"] == ann[0].id
    mine = await (await bot.client.get("/api/cases?assignee=me", headers=ann[1])).json()
    assert [c["case_no"] for c in mine["cases"]] == [case.case_no]


async def test_listing_filters_and_the_order_view(bot, staff):
    headers = staff["amy"][1]
    returned, missing = await file_case(bot), await file_case(bot, "missing")
    await move(bot, headers, missing.case_no, "cancelled")
    listed = await (await bot.client.get("/api/cases?state=open", headers=headers)).json()
    assert [c["case_no"] for c in listed["cases"]] == [returned.case_no]
    assert (await bot.client.get("/api/cases?state=nonsense", headers=headers)).status == 400
    order = await (await bot.client.get(f"/api/orders/{ORDER}", headers=headers)).json()
    assert order["total_fen"] == 5900 and [c["kind"] for c in order["cases"]] == ["return", "missing"]
    assert (await bot.client.get("/api/cases/AS20990101-0001", headers=headers)).status == 404


async def test_the_openapi_document_has_the_after_sales_paths(bot):
    document = await (await bot.client.get("/api/openapi.json")).json()
    for path in ("/api/cases", "/api/cases/{case_no}", "/api/cases/{case_no}/transitions",
                 "/api/cases/{case_no}/flag", "/api/cases/{case_no}/assign", "/api/cases/{case_no}/approval",
                 "/api/orders/{order_no}", "/api/after-sales/photos"):
        assert path in document["paths"], path
    transition = document["paths"]["/api/cases/{case_no}/transitions"]["post"]
    assert "409" in transition["responses"]
    body_ref = transition["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    body_schema = document["components"]["schemas"][body_ref.rsplit("/", 1)[1]]
    assert set(body_schema["properties"]["to"]["enum"]) >= {
        "approved", "awaiting_return", "received", "inspected", "resolved", "rejected", "cancelled"}
