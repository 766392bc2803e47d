"""Handing conversations to people, and the 15 s / 20 s promise kept while they hold them.

Everything runs on the real app over HTTP with a FakeClock: no test waits real seconds.
"""

from __future__ import annotations

import pytest

from bot.clock import FakeClock
from bot.web.auth import create_agent, issue_api_token
from handlers.handoff.service import HANDOFF
from models.agent import Agent
from models.conversation import Conversation
from models.customer import Customer
from models.handoff import HandoverNote, LeftMessage, SlaEvent
from models.message import Message
from tests.fakes.bot_app import make_settings, running_bot, visitor_headers

ALWAYS_OPEN = "00:00-24:00"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def bot_settings():
    return {"staffed_hours": ALWAYS_OPEN, "sla_first_response_s": 15, "sla_reply_s": 20, "sla_hold_margin_s": 5,
            "sla_max_holding_messages": 2, "sla_misses_before_reassign": 2}


async def say(bot, user: str, text: str) -> list[str]:
    response = await bot.client.post("/api/webchat/messages", json={"user_id": user, "text": text},
                                      headers=visitor_headers(bot.runtime, user))
    assert response.status == 200, await response.text()
    return (await response.json())["replies"]


async def staff(bot, name: str, role: str = "agent", capacity: int = 5, online: bool = True) -> dict:
    agent = await create_agent(name, role, "secret-pass-123", capacity=capacity)
    headers = {"Authorization": f"Bearer {await issue_api_token(agent)}"}
    if online:
        response = await bot.client.post("/api/agent/presence", json={"presence": "online"}, headers=headers)
        assert response.status == 200
    return headers


async def tick(bot, clock: FakeClock, seconds: float) -> None:
    """Move time and let every deadline that fell due be acted on."""
    await clock.advance(seconds)
    await bot.runtime.scheduler.run_due()


async def conversation(user: str) -> Conversation:
    return await Conversation.get(key=f"webchat:{user}")


async def texts_to(user: str, author: str | None = None) -> list[str]:
    query = Message.filter(conversation__key=f"webchat:{user}", direction="out")
    if author:
        query = query.filter(author=author)
    return list(await query.order_by("id").values_list("text", flat=True))


async def events(user: str) -> list[str]:
    query = SlaEvent.filter(conversation__key=f"webchat:{user}").order_by("id")
    return list(await query.values_list("kind", flat=True))


# --- escalation and routing ---


async def test_no_agent_online_queues_with_position_and_wait(bot):
    replies = await say(bot, "c1", "转人工")
    assert "第1位" in replies[-1] and "分钟" in replies[-1]
    second = await say(bot, "c2", "我要人工客服")
    assert "第2位" in second[-1]
    assert (await conversation("c1")).status == "queued"
    assert (await conversation("c1")).escalation_reason == "human_requested"


async def test_agent_coming_online_takes_the_queue_and_the_customer_reaches_them(bot):
    await say(bot, "c1", "转人工")
    amy = await staff(bot, "amy")
    held = await conversation("c1")
    assert held.status == "handoff" and held.assignee_id == (await Agent.get(name="amy")).id
    replies = await say(bot, "c1", "我的快递丢了")
    assert replies == []  # the bot stays quiet while a person holds the conversation
    listing = await (await bot.client.get("/api/agent/conversations", headers=amy)).json()
    assert [c["conversation_id"] for c in listing["conversations"]] == [held.id]
    assert listing["conversations"][0]["sla"]["kind"] == "reply"


async def test_vip_first_then_first_come(bot):
    await say(bot, "early", "转人工")
    await say(bot, "later", "转人工")
    vip = await Customer.create(channel="webchat", external_id="vip", is_vip=True, created_at=bot.runtime.clock.now())
    assert vip.is_vip
    await say(bot, "vip", "你好")  # a VIP goes to a person at once
    assert (await conversation("vip")).escalation_reason == "vip"
    headers = await staff(bot, "amy", online=False)
    queue = await (await bot.client.get("/api/agent/queue", headers=headers)).json()
    order = [item["conversation_id"] for item in queue["queue"]]
    assert order == [(await conversation(u)).id for u in ("vip", "early", "later")]


async def test_least_loaded_agent_under_capacity(bot):
    await staff(bot, "amy", capacity=1)
    await staff(bot, "bob", capacity=1)
    for user in ("c1", "c2", "c3"):
        await say(bot, user, "转人工")
    assignees = [(await conversation(u)).assignee_id for u in ("c1", "c2", "c3")]
    assert sorted(a for a in assignees[:2]) == sorted([(await Agent.get(name=n)).id for n in ("amy", "bob")])
    assert assignees[2] is None and (await conversation("c3")).status == "queued"


async def test_returning_customer_goes_back_to_their_last_agent(bot):
    amy = await staff(bot, "amy")
    await staff(bot, "bob")
    await say(bot, "c1", "转人工")
    first = await conversation("c1")
    holder = await Agent.get(id=first.assignee_id)
    headers = amy if holder.name == "amy" else None
    if headers is None:  # ensure the holder is known for the API call
        headers = {"Authorization": f"Bearer {await issue_api_token(holder)}"}
    await bot.client.post(f"/api/agent/conversations/{first.id}/messages", json={"text": "亲，您好"}, headers=headers)
    await bot.client.post(f"/api/agent/conversations/{first.id}/hand-back", headers=headers)
    for user in ("x1", "x2"):  # load the holder more than the other agent
        await say(bot, user, "转人工")
    await say(bot, "c1", "转人工")
    assert (await conversation("c1")).assignee_id == holder.id


async def test_two_concurrent_assigners_never_double_assign(bot):
    import asyncio

    await staff(bot, "amy", capacity=2)
    await staff(bot, "bob", capacity=1)
    service = bot.runtime.services[HANDOFF]
    await Agent.filter().update(presence="offline")
    for user in ("c1", "c2", "c3", "c4"):
        await say(bot, user, "转人工")
    await Agent.filter().update(presence="online")
    await asyncio.gather(*(service.assign_waiting() for _ in range(4)))
    held = await Conversation.filter(status="handoff").values_list("assignee_id", flat=True)
    loads = {name: held.count((await Agent.get(name=name)).id) for name in ("amy", "bob")}
    assert loads == {"amy": 2, "bob": 1}
    assert await SlaEvent.filter(kind="assigned").count() == 3


# --- the clock ---


async def test_system_greets_when_the_agent_does_not_within_first_response(bot, clock):
    await staff(bot, "amy")
    await say(bot, "c1", "转人工")
    await tick(bot, clock, 9.9)
    assert await texts_to("c1", "system") == []
    await tick(bot, clock, 0.2)
    assert any("amy" in text for text in await texts_to("c1", "system"))
    event = await SlaEvent.get(kind="auto_greeting")
    assert event.within is True and event.waited_s <= 15
    held = await conversation("c1")
    assert (event.due_at - held.assigned_at).total_seconds() == 15


async def test_agent_greeting_in_time_stops_the_auto_greeting(bot, clock):
    amy = await staff(bot, "amy")
    await say(bot, "c1", "转人工")
    held = await conversation("c1")
    await tick(bot, clock, 3)
    response = await bot.client.post(f"/api/agent/conversations/{held.id}/messages", json={"text": "亲，您好"},
                                     headers=amy)
    assert response.status == 200
    await tick(bot, clock, 30)
    assert await texts_to("c1", "system") == []
    greeting = await SlaEvent.get(kind="greeting_sent")
    assert greeting.within is True and greeting.waited_s == pytest.approx(3)


async def test_holding_message_before_the_deadline_then_reassignment(bot, clock):
    await staff(bot, "amy")
    await say(bot, "c1", "转人工")
    first_holder = (await conversation("c1")).assignee_id
    await staff(bot, "bob")
    await tick(bot, clock, 11)  # auto greeting
    await say(bot, "c1", "在吗？")
    await tick(bot, clock, 14.9)
    assert not any("正在为您查询" in t for t in await texts_to("c1", "system"))
    await tick(bot, clock, 0.2)  # 15.1 s after the message: holding message, 5 s before the deadline
    assert any("正在为您查询" in t for t in await texts_to("c1", "system"))
    assert "near_breach" in await events("c1") and "breach" not in await events("c1")
    holding = await SlaEvent.get(kind="holding_message")
    assert holding.at < holding.due_at and (holding.due_at - holding.at).total_seconds() <= 5
    await tick(bot, clock, 15.1)  # second miss in a row: reassigned, never back to the same agent
    held = await conversation("c1")
    assert held.assignee_id not in (None, first_holder)
    assert first_holder in held.lapsed_agents
    assert "reassigned" in await events("c1")
    assert "breach" not in await events("c1")
    walked_away = await Agent.get(id=first_holder)
    assert walked_away.presence == "away"  # no new customer goes to an agent who is not at the console
    await say(bot, "c2", "转人工")
    assert (await conversation("c2")).assignee_id != first_holder


async def test_breach_when_no_holding_message_may_be_sent(tmp_path, clock):
    settings = make_settings(tmp_path, staffed_hours=ALWAYS_OPEN, sla_max_holding_messages=0,
                             sla_misses_before_reassign=5)
    async with running_bot(settings, clock=clock) as bot:
        await staff(bot, "amy")
        await say(bot, "c1", "转人工")
        await tick(bot, clock, 11)
        await say(bot, "c1", "人呢")
        await tick(bot, clock, 15.1)
        assert "reassigned" in await events("c1")  # rationed out: reassigned instead of a holding message
        assert (await conversation("c1")).status == "queued"  # amy lapsed and nobody else is online


async def test_agent_going_offline_hands_conversations_on(bot):
    amy = await staff(bot, "amy")
    await say(bot, "c1", "转人工")
    await staff(bot, "bob")
    response = await bot.client.post("/api/agent/presence", json={"presence": "offline"}, headers=amy)
    assert response.status == 200
    assert (await conversation("c1")).assignee_id == (await Agent.get(name="bob")).id


# --- the console API ---


async def test_forbidden_language_warns_then_sends_when_confirmed(bot):
    amy = await staff(bot, "amy")
    await say(bot, "c1", "转人工")
    held = await conversation("c1")
    url = f"/api/agent/conversations/{held.id}/messages"
    warned = await bot.client.post(url, json={"text": "这个我不知道"}, headers=amy)
    assert warned.status == 409 and (await warned.json())["phrases"] == ["不知道"]
    assert "这个我不知道" not in await texts_to("c1")
    sent = await bot.client.post(url, json={"text": "这个我不知道", "confirm": True}, headers=amy)
    assert sent.status == 200 and "这个我不知道" in await texts_to("c1")


async def test_long_agent_message_is_split(bot):
    amy = await staff(bot, "amy")
    await say(bot, "c1", "转人工")
    held = await conversation("c1")
    text = "亲，您的问题我们已经记录并转交仓库核实。" * 120
    sent = await bot.client.post(f"/api/agent/conversations/{held.id}/messages", json={"text": text}, headers=amy)
    parts = (await sent.json())["sent"]
    assert len(parts) > 1 and all(len(p.encode()) <= 2000 for p in parts) and "".join(parts) == text


async def test_agent_cannot_read_a_conversation_held_by_someone_else(bot):
    await staff(bot, "amy", capacity=1)
    await say(bot, "c1", "转人工")
    bob = await staff(bot, "bob")
    held = await conversation("c1")
    response = await bot.client.get(f"/api/agent/conversations/{held.id}", headers=bob)
    assert response.status == 403
    sup = await staff(bot, "sue", role="supervisor", online=False)
    assert (await bot.client.get(f"/api/agent/conversations/{held.id}", headers=sup)).status == 200


async def test_history_includes_the_bots_part_and_masks_the_phone(bot):
    await say(bot, "c1", "什么时候发货")
    await Customer.filter(external_id="c1").update(phone="13812345678")
    amy = await staff(bot, "amy")
    await say(bot, "c1", "转人工")
    held = await conversation("c1")
    detail = await (await bot.client.get(f"/api/agent/conversations/{held.id}", headers=amy)).json()
    authors = [m["author"] for m in detail["messages"]]
    assert authors[:2] == ["customer", "bot"] and "48小时" in detail["messages"][1]["text"]
    assert detail["conversation"]["customer"]["phone_masked"] == "138****5678"
    assert "13812345678" not in str(detail)


async def test_hand_back_and_transfer_with_note(bot):
    amy = await staff(bot, "amy")
    await say(bot, "c1", "转人工")
    held = await conversation("c1")
    await staff(bot, "sue", role="supervisor")
    moved = await bot.client.post(f"/api/agent/conversations/{held.id}/transfer",
                                  json={"to_supervisor": True, "note": "客户要求补偿，待主管审批"}, headers=amy)
    assert moved.status == 200
    assert (await conversation("c1")).assignee_id == (await Agent.get(name="sue")).id
    assert (await HandoverNote.get(conversation_id=held.id)).pending == "客户要求补偿，待主管审批"
    sue = {"Authorization": f"Bearer {await issue_api_token(await Agent.get(name='sue'))}"}
    back = await bot.client.post(f"/api/agent/conversations/{held.id}/hand-back", headers=sue)
    assert back.status == 200 and (await conversation("c1")).status == "bot"
    replies = await say(bot, "c1", "什么时候发货")
    assert any("48小时" in r for r in replies)


async def test_outside_staffed_hours_no_promise_and_a_message_is_taken(tmp_path, clock):
    settings = make_settings(tmp_path, staffed_hours="18:30-24:00")  # FakeClock starts at 10:00 Shanghai
    async with running_bot(settings, clock=clock) as bot:
        await staff(bot, "amy")
        replies = await say(bot, "c1", "转人工")
        assert "非工作时间" in replies[-1] and "18:30" in replies[-1]
        assert (await conversation("c1")).status == "bot"
        taken = await say(bot, "c1", "我的包裹破了，电话13800000000")
        assert "留言已记录" in taken[-1]
        left = await LeftMessage.get()
        assert "包裹破了" in left.text and left.promised_by > bot.runtime.clock.now()


async def test_long_queue_wait_offers_to_leave_a_message(bot, clock):
    await say(bot, "c1", "转人工")
    await tick(bot, clock, 121)
    assert any("留言" in t for t in await texts_to("c1", "system"))
    await say(bot, "c1", "麻烦尽快帮我处理退款")
    assert await LeftMessage.filter(conversation__key="webchat:c1").count() == 1
    assert (await conversation("c1")).status == "bot"


async def test_supervisor_view_and_metrics(bot, clock):
    await staff(bot, "amy")
    await say(bot, "c1", "转人工")
    await tick(bot, clock, 11)
    sup = await staff(bot, "sue", role="supervisor", online=False)
    summary = await (await bot.client.get("/api/agent/supervisor", headers=sup)).json()
    assert summary["agents_online"] == 1 and summary["today"]["greeted_within_sla"] == 1
    agent_view = await bot.client.get("/api/agent/supervisor", headers=await staff(bot, "al", online=False))
    assert agent_view.status == 403
    metrics = await (await bot.client.get("/metrics")).text()
    assert 'csbot_sla_events{agent="amy",kind="auto_greeting",within="true"} 1.0' in metrics
    assert "csbot_queue_length 0.0" in metrics


async def test_handing_back_frees_room_for_the_next_in_the_queue(bot):
    amy = await staff(bot, "amy", capacity=1)
    await say(bot, "c1", "转人工")
    await say(bot, "c2", "转人工")
    assert (await conversation("c2")).status == "queued"
    first = await conversation("c1")
    response = await bot.client.post(f"/api/agent/conversations/{first.id}/hand-back", headers=amy)
    assert response.status == 200
    second = await conversation("c2")
    assert second.status == "handoff" and second.assignee_id == (await Agent.get(name="amy")).id
