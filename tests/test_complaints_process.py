"""The six steps over real HTTP (docs/rules.md R-COMPLAINT-5..7, R-COMPLAINT-11): each action allowed
to its role and refused to the others, a customer's "no" back to approval, "does not stand" closing
with a reason, the overdue step going one role up on the fake clock, and the feedback task."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.clock import FakeClock
from bot.web.auth import create_agent, issue_api_token
from handlers.complaints.desk import COMPLAINTS, Draft
from models.complaint import Complaint, ComplaintStep, ComplaintTask
from models.conversation import Conversation
from models.customer import Customer
from models.message import Message

ROLES = ("agent", "supervisor", "admin", "product")


@pytest.fixture
def bot_ticker() -> bool:
    return False


@pytest.fixture
async def staff(bot):
    """One staff member of each role: (agent row, bearer headers)."""
    people = {}
    for role in ROLES:
        agent = await create_agent(f"{role}-1", role, "secret-pass-123")
        people[role] = (agent, {"Authorization": f"Bearer {await issue_api_token(agent)}"})
    return people


async def new_complaint(bot, clock: FakeClock, staff, category: str = "other", **fields) -> Complaint:
    customer = await Customer.create(channel="webchat", external_id=f"c{clock.time()}", created_at=clock.now())
    owner = staff["agent"][0].id
    complaint, created = await bot.runtime.services[COMPLAINTS].register(Draft(
        customer_id=customer.id, channel="webchat", actor="test", content="东西和描述不一样", category=category,
        owner_id=owner, **fields))
    assert created
    return complaint


async def act(bot, staff, role: str, number: str, **body):
    return await bot.client.post(f"/api/complaints/{number}/actions", json=body, headers=staff[role][1])


STEP_PATH = [  # (action body, role who may, roles refused, step after)
    ({"action": "accept"}, "agent", ("product",), "judge"),
    ({"action": "judge", "stands": True, "category": "service"}, "supervisor", ("agent", "product"), "investigate"),
    ({"action": "investigate", "cause": "客服回复不及时"}, "supervisor", ("agent", "product"), "approve"),
    ({"action": "approve", "approved": True, "solution": "赠送优惠券并致歉"}, "supervisor", ("agent", "product"),
     "handle"),
    ({"action": "handle", "accepted": True}, "agent", ("product",), "review"),
    ({"action": "review", "note": "加强客服响应培训"}, "supervisor", ("agent", "product"), "closed"),
]


async def test_each_step_is_taken_by_its_role_and_refused_to_others(bot, clock, staff):
    complaint = await new_complaint(bot, clock, staff)
    for body, allowed, refused, after in STEP_PATH:
        for role in refused:
            response = await act(bot, staff, role, complaint.number, **body)
            assert response.status in (403, 404), (body, role, response.status)
        response = await act(bot, staff, allowed, complaint.number, **body)
        assert response.status == 200, (body, allowed, await response.text())
        detail = await response.json()
        assert detail["step"] == after
        wrong_step = await act(bot, staff, "admin", complaint.number, **body)
        assert wrong_step.status == 409 and (await wrong_step.json())["error"]["code"] == "wrong_step"
    await complaint.refresh_from_db()
    assert complaint.closed_at is not None and complaint.resolved_at is not None and complaint.open_key is None
    steps = await ComplaintStep.filter(complaint=complaint).order_by("id")
    assert [s.to_step for s in steps] == ["register", "judge", "investigate", "approve", "handle", "review", "closed"]
    assert steps[2].actor == f"agent:{staff['supervisor'][0].id}"


async def test_a_product_problem_is_investigated_by_the_product_owner_only(bot, clock, staff):
    complaint = await new_complaint(bot, clock, staff, category="product")
    await act(bot, staff, "agent", complaint.number, action="accept")
    await act(bot, staff, "supervisor", complaint.number, action="judge", stands=True)
    refused = await act(bot, staff, "supervisor", complaint.number, action="investigate", cause="材料批次问题")
    assert refused.status == 403 and (await refused.json())["error"]["code"] == "not_allowed"
    product_view = await bot.client.get(f"/api/complaints/{complaint.number}", headers=staff["product"][1])
    assert (await product_view.json())["actions"] == ["investigate"]
    done = await act(bot, staff, "product", complaint.number, action="investigate", cause="材料批次问题")
    assert (await done.json())["step"] == "approve"
    assert (await act(bot, staff, "product", complaint.number, action="approve", approved=True,
                      solution="换新")).status == 403


async def test_the_customers_no_goes_back_to_approval_and_a_rejected_plan_back_to_investigation(bot, clock, staff):
    complaint = await new_complaint(bot, clock, staff)
    await act(bot, staff, "agent", complaint.number, action="accept")
    await act(bot, staff, "supervisor", complaint.number, action="judge", stands=True)
    await act(bot, staff, "supervisor", complaint.number, action="investigate", cause="发货前未检查")
    back = await act(bot, staff, "supervisor", complaint.number, action="approve", approved=False, note="方案不够")
    assert (await back.json())["step"] == "investigate"
    await act(bot, staff, "supervisor", complaint.number, action="investigate", cause="发货前未检查")
    no_solution = await act(bot, staff, "supervisor", complaint.number, action="approve", approved=True)
    assert no_solution.status == 409
    await act(bot, staff, "supervisor", complaint.number, action="approve", approved=True, solution="补发并补偿10元")
    refused = await act(bot, staff, "agent", complaint.number, action="handle", accepted=False, note="顾客嫌少")
    assert (await refused.json())["step"] == "approve"
    assert await ComplaintTask.filter(complaint_id=complaint.id).count() == 0  # not resolved yet


async def test_a_complaint_that_does_not_stand_closes_with_a_reason_and_the_customer_is_told(bot, clock, staff):
    await bot.post_chat({"user_id": "carol", "text": "你好"})
    customer = await Customer.get(external_id="carol")
    conversation = await Conversation.get(customer=customer)
    complaint, _ = await bot.runtime.services[COMPLAINTS].register(Draft(
        customer_id=customer.id, channel="webchat", actor="test", content="说好的赠品没有",
        conversation_id=conversation.id, owner_id=staff["agent"][0].id))
    await act(bot, staff, "agent", complaint.number, action="accept")
    no_reason = await act(bot, staff, "supervisor", complaint.number, action="judge", stands=False)
    assert no_reason.status == 409
    closed = await act(bot, staff, "supervisor", complaint.number, action="judge", stands=False,
                       note="活动页写明赠品限前100名")
    body = await closed.json()
    assert body["step"] == "closed" and body["close_reason"] == "活动页写明赠品限前100名"
    told = await Message.filter(conversation_id=conversation.id, direction="out").values_list("text", flat=True)
    assert any(complaint.number in text and "核实" in text for text in told)
    assert not any("前100名" in text for text in told)  # the internal reason stays inside


async def test_an_overdue_step_goes_one_role_up_and_the_console_sees_it(bot, clock, staff):
    desk = bot.runtime.services[COMPLAINTS]
    complaint = await new_complaint(bot, clock, staff)
    assert complaint.step == "register"
    await clock.advance(timedelta(hours=desk.settings.register_h) + timedelta(seconds=1))
    await bot.runtime.scheduler.run_due()
    await complaint.refresh_from_db()
    assert complaint.escalated_to == "supervisor"
    listed = await bot.client.get("/api/complaints?open=true", headers=staff["supervisor"][1])
    assert [row["escalated_to"] for row in await listed.json()] == ["supervisor"]
    await clock.advance(timedelta(hours=desk.settings.register_h) + timedelta(seconds=1))
    await bot.runtime.scheduler.run_due()
    await complaint.refresh_from_db()
    assert complaint.escalated_to == "admin"
    escalations = await ComplaintStep.filter(complaint=complaint, action="escalate").values_list("note", flat=True)
    assert escalations == ["register overdue: agent → supervisor", "register overdue: supervisor → admin"]
    await act(bot, staff, "agent", complaint.number, action="accept")  # acting clears the escalation
    await complaint.refresh_from_db()
    assert complaint.escalated_to is None and complaint.step == "judge"
    await clock.advance(timedelta(hours=desk.settings.register_h) + timedelta(seconds=1))
    await bot.runtime.scheduler.run_due()
    await complaint.refresh_from_db()
    assert complaint.escalated_to is None  # the old step's deadline no longer counts


async def test_resolution_opens_the_24h_feedback_task_which_tells_the_customer(bot, clock, staff):
    complaint = await new_complaint(bot, clock, staff)
    for body, role, _, _ in STEP_PATH[:5]:
        assert (await act(bot, staff, role, complaint.number, **body)).status == 200
    [task] = await ComplaintTask.filter(complaint_id=complaint.id)
    assert task.kind == "feedback" and task.due_at == clock.now() + timedelta(hours=24) and task.done_at is None
    listed = await bot.client.get(f"/api/complaints/{complaint.number}", headers=staff["agent"][1])
    assert [(t["kind"], t["done_at"]) for t in (await listed.json())["tasks"]] == [("feedback", None)]
    done = await bot.client.post(f"/api/complaints/{complaint.number}/tasks/feedback", json={"note": "已电话告知"},
                                 headers=staff["agent"][1])
    assert done.status == 200
    assert (await done.json())["tasks"][0]["done_at"] is not None
    missing = await bot.client.post(f"/api/complaints/{complaint.number}/tasks/legal", json={},
                                    headers=staff["supervisor"][1])
    assert missing.status == 409


async def test_step_deadlines_come_back_when_the_store_lost_them(bot, clock, staff):
    desk = bot.runtime.services[COMPLAINTS]
    complaint = await new_complaint(bot, clock, staff)
    await bot.runtime.scheduler.cancel("complaints.overdue", f"{complaint.id}:register")  # as if Redis restarted empty
    [extension] = [e for e in bot.runtime.extensions if e.name == "complaints"]
    await extension.reconcile(bot.runtime.kit, True)
    await clock.advance(timedelta(hours=desk.settings.register_h) + timedelta(seconds=1))
    await bot.runtime.scheduler.run_due()
    assert (await Complaint.get(id=complaint.id)).escalated_to == "supervisor"


async def test_the_endpoints_are_in_the_openapi_document(bot, staff):
    document = await (await bot.client.get("/api/openapi.json", headers=staff["admin"][1])).json()
    paths = {path for path in document["paths"] if path.startswith("/api/complaints")}
    assert paths == {"/api/complaints", "/api/complaints/mark", "/api/complaints/{number}",
                     "/api/complaints/{number}/actions", "/api/complaints/{number}/owner",
                     "/api/complaints/{number}/accused", "/api/complaints/{number}/major",
                     "/api/complaints/{number}/tasks/{kind}"}
    bad = await bot.client.post("/api/complaints/TS202611230001/actions", json={"action": "explode"},
                                headers=staff["admin"][1])
    assert bad.status == 400 and (await bad.json())["error"]["code"] == "invalid_body"
