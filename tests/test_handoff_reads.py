"""The handoff's prebuilt statements do and answer what the ORM's queries did, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta, timezone

import pytest
from tortoise import connections
from tortoise.exceptions import DoesNotExist

from bot.clock import FakeClock
from bot.store.memory import MemoryStore
from handlers.handoff import reads
from handlers.handoff.queue import QUEUE_PRIORITY, Holder, Queue
from models.agent import Agent
from models.conversation import Conversation
from models.customer import Customer
from models.handoff import LeftMessage, SlaEvent

NOW = datetime(2026, 11, 27, 8, 30, tzinfo=UTC)


class Services:
    """What `Queue` reads from the shared services: the clock, an area's queue priority."""

    def __init__(self, boost: int = 0) -> None:
        self.store, self.clock = None, FakeClock(NOW)
        self.extras = {QUEUE_PRIORITY: self._boost} if boost else {}
        self.boost = boost

    async def _boost(self, customer_id: int) -> int:
        return self.boost


async def escalating_customer() -> tuple[Customer, Conversation, Queue]:
    """A customer whose conversation asked for a person, and a queue on an in-process store."""
    customer = await Customer.create(channel="wechat", external_id="c", created_at=NOW)
    row = await Conversation.create(key="wechat:c", customer=customer, channel="wechat", opened_at=NOW,
                                    escalation_reason="human_requested")
    services = Services()
    services.store = MemoryStore(services.clock)
    return customer, row, Queue(services)


async def test_enqueue_queues_with_the_priority_a_vip_has_now_and_returns_the_row(database: None,
                                                                                   database_url: str) -> None:
    vip = await Customer.create(channel="wechat", external_id="vip", created_at=NOW)
    plain = await Customer.create(channel="wechat", external_id="plain", created_at=NOW)
    earlier = datetime(2026, 11, 20, tzinfo=UTC)
    fresh = await Conversation.create(key="wechat:vip", customer=vip, channel="wechat", opened_at=NOW,
                                      lapsed_agents=[3, 4], person_at=earlier, escalation_reason="human_requested")
    other = await Conversation.create(key="wechat:plain", customer=plain, channel="wechat", opened_at=NOW,
                                      status="closed")
    await Customer.filter(id=vip.id).update(is_vip=True)  # made a VIP since first contact: the queue knows
    first = await Queue(Services()).enqueue(fresh.id, vip.id, "vip")
    assert first is not None and not first.event_recorded  # `announce_queued` writes it
    assert await SlaEvent.filter(conversation_id=fresh.id, kind="queued").count() == 0
    queued = first.conversation
    orm = await Conversation.get(id=fresh.id)
    assert queued == tuple(getattr(orm, field) for field in reads.QUEUED_COLUMNS)  # as the ORM loads them
    assert queued == await reads.queued_conversation(fresh.id)
    assert queued.queued_at == NOW and queued.queued_at.tzinfo is not None
    assert (orm.status, orm.queued_at, orm.priority, orm.lapsed_agents, orm.person_at) == ("queued", NOW, 1, [], None)
    assert (orm.escalation_reason, orm.escalated_at) == ("vip", NOW)  # the request for a person, recorded with it
    assert await Queue(Services()).enqueue(fresh.id, vip.id, "complaint") is None  # queued already: left as it is
    assert (await Conversation.get(id=fresh.id)).escalation_reason == "vip"
    await Conversation.filter(id=fresh.id).update(status="handoff")
    assert await Queue(Services()).enqueue(fresh.id, vip.id, "vip") is None  # held by a person
    assert (await Conversation.get(id=fresh.id)).status == "handoff"
    boosted = (await Queue(Services(boost=3)).enqueue(other.id, plain.id, "vip")).conversation  # closed: queued again
    assert (boosted.status, boosted.priority) == ("queued", 3)
    assert await Queue(Services()).enqueue(10**6, plain.id, "vip") is None
    with pytest.raises(DoesNotExist):
        await reads.queued_conversation(10**6)


async def test_announcing_a_queued_conversation_records_the_event_with_the_reason(database: None) -> None:
    customer, row, queue = await escalating_customer()
    queued = await queue.enqueue(row.id, customer.id, "human_requested")
    assert queued is not None
    await asyncio.gather(*queue.announce_queued(queued))
    event = await SlaEvent.get(conversation_id=row.id)  # once: by the UPDATE (PostgreSQL) or after it
    assert (event.kind, event.agent_id, event.at, event.detail) == ("queued", None, NOW, "human_requested")
    assert await queue.holder("wechat:c") == Holder("queued", row.id, None)


async def test_a_conversation_read_as_the_orm_reads_it(database: None) -> None:
    customer = await Customer.create(channel="wechat", external_id="c", created_at=NOW)
    row = await Conversation.create(key="wechat:c", customer=customer, channel="wechat", opened_at=NOW,
                                    status="queued", queued_at=NOW, priority=2, lapsed_agents=[3, 4])
    fields = ("id", "customer_id", "key", "status", "queued_at", "priority", "lapsed_agents", "opened_at")
    assert [getattr(await reads.conversation(row.id), f) for f in fields] == [
        getattr(await Conversation.get(id=row.id), f) for f in fields]
    with pytest.raises(DoesNotExist):
        await reads.conversation(10**6)


async def test_anyone_online(database: None) -> None:
    assert await reads.anyone_online() is False
    agent = await Agent.create(name="a1", password_hash="x", created_at=NOW, presence="away")
    assert await reads.anyone_online() is False
    await Agent.filter(id=agent.id).update(presence="online")
    assert await reads.anyone_online() is True


async def test_leaving_the_queue_only_when_queued_and_the_left_message_as_the_orm_writes_it(database: None) -> None:
    customer = await Customer.create(channel="wechat", external_id="c", created_at=NOW)
    row = await Conversation.create(key="wechat:c", customer=customer, channel="wechat", opened_at=NOW,
                                    status="queued", queued_at=NOW, priority=1, waiting_since=NOW,
                                    unacked_since=NOW)
    services = Services()
    services.store = store = MemoryStore(services.clock)
    queue = Queue(services)
    await store.set(queue.closing_key(row.id), "1")  # a mark an earlier hold left
    await queue.publish_holder(await Conversation.get(id=row.id))
    left = await queue.leave_queue(row.id)
    assert left == (row.id, "wechat:c")
    back = await Conversation.get(id=row.id)
    assert (back.status, back.assignee_id, back.waiting_since, back.unacked_since, back.queued_at, back.priority) == (
        "bot", None, None, None, NOW, 1)
    await queue.left_queue(left)
    assert await queue.holder("wechat:c") is None and not await queue.wrapping_up(row.id)
    assert await queue.leave_queue(row.id) is None  # back with the bot: nothing to leave
    await Conversation.filter(id=row.id).update(status="handoff")
    assert await queue.leave_queue(row.id) is None  # a person took it meanwhile: it stays with them
    assert (await Conversation.get(id=row.id)).status == "handoff"
    await reads.record_left_message(row.id, "请回电 13800000000", NOW, NOW)
    message = await LeftMessage.get(conversation_id=row.id)
    assert (message.text, message.promised_by, message.created_at, message.done_at) == (
        "请回电 13800000000", NOW, NOW, None)


async def test_two_escalations_of_one_conversation_at_once_queue_it_once(database: None) -> None:
    """Two workers' UPDATEs race (on PostgreSQL, two pooled connections: the second waits for the
    first's row lock and then finds it queued): one queues it, with one `queued` event."""
    customer, row, queue = await escalating_customer()
    outcomes = await asyncio.gather(*(queue.enqueue(row.id, customer.id, "human_requested") for _ in range(4)))
    queued = [outcome for outcome in outcomes if outcome is not None]
    assert len(queued) == 1
    await asyncio.gather(*queue.announce_queued(queued[0]))
    assert await SlaEvent.filter(conversation_id=row.id, kind="queued").count() == 1


async def test_a_left_message_whose_leaving_the_queue_failed_is_not_written_twice(
        database: None, database_url: str) -> None:
    """The 留言 and the UPDATE leaving the queue are written together or not at all (PostgreSQL: one
    statement; SQLite: one transaction): when the UPDATE fails, the 留言 is not written either, so the
    customer's message sent again writes it once."""
    customer = await Customer.create(channel="wechat", external_id="c", created_at=NOW)
    row = await Conversation.create(key="wechat:c", customer=customer, channel="wechat", opened_at=NOW,
                                    status="queued", queued_at=NOW, priority=1)
    queue = Queue(Services())
    client = connections.get("default")
    if database_url.startswith("postgres"):
        refuse = ("CREATE FUNCTION refuse_update() RETURNS trigger LANGUAGE plpgsql AS $$ "
                  "BEGIN RAISE EXCEPTION 'refused for the test'; END $$; "
                  "CREATE TRIGGER refuse_update BEFORE UPDATE ON conversation FOR EACH ROW "
                  "EXECUTE FUNCTION refuse_update();")
        allow = "DROP TRIGGER refuse_update ON conversation; DROP FUNCTION refuse_update();"
    else:
        refuse = ("CREATE TRIGGER refuse_update BEFORE UPDATE ON conversation "
                  "BEGIN SELECT RAISE(ABORT, 'refused for the test'); END;")
        allow = "DROP TRIGGER refuse_update;"
    await client.execute_script(refuse)
    try:
        with pytest.raises(Exception, match="refused for the test"):
            await queue.leave_queue_with_message(row.id, "请回电 13800000000", NOW, NOW)
    finally:
        await client.execute_script(allow)
    assert await LeftMessage.filter(conversation_id=row.id).count() == 0
    left, kept = await queue.leave_queue_with_message(row.id, "请回电 13800000000", NOW, NOW)
    assert left == (row.id, "wechat:c") and kept in (None, NOW)
    assert await LeftMessage.filter(conversation_id=row.id).count() == 1
    assert (await Conversation.get(id=row.id)).status == "bot"
    left, _ = await queue.leave_queue_with_message(row.id, "还有一件事", NOW, NOW)
    assert left is None  # not queued: the 留言 only
    assert await LeftMessage.filter(conversation_id=row.id).count() == 2


async def test_the_kept_promise_is_the_first_open_left_message_of_the_text_as_the_orm_reads_it(database: None) -> None:
    customer = await Customer.create(channel="wechat", external_id="c", created_at=NOW)
    row = await Conversation.create(key="wechat:c", customer=customer, channel="wechat", opened_at=NOW)
    other = await Conversation.create(key="wechat:d", customer=customer, channel="wechat", opened_at=NOW)
    first, second = datetime(2026, 11, 27, 9, 0, 7, 123456, tzinfo=UTC), datetime(2026, 11, 27, 10, tzinfo=UTC)
    assert await reads.kept_promise(row.id, "请回电") is None
    await LeftMessage.create(conversation_id=row.id, text="请回电", promised_by=NOW, created_at=NOW, done_at=NOW)
    await LeftMessage.create(conversation_id=other.id, text="请回电", promised_by=NOW, created_at=NOW)
    await LeftMessage.create(conversation_id=row.id, text="别的事", promised_by=NOW, created_at=NOW)
    assert await reads.kept_promise(row.id, "请回电") is None  # done, another conversation's, another text
    await LeftMessage.create(conversation_id=row.id, text="请回电", promised_by=first, created_at=NOW)
    kept = await reads.kept_promise(row.id, "请回电")  # the only open one of the text: the table's unique key
    orm = await LeftMessage.filter(conversation_id=row.id, text="请回电", done_at=None).order_by("id").limit(1) \
        .values_list("promised_by", flat=True)
    assert kept == orm[0] == first and kept.utcoffset() == orm[0].utcoffset()
    assert await Queue(Services()).promise_kept(row.id, "请回电", second) == first
    assert await Queue(Services()).promise_kept(row.id, "没有的", second) == second


async def test_the_kept_promise_of_a_left_message_the_prebuilt_insert_wrote_reads_as_the_orm_reads_it(
        database: None) -> None:
    customer = await Customer.create(channel="wechat", external_id="c", created_at=NOW)
    row = await Conversation.create(key="wechat:c", customer=customer, channel="wechat", opened_at=NOW)
    promised = datetime(2026, 11, 27, 17, 0, 7, 5, tzinfo=timezone(timedelta(hours=8)))  # a shop's zone
    await reads.record_left_message(row.id, "请回电", promised, NOW)
    kept = await reads.kept_promise(row.id, "请回电")
    orm = await LeftMessage.filter(conversation_id=row.id).values_list("promised_by", flat=True)
    assert kept == orm[0] == promised and kept.utcoffset() == orm[0].utcoffset()
