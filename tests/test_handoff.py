"""Handing conversations to people, and the 15 s / 20 s promise kept while they hold them.

Everything runs on the real app over HTTP with a FakeClock: no test waits real seconds.
"""

from __future__ import annotations

import asyncio
import contextvars
import json
from datetime import datetime, timedelta

import pytest
from tortoise import connections

from bot.clock import FakeClock
from bot.logs import MESSAGE_ID
from bot.sqlite_client import SHORT_READS
from bot.web.auth import create_agent, issue_api_token
from handlers.handoff.labels import REASONS
from handlers.handoff.queue import holder_key
from handlers.handoff.service import HANDOFF, OFFER
from models.agent import Agent
from models.complaint import Complaint
from models.conversation import Conversation
from models.customer import Customer
from models.handoff import HandoverNote, LeftMessage, SlaEvent
from models.message import Message
from tests.fakes.bot_app import make_settings, running_bot, visitor_headers
from tests.tcp_proxy import proxied, resp_command

ALWAYS_OPEN = "00:00-24:00"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def bot_settings():
    return {"staffed_hours": ALWAYS_OPEN, "sla_first_response_s": 15, "sla_reply_s": 20, "sla_hold_margin_s": 5,
            "sla_max_holding_messages": 2}


#: What Redis answers a write when out of memory (`maxmemory`, no eviction): a refusal, not an outage.
OUT_OF_MEMORY = b"OOM command not allowed when used memory > 'maxmemory'."


@pytest.fixture
async def redis_bot(tmp_path, clock, bot_settings, redis_url):
    """The `bot` on Redis reached through a proxy (tests/tcp_proxy.py) that can have it refuse a command:
    the bot and the proxy."""
    async with proxied(redis_url) as (url, proxy):
        async with running_bot(make_settings(tmp_path, redis_url=url, **bot_settings), clock=clock) as running:
            yield running, proxy


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


async def test_no_agent_online_no_position_or_minutes_promised(bot):
    replies = await say(bot, "c1", "转人工")
    assert "不在线" in replies[-1] and "留言" in replies[-1]
    assert "第1位" not in replies[-1] and "分钟" not in replies[-1]
    assert (await conversation("c1")).status == "queued"
    assert (await conversation("c1")).escalation_reason == "human_requested"


async def test_an_escalation_queues_and_records_its_reason_in_one_statement(bot, clock, monkeypatch):
    """The request for a person is written by the queue's UPDATE (docs/performance.md "Eighth round"):
    the dispatcher's mark and the queueing were two statements, one round trip after the other; a
    conversation queued already keeps its place and records the new request."""
    database = connections.get("default")
    statements: list[str] = []
    execute = database.execute_query

    async def counted(query, values=None):
        statements.append(query)
        return await execute(query, values)

    await staff(bot, "amy", capacity=1)
    await say(bot, "c0", "转人工")  # amy's one place
    monkeypatch.setattr(database, "execute_query", counted)
    replies = await say(bot, "c1", "转人工")
    assert "第1位" in replies[-1]
    assert len([q for q in statements if q.startswith("UPDATE conversation")]) == 1
    queued = await conversation("c1")
    assert (queued.status, queued.escalation_reason, queued.escalated_at) == ("queued", "human_requested", clock.now())
    assert queued.queued_at == clock.now()
    await Conversation.filter(id=queued.id).update(escalation_reason="unclear_twice")
    await clock.advance(5)
    await say(bot, "c1", "转人工")
    again = await conversation("c1")
    assert (again.status, again.queued_at, again.escalation_reason) == ("queued", queued.queued_at, "human_requested")
    assert again.escalated_at == clock.now()


async def test_an_escalation_no_hook_acts_on_is_still_recorded_by_the_dispatcher(bot, clock, monkeypatch):
    """A bot whose areas install no escalation hook (no handoff): nobody queues the conversation, and the
    dispatcher records the request for a person itself (the hooks do it otherwise)."""
    monkeypatch.setattr(bot.runtime.dispatcher, "escalation_hooks", ())
    await say(bot, "c1", "转人工")
    held = await conversation("c1")
    assert (held.status, held.escalation_reason, held.escalated_at) == ("bot", "human_requested", clock.now())


async def test_busy_agents_give_position_and_a_wait_from_their_places(bot):
    await staff(bot, "amy", capacity=1)
    await say(bot, "c1", "转人工")
    second = await say(bot, "c2", "我要人工客服")
    assert "第1位" in second[-1] and "4分钟" in second[-1]  # 1 ahead × 4 min handling / 1 place
    await staff(bot, "bob", capacity=3)
    await Agent.filter(name="bob").update(presence="offline")
    await staff(bot, "cat", capacity=3)
    third = await say(bot, "c3", "转人工")
    assert (await conversation("c3")).status == "handoff"  # cat has room
    assert third and "第" not in third[-1]


async def test_a_queued_customers_position_follows_the_queues_order(bot):
    """VIPs first, then first come, then the older row on a tie; 0 for a conversation not queued."""
    queue = bot.runtime.services[HANDOFF].queue
    at = bot.runtime.clock.now()
    rows = []
    for n, (priority, queued_at, status) in enumerate([
        (0, at, "queued"), (1, at + timedelta(seconds=5), "queued"), (0, at - timedelta(seconds=1), "queued"),
        (0, at, "queued"), (2, at, "handoff"), (0, at - timedelta(seconds=9), "bot"),
    ]):
        customer = await Customer.create(channel="webchat", external_id=f"p{n}", created_at=at)
        rows.append(await Conversation.create(key=f"webchat:p{n}", customer=customer, channel="webchat",
                                              opened_at=at, status=status, priority=priority, queued_at=queued_at))
    order = [row.id for row in await queue.waiting()]
    assert order == [rows[1].id, rows[2].id, rows[0].id, rows[3].id]
    assert [await queue.position(row) for row in rows] == [3, 1, 2, 4, 0, 0]


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


async def test_one_pass_serves_each_queued_customer_by_their_own_last_agent_and_complaints(bot):
    """A pass reads every queued customer's last agent and complaints at once: each conversation is
    still matched with its own customer's (c1 back to bob; c2 never to bob, whom c2 accused)."""
    for name in ("amy", "bob", "cat"):
        await staff(bot, name, capacity=3)
    service = bot.runtime.services[HANDOFF]
    bob, cat = [await Agent.get(name=n) for n in ("bob", "cat")]
    await Agent.filter().update(presence="offline")
    for user in ("c1", "c2", "c3"):
        await say(bot, user, "转人工")
    c1, c2 = await conversation("c1"), await conversation("c2")
    await Customer.filter(id=c1.customer_id).update(last_agent_id=bob.id)
    await Customer.filter(id=c2.customer_id).update(last_agent_id=bob.id)
    await Complaint.create(number="TS-1", customer_id=c2.customer_id, conversation_id=c2.id, channel="webchat",
                           matter="service", category="service", accused_agent=bob, reply_by=bot.runtime.clock.now(),
                           created_at=bot.runtime.clock.now())
    await Agent.filter(id__in=[bob.id, cat.id]).update(presence="online")
    taken = await service.assign_waiting()
    assert [c.key for c in taken] == ["webchat:c1", "webchat:c2"]  # bob took c1, so only cat is ready for c2
    assert [(await conversation(u)).assignee_id for u in ("c1", "c2", "c3")] == [bob.id, cat.id, None]


#: One command of the escalation's pipeline, as Redis sees it: the consoles' news, or the 留言 offer's deadline.
QUEUEING_WRITES = {"publish": ("PUBLISH", b"queue.changed"), "schedule": ("ZADD", OFFER.encode())}


@pytest.mark.parametrize("failing", QUEUEING_WRITES)
async def test_a_failed_store_write_after_queueing_still_hands_the_customer_to_a_free_agent(
        redis_bot, caplog, failing):
    """The consoles' news (PUBLISH) or a queue deadline (ZADD) refused once by Redis (out of memory): the
    customer, queued in the database, still reaches the free agent at once (the 15 s promise) and is told
    so, not answered with an error and left queued until the 45 s alert's pass; the lost write is logged
    (a deadline is re-armed by the periodic reconcile, recovery.py)."""
    bot, proxy = redis_bot
    await staff(bot, "amy", capacity=3)
    name, argument = QUEUEING_WRITES[failing]
    proxy.refuse_commands(resp_command(name, argument, times=1), OUT_OF_MEMORY)
    replies = await say(bot, "c1", "转人工")
    held = await conversation("c1")
    assert (held.status, held.assignee_id) == ("handoff", (await Agent.get(name="amy")).id)
    assert "接通人工客服" in replies[-1]  # handoff.assigned
    assert await events("c1") == ["queued", "assigned"]
    assert "a write after the database's failed: OutOfMemoryError" in caplog.text


async def test_a_pass_with_every_agent_full_leaves_the_queue_as_it_is(bot):
    await staff(bot, "amy", capacity=1)
    for user in ("c1", "c2", "c3"):
        await say(bot, user, "转人工")
    assert [(await conversation(u)).status for u in ("c1", "c2", "c3")] == ["handoff", "queued", "queued"]
    assert await bot.runtime.services[HANDOFF].assign_waiting() == []
    assert await SlaEvent.filter(kind="assigned").count() == 1
    holder = await conversation("c1")
    await Conversation.filter(id=holder.id).update(status="bot", assignee_id=None)  # her place frees up
    taken = await bot.runtime.services[HANDOFF].assign_waiting()
    assert [c.key for c in taken] == ["webchat:c2"]  # the next in the queue, once someone has room


async def test_a_pass_with_every_agent_full_still_hands_the_queue_to_a_supervisor_online(bot):
    """The pass's early return (nobody can take one) never skips a supervisor online: their places are no cap."""
    await staff(bot, "amy", capacity=1)
    await staff(bot, "sue", role="supervisor", capacity=1, online=False)
    for user in ("c1", "c2", "c3"):
        await say(bot, user, "转人工")
    assert [(await conversation(u)).status for u in ("c1", "c2", "c3")] == ["handoff", "queued", "queued"]
    sue = await Agent.get(name="sue")
    await Conversation.filter(key="webchat:c2").update(status="handoff", assignee_id=sue.id,
                                                        first_reply_at=bot.runtime.clock.now())  # sue at capacity
    await Agent.filter(id=sue.id).update(presence="online")  # no pass of her own coming online
    taken = await bot.runtime.services[HANDOFF].assign_waiting()
    assert [(c.key, c.assignee_id) for c in taken] == [("webchat:c3", sue.id)]


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
    assert loads == {"amy": 1, "bob": 1}  # one at a time each, never twice the same conversation
    assert await SlaEvent.filter(kind="assigned").count() == 2
    await Conversation.filter(status="handoff").update(first_reply_at=bot.runtime.clock.now())  # both greeted
    await asyncio.gather(*(service.assign_waiting() for _ in range(4)))
    held = await Conversation.filter(status="handoff").values_list("assignee_id", flat=True)
    assert {name: held.count((await Agent.get(name=name)).id) for name in ("amy", "bob")} == {"amy": 2, "bob": 1}


async def test_callers_arriving_during_a_pass_share_the_next_one(bot):
    """Callers asking while a pass runs share the next pass (one, not one each), and the first
    caller going away (cancelled) does not stop the pass that is running."""
    for name in ("amy", "bob", "cat"):
        await staff(bot, name, capacity=1)
    service = bot.runtime.services[HANDOFF]
    await Agent.filter().update(presence="offline")
    for user in ("c1", "c2", "c3"):
        await say(bot, user, "转人工")
    await Agent.filter().update(presence="online")
    queue, passes, running = service.queue, [], asyncio.Event()
    real_pass = queue.assign_waiting

    async def counted_pass():
        passes.append(len(passes))
        running.set()
        return await real_pass()

    queue.assign_waiting = counted_pass
    try:
        first = asyncio.ensure_future(service.assign_waiting())
        await asyncio.wait_for(running.wait(), 10)
        later = [asyncio.ensure_future(service.assign_waiting()) for _ in range(5)]
        first.cancel()
        results = await asyncio.gather(*later)
        assert isinstance((await asyncio.gather(first, return_exceptions=True))[0], asyncio.CancelledError)
    finally:
        queue.assign_waiting = real_pass
    assert len(passes) == 2 and all(result is results[0] for result in results)  # the second pass, shared
    held = await Conversation.filter(status="handoff").values_list("assignee_id", flat=True)
    assert sorted(held) == sorted(await Agent.filter().values_list("id", flat=True))  # by the first: one each
    assert await SlaEvent.filter(kind="assigned").count() == 3


async def test_a_customer_taken_by_a_pass_already_running_is_told_they_are_assigned(bot):
    """The pass an escalation waits for begins after the running one: when the running one took the
    conversation (queued after it began), the customer still hears they are assigned, not queued."""
    await staff(bot, "amy")
    service = bot.runtime.services[HANDOFF]
    queue, queued, running = service.queue, asyncio.Event(), asyncio.Event()
    real_pass, real_enqueue = queue.assign_waiting, queue.enqueue

    async def held_pass():
        if not running.is_set():  # the first pass waits until c1 is queued, then runs
            running.set()
            await queued.wait()
        return await real_pass()

    async def signalled_enqueue(*args, **kwargs):
        queued_now = await real_enqueue(*args, **kwargs)
        queued.set()
        return queued_now

    queue.assign_waiting, queue.enqueue = held_pass, signalled_enqueue
    try:
        first = asyncio.ensure_future(service.assign_waiting())
        await asyncio.wait_for(running.wait(), 10)
        replies = await say(bot, "c1", "转人工")
        assert [c.id for c in await first] == [(await conversation("c1")).id]  # the running pass took it
    finally:
        queue.assign_waiting, queue.enqueue = real_pass, real_enqueue
    assert (await conversation("c1")).status == "handoff"
    assert "已为您接通人工客服" in replies[-1], replies


async def test_a_holder_written_as_queued_after_another_pass_took_it_is_put_right(redis_bot):
    """Another worker's pass takes the conversation between this escalation's UPDATE and its write of
    the store's holder ("queued"), which lands last (held back on its way to Redis while the other pass
    runs): the escalation, finding it held, writes the holder again, or the chat path (which reads the
    holder) would leave the customer's messages to the bot while a person holds the conversation, and
    their reply clock would never start."""
    bot, proxy = redis_bot
    await staff(bot, "amy")
    store, queue = bot.runtime.store, bot.runtime.services[HANDOFF].queue
    holder = holder_key(store, "webchat:c1").encode()
    proxy.hold_next(lambda request: holder in request and b'"queued"' in request)
    escalating = asyncio.ensure_future(say(bot, "c1", "转人工"))
    held = asyncio.ensure_future(proxy.held.wait())
    await asyncio.wait([escalating, held], return_when=asyncio.FIRST_COMPLETED)
    assert held.done() and not escalating.done()
    assert [c.key for c in await queue.assign_waiting()] == ["webchat:c1"]  # the other worker's
    proxy.let_go()
    replies = await escalating
    assert (await conversation("c1")).status == "handoff" and "已为您接通人工客服" in replies[-1]
    assert json.loads(await store.get(holder_key(store, "webchat:c1")))["status"] == "handoff"


CALLERS = contextvars.ContextVar("callers_setting", default="start-up")


async def test_a_shared_pass_runs_without_its_first_callers_message_id(bot):
    """A shared pass serves several customers: its log lines name none of their messages, and its reads
    are not a customer's message path's (bot/sqlite_client.py SHORT_READS); the rest of the caller's
    context (set after start-up) it keeps."""
    service = bot.runtime.services[HANDOFF]
    queue, seen = service.queue, []
    real_pass = queue.assign_waiting

    async def observed_pass():
        seen.append((MESSAGE_ID.get(), SHORT_READS.get(), CALLERS.get()))
        return await real_pass()

    queue.assign_waiting = observed_pass
    message, short, callers = MESSAGE_ID.set("wx-msg-1"), SHORT_READS.set(True), CALLERS.set("caller")
    try:
        await service.assign_waiting()
    finally:
        MESSAGE_ID.reset(message)
        SHORT_READS.reset(short)
        CALLERS.reset(callers)
        queue.assign_waiting = real_pass
    assert seen == [("-", False, "caller")]


# --- the clock ---


async def test_first_holder_is_greeted_for_the_moment_they_hold_it(bot, clock):
    await staff(bot, "amy")
    await say(bot, "c1", "转人工")
    assert await texts_to("c1", "system") == []
    await tick(bot, clock, 0.3)  # the next scheduler tick
    assert any("小蜜" in text for text in await texts_to("c1", "system"))  # the default 昵称, not the login
    event = await SlaEvent.get(kind="person_reached")
    assert event.within is True and event.waited_s == pytest.approx(0.3) and event.detail == "on_behalf"
    held = await conversation("c1")
    assert (event.due_at - held.queued_at).total_seconds() == 15


async def test_queue_time_counts_and_the_greeting_follows_the_assignment(bot, clock):
    await say(bot, "c1", "转人工")
    await tick(bot, clock, 12)
    await staff(bot, "amy")
    await tick(bot, clock, 0.3)
    event = await SlaEvent.get(kind="person_reached")
    assert event.detail == "on_behalf" and event.waited_s == pytest.approx(12.3) and event.within is True


async def test_later_holder_writing_in_time_stops_their_auto_greeting(bot, clock):
    amy = await staff(bot, "amy")
    bob = await staff(bot, "bob")
    await say(bot, "c1", "转人工")
    await tick(bot, clock, 0.3)
    held = await conversation("c1")
    first = (await Agent.get(id=held.assignee_id)).name
    headers, target = (amy, "bob") if first == "amy" else (bob, "amy")
    greeted = len(await texts_to("c1", "system"))
    moved = await bot.client.post(f"/api/agent/conversations/{held.id}/transfer",
                                  json={"to_agent_id": (await Agent.get(name=target)).id}, headers=headers)
    assert moved.status == 200
    await tick(bot, clock, 3)
    response = await bot.client.post(f"/api/agent/conversations/{held.id}/messages", json={"text": "亲，您好"},
                                     headers=bob if target == "bob" else amy)
    assert response.status == 200
    await tick(bot, clock, 30)
    system = await texts_to("c1", "system")
    assert len(system) == greeted + 1 and "转接" in system[-1]  # the transfer notice, no second greeting


async def test_holding_message_acknowledges_but_never_resets_answered_by_a_person(bot, clock):
    amy = await staff(bot, "amy")
    await say(bot, "c1", "转人工")
    await tick(bot, clock, 11)  # greeted on amy's behalf
    await say(bot, "c1", "在吗？")
    await tick(bot, clock, 14.9)
    assert not any("正在为您查询" in t for t in await texts_to("c1", "system"))
    await tick(bot, clock, 0.2)  # 15.1 s after the message: holding message, 5 s before the deadline
    assert any("正在为您查询" in t for t in await texts_to("c1", "system"))
    acknowledged = await SlaEvent.filter(kind="acknowledged", detail="holding").get()
    assert acknowledged.within is True and acknowledged.waited_s == pytest.approx(15.1)
    await tick(bot, clock, 15)  # 30 s: the question lapsed (one slow reply)
    assert "breach" in await events("c1")
    held = await conversation("c1")
    response = await bot.client.post(f"/api/agent/conversations/{held.id}/messages", json={"text": "亲，久等了"},
                                      headers=amy)
    assert response.status == 200
    answered = await SlaEvent.get(kind="person_answered")
    assert answered.within is False and answered.waited_s == pytest.approx(30.1)  # from the question itself


async def test_one_slow_reply_does_not_set_an_agent_away(bot, clock):
    await staff(bot, "amy")
    await say(bot, "c1", "转人工")
    await tick(bot, clock, 11)
    await say(bot, "c1", "人呢")
    await tick(bot, clock, 61)
    assert "breach" in await events("c1") and "lapse" in await events("c1")
    assert (await Agent.get(name="amy")).presence == "online"
    assert (await conversation("c1")).assignee_id == (await Agent.get(name="amy")).id  # nobody else had room


async def test_repeated_lapses_set_an_agent_away_and_their_console_is_told(bot, clock):
    amy = await staff(bot, "amy")
    for user in ("c1", "c2"):
        await say(bot, user, "转人工")
        await tick(bot, clock, 11)
    amy_id = (await Agent.get(name="amy")).id
    assert {(await conversation(u)).assignee_id for u in ("c1", "c2")} == {amy_id}
    async with bot.client.ws_connect("/ws/agent", headers=amy) as console:
        await say(bot, "c1", "我的订单呢")
        await say(bot, "c2", "发货了吗")
        await tick(bot, clock, 45)  # slow on both, still not walked away: a late answer may yet come
        assert (await Agent.get(name="amy")).presence == "online"
        await tick(bot, clock, 15.1)  # a minute without a word on either: two lapses
        assert (await Agent.get(name="amy")).presence == "away"
        event = json.loads((await console.receive(timeout=5)).data)
        while event["type"] != "presence.changed":
            event = json.loads((await console.receive(timeout=5)).data)
        assert event == {"type": "presence.changed", "presence": "away", "reason": "lapses"}
    await say(bot, "c3", "转人工")
    assert (await conversation("c3")).assignee_id != amy_id


async def test_any_console_action_restores_online(bot, clock):
    amy = await staff(bot, "amy")
    agent = await Agent.get(name="amy")
    await bot.runtime.services[HANDOFF].set_presence(agent, "away", reason="lapses")
    await say(bot, "c1", "转人工")  # nobody online: queued
    queued = await conversation("c1")
    taken = await bot.client.post(f"/api/agent/conversations/{queued.id}/take", headers=amy)
    assert taken.status == 200 and (await Agent.get(name="amy")).presence == "online"
    await bot.runtime.services[HANDOFF].set_presence(agent, "away", reason="lapses")
    response = await bot.client.post("/api/agent/typing", json={"conversation_id": queued.id}, headers=amy)
    assert response.status == 200 and (await response.json())["agent"]["presence"] == "online"


async def test_reassigned_conversation_keeps_its_open_question_and_clock(bot, clock):
    await staff(bot, "amy")
    await say(bot, "c1", "转人工")
    await tick(bot, clock, 11)
    bob = await staff(bot, "bob")
    await bot.client.post("/api/agent/profile", json={"display_name": "阿宝"}, headers=bob)
    await say(bot, "c1", "退款到哪了")
    asked = (await conversation("c1")).waiting_since
    await tick(bot, clock, 60.1)  # amy never answered: someone with room takes it over
    held = await conversation("c1")
    assert held.assignee_id == (await Agent.get(name="bob")).id and held.waiting_since == asked
    assert any("阿宝" in t for t in await texts_to("c1", "system"))
    listing = await (await bot.client.get("/api/agent/conversations", headers=bob)).json()
    due = datetime.fromisoformat(listing["conversations"][0]["sla"].pop("due_at"))
    assert listing["conversations"][0]["sla"] == {"kind": "reply"} and due == asked + timedelta(seconds=20)
    await tick(bot, clock, 3)
    await bot.client.post(f"/api/agent/conversations/{held.id}/messages", json={"text": "亲，已到账"}, headers=bob)
    answered = await SlaEvent.get(kind="person_answered")
    assert answered.waited_s == pytest.approx(63.1) and answered.within is False


async def test_queue_time_counts_toward_time_to_a_person(bot, clock):
    await say(bot, "c1", "转人工")
    await tick(bot, clock, 30)
    await staff(bot, "amy")
    await tick(bot, clock, 0.5)  # greeted on her behalf at once: the 15 s already passed in the queue
    reached = await SlaEvent.get(kind="person_reached")
    assert reached.waited_s == pytest.approx(30.5) and reached.within is False


async def test_assignment_spreads_a_queue_one_at_a_time(bot, clock):
    for user in ("c1", "c2", "c3"):
        await say(bot, user, "转人工")
    amy = await staff(bot, "amy")
    await staff(bot, "bob")
    ids = {name: (await Agent.get(name=name)).id for name in ("amy", "bob")}
    assert [(await conversation(u)).assignee_id for u in ("c1", "c2", "c3")] == [ids["amy"], ids["bob"], None]
    first = await conversation("c1")
    await bot.client.post(f"/api/agent/conversations/{first.id}/messages", json={"text": "亲，您好"}, headers=amy)
    assert (await conversation("c3")).assignee_id == ids["amy"]  # greeted: ready for the next


async def test_two_concurrent_transfers_never_exceed_capacity(bot):
    amy = await staff(bot, "amy", capacity=2)
    held = []
    for user in ("c1", "c2"):
        await say(bot, user, "转人工")
        held.append(await conversation(user))
        await bot.client.post(f"/api/agent/conversations/{held[-1].id}/messages", json={"text": "您好"}, headers=amy)
    await staff(bot, "cat", capacity=1)
    cat = await Agent.get(name="cat")
    results = await asyncio.gather(*(
        bot.client.post(f"/api/agent/conversations/{c.id}/transfer", json={"to_agent_id": cat.id}, headers=amy)
        for c in held))
    assert sorted(r.status for r in results) == [200, 409]
    assert await Conversation.filter(status="handoff", assignee_id=cat.id).count() == 1


async def test_supervisor_alert_after_the_threshold_when_nobody_can_take_them(tmp_path, clock):
    from aiohttp import web
    from aiohttp.test_utils import TestServer

    received: list[dict] = []

    async def hook(request):
        received.append(await request.json())
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_post("/alert", hook)
    server = TestServer(app, host="127.0.0.1", port=0)
    await server.start_server()
    try:
        settings = make_settings(tmp_path, staffed_hours=ALWAYS_OPEN, queue_alert_after_s=45,
                                 alert_webhook_url=str(server.make_url("/alert")))
        async with running_bot(settings, clock=clock) as bot:
            await staff(bot, "amy", capacity=1)
            await say(bot, "c1", "转人工")
            await say(bot, "c2", "转人工")
            sup = await staff(bot, "sue", role="supervisor", online=False)
            async with bot.client.ws_connect("/ws/agent", headers=sup) as console:
                await tick(bot, clock, 44.9)
                assert received == []
                await tick(bot, clock, 0.2)
                assert len(received) == 1 and received[0]["queued"] == 1 and received[0]["oldest_waited_s"] >= 45
                event = json.loads((await console.receive(timeout=5)).data)
                while event["type"] != "supervisor.alert":
                    event = json.loads((await console.receive(timeout=5)).data)
                assert event["queued"] == 1
            assert any("留言" in t for t in await texts_to("c2", "system"))  # told the truth at once
            assert await SlaEvent.filter(kind="alert").count() == 1
    finally:
        await server.close()


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
    error = (await warned.json())["error"]
    assert warned.status == 409 and error["code"] == "forbidden_language" and error["phrases"] == ["不知道"]
    assert "这个我不知道" not in await texts_to("c1")
    sent = await bot.client.post(url, json={"text": "这个我不知道", "confirm": True}, headers=amy)
    assert sent.status == 200 and "这个我不知道" in await texts_to("c1")


async def test_long_agent_message_is_split(bot):
    amy = await staff(bot, "amy")
    await say(bot, "c1", "转人工")
    held = await conversation("c1")
    text = "亲，您的问题我们已经记录并转交仓库核实。" * 90  # 1,800 characters (at most 2,000: AGENT_TEXT_MAX), 3 parts
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
        held = await conversation("c1")
        assert (held.status, held.escalation_reason, held.escalated_at) == ("bot", "human_requested", clock.now())
        taken = await say(bot, "c1", "我的包裹破了，电话13800000000")
        assert "留言已记录" in taken[-1]
        left = await LeftMessage.get()
        assert "包裹破了" in left.text and left.promised_by > bot.runtime.clock.now()


async def test_a_message_left_outside_staffed_hours_is_kept_and_acknowledged_when_the_news_fails(
        tmp_path, clock, redis_url, caplog):
    """Not queued (outside staffed hours), the 留言 is written, then the consoles' news (PUBLISH) fails:
    Redis refuses it (out of memory, through a proxy answering in its place). The customer was answered
    with an error and the flow stayed open, so their resend was taken as the 留言 again. The news is
    best effort (the consoles' poll shows the 留言): the customer is told it was taken, once, and the
    loss is logged without their text."""
    async with proxied(redis_url) as (url, proxy):
        settings = make_settings(tmp_path, redis_url=url, staffed_hours="18:30-24:00")  # FakeClock: 10:00 Shanghai
        async with running_bot(settings, clock=clock) as bot:
            await say(bot, "c1", "转人工")
            proxy.refuse_requests(resp_command("PUBLISH", b"queue.changed"),
                                  b"OOM command not allowed when used memory > 'maxmemory'.")
            taken = await say(bot, "c1", "我的包裹破了，请联系我")
            assert "留言已记录" in taken[-1]
            assert await LeftMessage.filter(conversation__key="webchat:c1").count() == 1
            assert "failed: OutOfMemoryError" in caplog.text and "包裹" not in caplog.text
            proxy.refuse_requests(None)
            replies = await say(bot, "c1", "什么时候发货")  # the flow ended: an ordinary question again
            assert await LeftMessage.filter(conversation__key="webchat:c1").count() == 1 and replies


async def test_long_queue_wait_offers_to_leave_a_message(bot, clock):
    await staff(bot, "amy", capacity=1)  # online but busy: the offer is the timers' (nobody online: the escalation's)
    await say(bot, "c0", "转人工")
    await say(bot, "c1", "转人工")
    await tick(bot, clock, 121)
    assert any("留言" in t for t in await texts_to("c1", "system"))
    store = bot.runtime.store
    assert await store.get(holder_key(store, "webchat:c1")) is not None  # the chat path sees it queued
    await say(bot, "c1", "留言：麻烦尽快帮我处理退款")
    assert await LeftMessage.filter(conversation__key="webchat:c1").count() == 1
    assert (await conversation("c1")).status == "bot"
    assert await store.get(holder_key(store, "webchat:c1")) is None  # and now the bot's again


async def test_a_message_left_takes_a_queued_conversation_out_even_without_its_holder_key(bot, clock):
    """The store's holder is a cache: enqueue's write of it may fail after the database said queued.
    The 留言 then still takes the conversation out of the queue, as the database says it is queued."""
    await say(bot, "c1", "转人工")
    await tick(bot, clock, 121)
    store = bot.runtime.store
    await store.delete(holder_key(store, "webchat:c1"))  # as if enqueue's publish_holder had failed
    taken = await say(bot, "c1", "留言：麻烦尽快帮我处理退款")
    assert "留言已记录" in taken[-1]
    assert await LeftMessage.filter(conversation__key="webchat:c1").count() == 1
    assert (await conversation("c1")).status == "bot"


async def test_a_failed_clearing_after_a_message_left_the_queue_neither_fails_nor_doubles_the_message(
        redis_bot, clock, caplog):
    """The 留言 is written and the conversation is back with the bot in the database; the store's DEL
    after it (the holder, a wrapping-up mark) refused once by Redis must not answer the customer with an
    error, whose resend would write the 留言 twice. The stale holder says "queued": only a 留言 reads
    that (and the database then says it is not queued), and the next hold or queueing writes it anew."""
    bot, proxy = redis_bot
    await say(bot, "c1", "转人工")
    await tick(bot, clock, 121)
    store = bot.runtime.store
    proxy.refuse_commands(resp_command("DEL", holder_key(store, "webchat:c1").encode(), times=1), OUT_OF_MEMORY)
    response = await bot.client.post("/api/webchat/messages", headers=visitor_headers(bot.runtime, "c1"),
                                      json={"user_id": "c1", "text": "留言：麻烦尽快帮我处理退款"})
    assert response.status == 200 and "留言已记录" in (await response.json())["replies"][-1]
    assert await LeftMessage.filter(conversation__key="webchat:c1").count() == 1
    assert (await conversation("c1")).status == "bot"
    assert "a write after the database's failed: OutOfMemoryError" in caplog.text
    replies = await say(bot, "c1", "什么时候发货")  # the bot's again
    assert await LeftMessage.filter(conversation__key="webchat:c1").count() == 1 and replies


async def test_supervisor_view_and_metrics(bot, clock):
    await staff(bot, "amy")
    await say(bot, "c1", "转人工")
    await tick(bot, clock, 11)
    sup = await staff(bot, "sue", role="supervisor", online=False)
    summary = await (await bot.client.get("/api/agent/supervisor", headers=sup)).json()
    assert summary["agents_online"] == 1 and summary["today"]["person_within_sla"] == 1
    agent_view = await bot.client.get("/api/agent/supervisor", headers=await staff(bot, "al", online=False))
    assert agent_view.status == 403
    metrics = await (await bot.client.get("/metrics")).text()
    assert 'csbot_sla_events{agent="amy",kind="person_reached",within="true"} 1.0' in metrics
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


async def test_every_reason_code_has_a_chinese_label_from_the_server(bot):
    amy = await staff(bot, "amy", online=False)
    reasons = (await (await bot.client.get("/api/labels", headers=amy)).json())["labels"]["reason"]
    assert set(reasons) == set(REASONS)
    assert all(label and label != code and not label.isascii() for code, label in reasons.items())
    await say(bot, "c1", "转人工")
    queue = await (await bot.client.get("/api/agent/queue", headers=amy)).json()
    assert queue["queue"][0]["reason_label"] == reasons["human_requested"]
    assert datetime.fromisoformat(queue["queue"][0]["waiting_since"]) == bot.runtime.clock.now()
    assert datetime.fromisoformat(queue["now"]) == bot.runtime.clock.now()


async def test_customers_see_the_display_name_never_the_login(bot, clock):
    amy = await staff(bot, "amy")
    bad = await bot.client.post("/api/agent/profile", json={"display_name": " "}, headers=amy)
    assert bad.status == 400
    ok = await bot.client.post("/api/agent/profile", json={"display_name": "小美"}, headers=amy)
    assert ok.status == 200 and (await ok.json())["agent"]["display_name"] == "小美"
    replies = await say(bot, "c1", "转人工")
    assert "小美" in replies[-1] and "amy" not in replies[-1]
    await tick(bot, clock, 11)
    greetings = await texts_to("c1", "system")
    assert greetings and all("amy" not in text for text in greetings) and "小美" in greetings[0]
