"""Never to the accused (docs/rules.md R-COMPLAINT-8): a complaint about agent X is not assigned to,
shown to, or searchable by X on any path: API list, detail, search, actions, owner, the marking
endpoint, the CLI (`--as`), the service other areas call, and the hand-over of a leaving agent.
Each path is also shown to work for someone who may see the complaint, so the test can fail."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta

import pytest

from bot import cli
from bot.clock import FakeClock
from bot.reports import ReportQuery
from bot.web.auth import create_agent, issue_api_token
from handlers.complaints.desk import COMPLAINTS, Draft
from handlers.complaints.report import REPORT
from handlers.complaints.service import complaints_of_customers, hand_over
from models.callback import Callback
from models.complaint import Complaint, ComplaintStep
from models.conversation import Conversation
from models.customer import Customer
from tests.fakes.bot_app import make_settings, running_bot, visitor_headers


@pytest.fixture
def bot_ticker() -> bool:
    return False


async def bearer(agent) -> dict[str, str]:
    return {"Authorization": f"Bearer {await issue_api_token(agent)}"}


@pytest.fixture
async def shop(bot, clock: FakeClock):
    """Two supervisors (one of them accused), two agents (one accused), a complaint about each accused."""
    people = {name: await create_agent(name, role, "secret-pass-123")
              for name, role in (("sam", "supervisor"), ("sid", "supervisor"), ("amy", "agent"), ("xia", "agent"))}
    customer = await Customer.create(channel="webchat", external_id="rita", created_at=clock.now())
    desk = bot.runtime.services[COMPLAINTS]
    about_sid, _ = await desk.register(Draft(customer_id=customer.id, channel="webchat", actor="test",
                                             content="主管处理态度敷衍", category="service",
                                             accused_agent_id=people["sid"].id, owner_id=people["sid"].id))
    about_xia, _ = await desk.register(Draft(customer_id=customer.id, channel="webchat", actor="test",
                                             content="客服xia回复敷衍", category="other",
                                             accused_agent_id=people["xia"].id, owner_id=people["amy"].id))
    return people, customer, about_sid, about_xia


async def test_the_accused_is_never_the_owner(shop):
    people, _, about_sid, about_xia = shop
    assert about_sid.owner_id is None  # registered with the accused as owner: nobody instead
    assert about_xia.owner_id == people["amy"].id


async def test_the_api_list_search_and_detail_hide_the_complaint_from_the_accused(bot, shop):
    people, _, about_sid, about_xia = shop
    sam, sid, amy, xia = [await bearer(people[n]) for n in ("sam", "sid", "amy", "xia")]
    numbers = lambda rows: sorted(r["number"] for r in rows)  # noqa: E731
    assert numbers(await (await bot.client.get("/api/complaints", headers=sam)).json()) == sorted(
        [about_sid.number, about_xia.number])
    assert numbers(await (await bot.client.get("/api/complaints", headers=sid)).json()) == [about_xia.number]
    assert numbers(await (await bot.client.get("/api/complaints", headers=amy)).json()) == [about_xia.number]
    assert numbers(await (await bot.client.get("/api/complaints", headers=xia)).json()) == []
    for query in (f"q={about_sid.number}", "q=敷衍", "category=service", "open=true"):
        assert about_sid.number not in numbers(await (await bot.client.get(f"/api/complaints?{query}",
                                                                           headers=sid)).json())
        assert about_sid.number in numbers(await (await bot.client.get(f"/api/complaints?{query}",
                                                                       headers=sam)).json())
    assert (await bot.client.get(f"/api/complaints/{about_sid.number}", headers=sam)).status == 200
    hidden = await bot.client.get(f"/api/complaints/{about_sid.number}", headers=sid)
    assert hidden.status == 404 and (await hidden.json())["error"]["code"] == "not_found"
    assert (await bot.client.get(f"/api/complaints/{about_xia.number}", headers=xia)).status == 404


async def test_the_accused_can_neither_act_on_nor_be_given_the_complaint(bot, shop):
    people, _, about_sid, about_xia = shop
    sam, sid = await bearer(people["sam"]), await bearer(people["sid"])
    for path, body in ((f"/api/complaints/{about_sid.number}/actions", {"action": "accept"}),
                       (f"/api/complaints/{about_sid.number}/major", {"reason": "staff"}),
                       (f"/api/complaints/{about_sid.number}/owner", {"agent_id": people["amy"].id})):
        assert (await bot.client.post(path, json=body, headers=sid)).status == 404, path
    given = await bot.client.post(f"/api/complaints/{about_xia.number}/owner", json={"agent_id": people["xia"].id},
                                  headers=sam)
    assert given.status == 409 and (await given.json())["error"]["code"] == "accused"
    assert (await Complaint.get(id=about_xia.id)).owner_id == people["amy"].id
    naming = await bot.client.post(f"/api/complaints/{about_xia.number}/accused", json={"agent_id": people["amy"].id},
                                   headers=sam)
    assert naming.status == 200 and (await naming.json())["owner_id"] is None  # the owner was the accused
    assert (await bot.client.get(f"/api/complaints/{about_xia.number}", headers=await bearer(people["amy"]))).status \
        == 404


async def test_marking_a_conversation_never_hands_it_to_the_accused(bot, clock, shop):
    people, *_ = shop
    await bot.client.post("/api/webchat/messages", json={"user_id": "tom", "text": "你好"},
                          headers=visitor_headers(bot.runtime, "tom"))
    conversation = await Conversation.get(key="webchat:tom")
    response = await bot.client.post("/api/complaints/mark", headers=await bearer(people["sam"]), json={
        "conversation_id": conversation.id, "accused_agent_id": people["sam"].id, "content": "主管说话太冲"})
    assert response.status == 201
    number = (await response.json())["number"]
    complaint = await Complaint.get(number=number)
    assert complaint.accused_agent_id == people["sam"].id and complaint.owner_id is None
    assert (await bot.client.get(f"/api/complaints/{number}", headers=await bearer(people["sam"]))).status == 404


async def test_marking_a_conversation_the_bot_holds_starts_the_dialogue(bot, shop):
    people, *_ = shop
    await bot.client.post("/api/webchat/messages", json={"user_id": "una", "text": "你好"},
                          headers=visitor_headers(bot.runtime, "una"))
    conversation = await Conversation.get(key="webchat:una")
    response = await bot.client.post("/api/complaints/mark", headers=await bearer(people["sam"]),
                                     json={"conversation_id": conversation.id})
    assert (await response.json()) == {"started": "dialogue", "number": None}
    reply = await bot.client.post("/api/webchat/messages", json={"user_id": "una", "text": "上次买的鞋子开胶了"},
                                  headers=visitor_headers(bot.runtime, "una"))
    assert "订单" in "\n".join((await reply.json())["replies"])  # the dialogue asks for the next piece
    missing = await bot.client.post("/api/complaints/mark", headers=await bearer(people["amy"]),
                                    json={"conversation_id": conversation.id})
    assert missing.status == 404  # an agent marks only conversations they hold


async def test_other_areas_get_complaints_as_the_viewer_may_see_them(bot, shop):
    people, customer, about_sid, about_xia = shop
    seen_by = {name: sorted(row["number"] for row in await complaints_of_customers([customer.id], people[name]))
               for name in people}
    assert seen_by == {"sam": sorted([about_sid.number, about_xia.number]), "sid": [about_xia.number],
                       "amy": [about_xia.number], "xia": []}


async def test_a_leaving_agent_hands_complaints_over_but_never_to_the_accused(bot, clock, shop):
    people, _, _, about_xia = shop
    assert await hand_over(people["amy"].id, people["xia"].id, clock.now()) == 1
    assert (await Complaint.get(id=about_xia.id)).owner_id is None
    await Complaint.filter(id=about_xia.id).update(owner_id=people["amy"].id)
    assert await hand_over(people["amy"].id, people["sam"].id, clock.now()) == 1
    assert (await Complaint.get(id=about_xia.id)).owner_id == people["sam"].id


async def test_the_archive_shows_the_complaint_history_to_staff_but_never_a_complaint_about_the_reader(bot, shop):
    people, customer, about_sid, about_xia = shop
    sam, sid = await bearer(people["sam"]), await bearer(people["sid"])
    person = (await (await bot.client.get(f"/api/archive/customers/{customer.id}", headers=sam)).json())["person_id"]

    async def history(headers: dict[str, str]) -> list[str]:
        archive = await (await bot.client.get(f"/api/archive/{person}?parts=complaints", headers=headers)).json()
        [part] = [p for p in archive["parts"] if p["name"] == "complaints"]
        return sorted(row["number"] for row in part["rows"])

    assert await history(sam) == sorted([about_sid.number, about_xia.number])
    assert await history(sid) == [about_xia.number]  # the complaint about sid is not in sid's view


async def test_the_callback_of_a_complaint_is_not_shown_to_the_accused_either(bot, clock, shop):
    people, customer, about_sid, about_xia = shop
    for complaint in (about_sid, about_xia):
        await Callback.create(customer_id=customer.id, kind="complaint", source_key=f"complaint:{complaint.number}",
                              subject=complaint.number, due_at=clock.now(), deadline_at=clock.now(),
                              created_at=clock.now())
    sam, sid = await bearer(people["sam"]), await bearer(people["sid"])
    person = (await (await bot.client.get(f"/api/archive/customers/{customer.id}", headers=sam)).json())["person_id"]

    async def callbacks(headers: dict[str, str]) -> list[str]:
        archive = await (await bot.client.get(f"/api/archive/{person}?parts=callbacks", headers=headers)).json()
        [part] = [p for p in archive["parts"] if p["name"] == "callbacks"]
        return sorted(row["subject"] for row in part["rows"])

    assert await callbacks(sam) == sorted([about_sid.number, about_xia.number])
    assert await callbacks(sid) == [about_xia.number]


async def test_complaints_per_agent_are_reported_to_admins_only(bot, shop):
    people, *_ = shop
    admin = await bearer(await create_agent("ada", "admin", "secret-pass-123"))
    by_supervisor = await (await bot.client.get("/api/reports", headers=await bearer(people["sid"]))).json()
    by_admin = await (await bot.client.get("/api/reports", headers=admin)).json()
    assert "complaint_service_agents" not in {r["name"] for r in by_supervisor["reports"]}
    assert "complaint_service_agents" in {r["name"] for r in by_admin["reports"]}
    refused = await bot.client.get("/api/reports/complaint_service_agents", headers=await bearer(people["sid"]))
    assert refused.status == 404


async def test_a_leaving_agents_complaints_move_with_the_rest_of_the_hand_over(bot, clock, shop):
    people, _, _, about_xia = shop
    sam = await bearer(people["sam"])
    await clock.advance(timedelta(days=40, minutes=7))  # far from the machine's own clock
    response = await bot.client.post("/api/staff/amy/leave", json={"to": "sam"}, headers=sam)
    assert response.status == 200, await response.text()
    assert (await Complaint.get(id=about_xia.id)).owner_id == people["sam"].id
    step = await ComplaintStep.get(complaint_id=about_xia.id, action="handover")
    assert step.at == clock.now() == datetime.fromisoformat((await response.json())["at"])  # the runtime's clock


async def test_the_statistics_report_counts_only(bot, clock, shop):
    table = await REPORT.build(bot.runtime, ReportQuery(start=clock.now().replace(hour=0), end=clock.now().replace(
        hour=23), bucket="month"))
    assert table.totals["count"] == 2
    assert {row["category"] for row in table.rows} == {"服务", "其他"}
    assert all(set(row) == {"period", "category", "cause", "count", "major", "closed"} for row in table.rows)


@pytest.mark.timeout(240)  # six commands, each opening the whole runtime as `csbot` does
def test_the_cli_answers_as_the_named_staff_member(tmp_path, clock, monkeypatch, capsys):
    async def seed() -> None:
        async with running_bot(make_settings(tmp_path), clock=clock) as running:
            accused = await create_agent("kai", "agent", "secret-pass-123")
            await create_agent("sol", "supervisor", "secret-pass-123")
            customer = await Customer.create(channel="webchat", external_id="vic", created_at=clock.now())
            await running.runtime.services[COMPLAINTS].register(Draft(
                customer_id=customer.id, channel="webchat", actor="test", content="客服kai态度差", category="service",
                accused_agent_id=accused.id))

    asyncio.run(seed())
    monkeypatch.chdir(tmp_path)  # no developer's .env
    monkeypatch.setenv("DATABASE_URL", f"sqlite://{tmp_path / 'bot.sqlite3'}")

    def run(*args: str) -> tuple[int, str, str]:
        status = cli.main(["complaints", *args])
        out, err = capsys.readouterr()
        return status, out, err

    status, out, err = run("list", "--json")
    assert status == 0, err
    [row] = [json.loads(line) for line in out.splitlines()]
    assert row["number"].startswith("TS") and "客服" not in out  # no customer words
    status, out, _ = run("list", "--open", "--json", "--as", "sol")
    assert [json.loads(line)["number"] for line in out.splitlines()] == [row["number"]]
    status, out, _ = run("list", "--json", "--as", "kai")
    assert status == 0 and out == ""
    status, out, _ = run("show", row["number"], "--as", "sol")
    assert status == 0 and row["number"] in out and "register" in out
    status, out, _ = run("show", row["number"], "--as", "kai")
    assert status == 1 and out == ""
    status, _, err = run("list", "--as", "nobody")
    assert status == 2 and "nobody" in err
