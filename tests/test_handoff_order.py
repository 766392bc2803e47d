"""What the consoles are told comes after what it tells of is written.

A console refreshes from the database when it hears news (console.js refreshes on every event), so
news published before the facts it announces lets a refresh miss them: a customer's question not shown
to the agent holding the conversation until the next event or the 30 s poll (past the 20 s promise),
an escalation whose `queued` event or deadlines are not written yet. On the in-process store the
escalation's operations run one by one (`MemoryStore.together`), in the order the handoff lists them;
these tests check that order at the moment each news item is published.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from bot.store.base import StoreUnavailable
from bot.store.keys import CONSOLE_TOPIC, agent_topic
from handlers.handoff.queue import holder_key
from handlers.handoff.service import ALERT, OFFER
from models.agent import Agent
from models.conversation import Conversation
from models.handoff import SlaEvent
from models.message import Message
from tests.test_handoff import ALWAYS_OPEN, conversation, say, staff


@pytest.fixture
def bot_settings() -> dict[str, Any]:
    return {"staffed_hours": ALWAYS_OPEN, "sla_first_response_s": 15, "sla_reply_s": 20, "sla_hold_margin_s": 5}


def on_publish(bot: Any, look: Callable[[str, dict[str, Any]], Awaitable[None]]) -> None:
    """Call `look(topic, payload)` at the moment anything is published, before it goes out."""
    store = bot.runtime.store
    publish = store.publish

    async def looked_at_first(topic: str, payload: dict[str, Any]) -> None:
        await look(topic, payload)
        await publish(topic, payload)

    store.publish = looked_at_first


async def test_the_escalations_news_comes_after_the_holder_its_event_and_both_deadlines(bot) -> None:
    store = bot.runtime.store
    seen: list[tuple[str | None, list[str], bool, bool]] = []

    async def look(topic: str, payload: dict[str, Any]) -> None:
        if topic == CONSOLE_TOPIC and payload.get("type") == "queue.changed":
            row = await Conversation.get(key="webchat:c1")
            holder = await store.get(holder_key(store, row.key))
            events = list(await SlaEvent.filter(conversation_id=row.id).values_list("kind", flat=True))
            seen.append((json.loads(holder)["status"] if holder else None, events,
                         await store.next_due(OFFER) is not None, await store.next_due(ALERT) is not None))

    on_publish(bot, look)
    replies = await say(bot, "c1", "转人工")
    assert "不在线" in replies[-1]  # nobody online: queued, and told the truth
    assert seen == [("queued", ["queued"], True, True)]


async def test_the_holders_news_of_a_customer_message_comes_after_the_message_is_committed(bot) -> None:
    """The agent's console refreshes the conversation when told a message came: the message must be in
    the database by then (it was published while the message was handled, before its row was written:
    bench/sla_live.py counted such messages as not shown)."""
    amy = await staff(bot, "amy")
    await say(bot, "c1", "转人工")
    held = await conversation("c1")
    agent = await Agent.get(name="amy")
    assert (held.status, held.assignee_id) == ("handoff", agent.id)
    shown: list[list[str]] = []

    async def look(topic: str, payload: dict[str, Any]) -> None:
        if topic == agent_topic(agent.id) and payload.get("type") == "message":
            detail = await (await bot.client.get(f"/api/agent/conversations/{held.id}", headers=amy)).json()
            shown.append([m["text"] for m in detail["messages"] if m["direction"] == "in"])

    on_publish(bot, look)
    assert await say(bot, "c1", "我的快递三天没动了") == []  # the person answers, not the bot
    assert shown == [["转人工", "我的快递三天没动了"]]
    assert await Message.filter(conversation_id=held.id, text="我的快递三天没动了").count() == 1
    assert (await conversation("c1")).waiting_since is not None  # the 20 s clock runs


async def test_an_agent_assigned_by_the_escalation_hears_again_once_the_escalating_message_is_written(bot) -> None:
    """The assignment's news makes the console open the conversation while the customer's 转人工 is still
    being handled; its last news comes after that message is committed, so the console's refresh on it
    shows the message (tests/test_console_browser.py waited for it and, on a loaded machine, did not get it)."""
    amy = await staff(bot, "amy")
    agent = await Agent.get(name="amy")
    shown: list[tuple[str, list[str]]] = []

    async def look(topic: str, payload: dict[str, Any]) -> None:
        if topic == agent_topic(agent.id) and payload.get("conversation_id") is not None:
            detail = await (await bot.client.get(f"/api/agent/conversations/{payload['conversation_id']}",
                                                  headers=amy)).json()
            shown.append((payload["type"], [m["text"] for m in detail["messages"] if m["direction"] == "in"]))

    on_publish(bot, look)
    replies = await say(bot, "c1", "转人工")
    assert (await conversation("c1")).status == "handoff" and "接通人工客服" in replies[-1]
    assert shown[0] == ("conversation.assigned", [])  # opened before the message was written
    assert shown[-1] == ("conversation.updated", ["转人工"])


async def test_a_lost_news_of_a_customer_message_is_logged_and_the_message_still_counts(bot, caplog) -> None:
    """Published after the message is written, the news failing (Redis did not answer) no longer fails the
    customer's message: it is recorded, its 20 s clock runs, the console's poll shows it; the loss is logged."""
    await staff(bot, "amy")
    await say(bot, "c1", "转人工")
    held = await conversation("c1")
    agent = await Agent.get(name="amy")

    async def lost(topic: str, payload: dict[str, Any]) -> None:
        if topic == agent_topic(agent.id) and payload.get("type") == "message":
            raise StoreUnavailable("Redis did not answer PUBLISH in time")

    on_publish(bot, lost)
    assert await say(bot, "c1", "我的快递三天没动了") == []
    assert await Message.filter(conversation_id=held.id, text="我的快递三天没动了").count() == 1
    assert (await conversation("c1")).waiting_since is not None
    assert "news after a customer message failed" in caplog.text
    assert "我的快递" not in caplog.text  # customer text never reaches the log
