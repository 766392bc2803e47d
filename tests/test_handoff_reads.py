"""The handoff's prebuilt reads answer what the ORM's queries answered, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from tortoise.exceptions import DoesNotExist

from bot.db import close_database, open_database
from handlers.handoff import reads
from models.agent import Agent
from models.conversation import Conversation
from models.customer import Customer

NOW = datetime(2026, 11, 27, 8, 30, tzinfo=UTC)


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[None]:
    await open_database(database_url)
    try:
        yield
    finally:
        await close_database()


async def test_the_conversation_and_whether_its_customer_is_a_vip_now(database: None) -> None:
    vip = await Customer.create(channel="wechat", external_id="vip", is_vip=True, created_at=NOW)
    plain = await Customer.create(channel="wechat", external_id="plain", created_at=NOW)
    queued = await Conversation.create(key="wechat:vip", customer=vip, channel="wechat", opened_at=NOW,
                                       status="queued", queued_at=NOW, priority=2, lapsed_agents=[3, 4],
                                       escalation_reason="human_requested")
    fresh = await Conversation.create(key="wechat:plain", customer=plain, channel="wechat", opened_at=NOW)
    conversation, is_vip = await reads.escalating(queued.id)
    assert is_vip is True
    orm = await Conversation.get(id=queued.id)
    fields = ("id", "customer_id", "key", "status", "queued_at", "priority", "lapsed_agents", "escalation_reason",
              "assignee_id", "opened_at", "person_at", "holding_sent")
    assert [getattr(conversation, f) for f in fields] == [getattr(orm, f) for f in fields]
    assert conversation.lapsed_agents == [3, 4] and conversation.queued_at == NOW
    assert (await reads.escalating(fresh.id))[1] is False
    await Customer.filter(id=plain.id).update(is_vip=True)  # made a VIP since: the read says so
    assert (await reads.escalating(fresh.id))[1] is True
    conversation.priority = 5  # a loaded row saves like the ORM's own
    await conversation.save(update_fields=["priority"])
    assert (await Conversation.get(id=queued.id)).priority == 5
    assert [getattr(await reads.conversation(queued.id), f) for f in fields] == [
        getattr(await Conversation.get(id=queued.id), f) for f in fields]
    for read in (reads.escalating, reads.conversation):
        with pytest.raises(DoesNotExist):
            await read(10**6)


async def test_anyone_online(database: None) -> None:
    assert await reads.anyone_online() is False
    agent = await Agent.create(name="a1", password_hash="x", created_at=NOW, presence="away")
    assert await reads.anyone_online() is False
    await Agent.filter(id=agent.id).update(presence="online")
    assert await reads.anyone_online() is True
