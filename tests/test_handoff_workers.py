"""The handoff across workers and restarts, on the production parts (Redis store, shared database).

Two apps stand for two worker processes: they share one SQLite file and one Redis key prefix, each
with its own Redis client, exactly what `serve --workers 2` gives.
"""

from __future__ import annotations

import asyncio
import contextvars
import json

from bot.clock import FakeClock
from bot.store import redis as redis_store
from bot.web.auth import create_agent, issue_api_token
from handlers.handoff.queue import holder_key
from handlers.handoff.service import ALERT, HANDOFF, OFFER
from models.agent import Agent
from models.conversation import Conversation
from models.handoff import LeftMessage, SlaEvent
from models.message import Message
from tests.fakes.bot_app import make_settings, running_bot, visitor_headers


def shared_settings(tmp_path, redis_url, **overrides):
    return make_settings(tmp_path, redis_url=redis_url, staffed_hours="00:00-24:00", **overrides)


async def test_deadline_survives_a_worker_restart_and_fires_once(tmp_path, redis_url):
    clock = FakeClock()
    settings = shared_settings(tmp_path, redis_url)
    async with running_bot(settings, clock=clock) as first:
        agent = await create_agent("amy", "agent", "secret-pass-123", now=clock.now())
        await first.runtime.services[HANDOFF].set_presence(agent, "online")
        response = await first.client.post("/api/webchat/messages", json={"user_id": "c1", "text": "转人工"},
                                           headers=visitor_headers(first.runtime, "c1"))
        assert response.status == 200
        assert (await Conversation.get(key="webchat:c1")).status == "handoff"
    # the worker is gone; its greeting deadline lives on in Redis
    async with running_bot(settings, clock=clock) as second:
        await clock.advance(11)
        fired = await asyncio.gather(second.runtime.scheduler.run_due(), second.runtime.scheduler.run_due())
        assert sum(fired) <= 1
        assert await SlaEvent.filter(kind="auto_greeting").count() == 1
        assert await Message.filter(author="system", conversation__key="webchat:c1").count() == 1


async def test_two_workers_racing_never_double_assign(tmp_path, redis_url):
    clock = FakeClock()
    settings = shared_settings(tmp_path, redis_url)
    async with running_bot(settings, clock=clock) as one, running_bot(settings, clock=clock) as two:
        for user in ("c1", "c2", "c3", "c4", "c5"):
            response = await one.client.post("/api/webchat/messages", json={"user_id": user, "text": "转人工"},
                                             headers=visitor_headers(one.runtime, user))
            assert response.status == 200
        await create_agent("amy", "agent", "secret-pass-123", capacity=2, now=clock.now())
        await create_agent("bob", "agent", "secret-pass-123", capacity=1, now=clock.now())
        await Agent.all().update(presence="online")
        services = [one.runtime.services[HANDOFF], two.runtime.services[HANDOFF]]
        await asyncio.gather(*(services[i % 2].assign_waiting() for i in range(6)))
        await Conversation.filter(status="handoff").update(first_reply_at=clock.now())  # greeted: ready again
        await asyncio.gather(*(services[i % 2].assign_waiting() for i in range(6)))
        held = list(await Conversation.filter(status="handoff").values_list("assignee_id", flat=True))
        amy, bob = (await Agent.get(name="amy")).id, (await Agent.get(name="bob")).id
        assert sorted(held) == sorted([amy, amy, bob])
        assert await SlaEvent.filter(kind="assigned").count() == 3
        assert await Conversation.filter(status="queued").count() == 2


async def test_console_update_reaches_the_agent_whichever_worker_took_the_message(tmp_path, redis_url):
    clock = FakeClock()
    settings = shared_settings(tmp_path, redis_url)
    async with running_bot(settings, clock=clock) as one, running_bot(settings, clock=clock) as two:
        agent = await create_agent("amy", "agent", "secret-pass-123", now=clock.now())
        await one.runtime.services[HANDOFF].set_presence(agent, "online")
        headers = {"Authorization": f"Bearer {await issue_api_token(agent)}"}
        async with one.client.ws_connect("/ws/agent", headers=headers) as console:
            response = await two.client.post("/api/webchat/messages", json={"user_id": "c9", "text": "转人工"},
                                             headers=visitor_headers(two.runtime, "c9"))
            assert response.status == 200
            event = json.loads((await console.receive(timeout=5)).data)
            while event["type"] != "conversation.assigned":
                event = json.loads((await console.receive(timeout=5)).data)
            held = await Conversation.get(key="webchat:c9")
            assert event["conversation_id"] == held.id
            await two.client.post("/api/webchat/messages", json={"user_id": "c9", "text": "我的订单有问题"},
                                  headers=visitor_headers(two.runtime, "c9"))
            event = json.loads((await console.receive(timeout=5)).data)
            while event["type"] != "message":
                event = json.loads((await console.receive(timeout=5)).data)
            assert event["message"]["text"] == "我的订单有问题"


def watch_writes_inside_together(monkeypatch, store) -> tuple[list, list[int]]:
    """From now on: the socket writes the Redis store makes inside `store.together` or its
    `together_with_read` (one per pipeline or command sent), and how many operations each call was given."""
    inside, writes, sent_together = contextvars.ContextVar("inside", default=False), [], []
    together, write = store.together, redis_store.send_at_once
    with_read = store.together_with_read

    async def watched_with_read(awaitables, read):
        sent_together.append(len(awaitables) + 1)
        entered = inside.set(True)  # the write's task is made in here, with this context
        try:
            return await with_read(awaitables, read)
        finally:
            inside.reset(entered)

    async def watched(awaitables):
        sent_together.append(len(awaitables))
        entered = inside.set(True)  # the operations' tasks are made in here, with this context
        try:
            return await together(awaitables)
        finally:
            inside.reset(entered)

    async def counted(connection, packed):
        writes.extend([packed] if inside.get() else [])
        await write(connection, packed)

    monkeypatch.setattr(store, "together", watched)
    monkeypatch.setattr(store, "together_with_read", watched_with_read)
    monkeypatch.setattr(redis_store, "send_at_once", counted)
    return writes, sent_together


async def test_an_escalations_store_writes_go_to_redis_in_one_round_trip(tmp_path, redis_url, monkeypatch):
    """The holder, both deadlines and the consoles' news of an escalation are one pipeline on one
    connection (docs/performance.md "Eighth round"), where each was a command on a pooled connection
    of its own; all of them land."""
    settings = shared_settings(tmp_path, redis_url)
    async with running_bot(settings, clock=FakeClock()) as bot:
        store = bot.runtime.store
        writes, _ = watch_writes_inside_together(monkeypatch, store)
        async with store.subscribe("console") as console:
            response = await bot.client.post("/api/webchat/messages", json={"user_id": "c1", "text": "转人工"},
                                             headers=visitor_headers(bot.runtime, "c1"))
            assert response.status == 200
            assert (await asyncio.wait_for(anext(console), 5))["type"] == "queue.changed"
        assert (await Conversation.get(key="webchat:c1")).status == "queued"
        assert len(writes) == 1
        assert json.loads(await store.get(holder_key(store, "webchat:c1")))["status"] == "queued"
        assert await store.next_due(OFFER) is not None and await store.next_due(ALERT) is not None


async def test_a_message_left_from_the_queue_tells_the_consoles_in_one_round_trip_with_the_promise_read_alongside(
        tmp_path, redis_url, monkeypatch):
    """A queued customer's 留言 (nobody online): once the statement wrote it and took the conversation out of
    the queue, the holder's delete and the consoles' news are one pipeline, sent together with the read of
    the promise the customer is told (docs/performance.md "Tenth round"), where they were two commands on
    connections of their own and the read waited for both; all of it lands."""
    settings = shared_settings(tmp_path, redis_url)
    async with running_bot(settings, clock=FakeClock()) as bot:
        store = bot.runtime.store
        headers = visitor_headers(bot.runtime, "c1")
        response = await bot.client.post("/api/webchat/messages", json={"user_id": "c1", "text": "转人工"},
                                         headers=headers)
        assert "留言" in (await response.json())["replies"][-1]  # nobody online: the next message is one
        assert json.loads(await store.get(holder_key(store, "webchat:c1")))["status"] == "queued"
        writes, sent_together = watch_writes_inside_together(monkeypatch, store)
        async with store.subscribe("console") as console:
            response = await bot.client.post("/api/webchat/messages", headers=headers,
                                             json={"user_id": "c1", "text": "留言：麻烦尽快帮我处理退款"})
            assert response.status == 200 and "留言已记录" in (await response.json())["replies"][-1]
            assert (await asyncio.wait_for(anext(console), 5))["type"] == "queue.changed"
        assert sent_together[0] == 2 and len(writes) == 1  # the news and the read; then the pipeline in one write
        assert await store.get(holder_key(store, "webchat:c1")) is None
        assert (await Conversation.get(key="webchat:c1")).status == "bot"
        assert await LeftMessage.filter(conversation__key="webchat:c1").count() == 1
