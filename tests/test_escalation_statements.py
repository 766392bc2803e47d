"""The statements an escalation sends on the production parts (PostgreSQL and Redis), counted at asyncpg.

A request for a person on a saturated worker waits a turn of the event loop or more for each statement
(docs/performance.md, "Eleventh round: where the production tail waits"), so the count is held here, for
both the first request (the conversation queued) and a request while it is queued already (the new
reason recorded, its place kept), with what each must still write.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta

import asyncpg
import pytest

from bot.clock import FakeClock
from handlers.handoff.queue import Escalated
from models.conversation import Conversation
from models.handoff import LeftMessage, SlaEvent
from tests.fakes.bot_app import make_settings, running_bot, visitor_headers
from tests.test_handoff_reads import NOW, escalating_customer

COUNTED = ("execute", "executemany", "fetch", "fetchrow", "fetchval")
#: The group commit's statement (bot/batch_writer.py): the messages' rows, one batch shared by every message.
GROUP_COMMIT = "WITH inserted AS (INSERT INTO message"


@pytest.fixture
def statements(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The text of every statement sent through an asyncpg connection while the test runs."""
    sent: list[str] = []
    for name in COUNTED:
        method = getattr(asyncpg.connection.Connection, name)

        def counting(method=method):
            async def counted(self, query, *args, **kwargs):
                sent.append(query)
                return await method(self, query, *args, **kwargs)
            return counted

        monkeypatch.setattr(asyncpg.connection.Connection, name, counting())
    yield sent


async def escalate(bot, statements: list[str], text: str = "转人工") -> Counter[str]:
    """One message of visitor c1; the statements it sent outside the group commit, by their first two words."""
    statements.clear()
    response = await bot.client.post("/api/webchat/messages", json={"user_id": "c1", "text": text},
                                     headers=visitor_headers(bot.runtime, "c1"))
    assert response.status == 200
    return Counter(" ".join(query.split()[:2]) for query in statements if not query.startswith(GROUP_COMMIT))


async def test_an_escalation_on_the_production_parts_sends_one_statement_for_its_queue(
        tmp_path, migrated_postgres_url, redis_url, statements) -> None:
    clock = FakeClock()
    settings = make_settings(tmp_path, database_url=migrated_postgres_url, redis_url=redis_url,
                             staffed_hours="00:00-24:00")
    async with running_bot(settings, clock=clock) as bot:
        await escalate(bot, statements, "你好")  # first sight: the customer's and conversation's rows
        first = await escalate(bot, statements)
        conversation = await Conversation.get(key="webchat:c1")
        assert (conversation.status, conversation.escalation_reason) == ("queued", "human_requested")
        assert await SlaEvent.filter(conversation_id=conversation.id, kind="queued").count() == 1
        await clock.advance(5)
        again = await escalate(bot, statements)
        kept = await Conversation.get(key="webchat:c1")
        assert (kept.status, kept.queued_at, kept.escalated_at) == ("queued", conversation.queued_at, clock.now())
        assert await SlaEvent.filter(conversation_id=conversation.id, kind="queued").count() == 1
        left = await escalate(bot, statements, "留言：麻烦尽快帮我处理退款")  # told nobody is online: a 留言
        assert (await Conversation.get(key="webchat:c1")).status == "bot"
        assert await LeftMessage.filter(conversation_id=conversation.id).count() == 1
    print("first escalation:", sum(first.values()), dict(first))
    print("escalation while queued:", sum(again.values()), dict(again))
    print("留言 from the queue:", sum(left.values()), dict(left))
    # the 留言, the queue left and its promise read in one statement
    assert sum(left.values()) == 1, left
    # the queueing UPDATE (with its event) and the online check; queued already: one UPDATE and the check
    assert first["WITH queued"] == 1 and sum(first.values()) <= 2, first
    assert sum(again.values()) <= 2, again


async def test_escalate_queues_or_records_the_request_on_a_conversation_queued_or_held(database: None,
                                                                                        database_url: str) -> None:
    """`Queue.escalate` does what `enqueue` then the dispatcher's mark and the read did; on SQLite it
    queues only, and leaves a conversation queued or held already to its caller (`Escalated()`)."""
    customer, row, queue = await escalating_customer()
    postgres = database_url.startswith("postgres")
    first = await queue.escalate(row.id, customer.id, "human_requested")
    assert first.kept is None and first.queued is not None and first.queued.event_recorded is postgres
    queued = first.queued.conversation
    assert (queued.status, queued.queued_at, queued.escalation_reason) == ("queued", NOW, "human_requested")
    assert await SlaEvent.filter(conversation_id=row.id, kind="queued").count() == int(postgres)
    await queue.clock.advance(30)
    again = await queue.escalate(row.id, customer.id, "complaint")
    stored = await Conversation.get(id=row.id)
    if postgres:  # the request recorded, the place kept, no second event
        assert again.queued is None and again.kept == queued._replace(escalation_reason="complaint")
        assert (stored.escalation_reason, stored.escalated_at) == ("complaint", NOW + timedelta(seconds=30))
    else:  # nothing written: the caller marks and reads
        assert again == Escalated()
        assert (stored.escalation_reason, stored.escalated_at) == ("human_requested", NOW)
    assert (stored.status, stored.queued_at) == ("queued", NOW)
    assert await SlaEvent.filter(conversation_id=row.id, kind="queued").count() == int(postgres)
    await Conversation.filter(id=row.id).update(status="handoff", assignee_id=None)
    held = await queue.escalate(row.id, customer.id, "vip")
    assert held.queued is None and (held.kept is None) is not postgres
    if postgres:
        assert (held.kept.status, held.kept.escalation_reason) == ("handoff", "vip")
    assert (await Conversation.get(id=row.id)).status == "handoff"
    assert await queue.escalate(10**6, customer.id, "vip") == Escalated()  # no such conversation: as before


async def test_escalations_of_one_conversation_at_once_queue_it_once(database: None) -> None:
    """Racing `escalate`s (on PostgreSQL, pooled connections: the later ones wait for the first's row
    lock): one queues it, with one `queued` event; the others record the request on it or, when the row
    changed under their statement, say nothing (their caller marks and reads it)."""
    customer, row, queue = await escalating_customer()
    outcomes = await asyncio.gather(*(queue.escalate(row.id, customer.id, "human_requested") for _ in range(6)))
    queued = [outcome.queued for outcome in outcomes if outcome.queued is not None]
    assert len(queued) == 1
    assert all(outcome.kept is None or outcome.kept.status == "queued" for outcome in outcomes)
    if not queued[0].event_recorded:
        await asyncio.gather(*queue.announce_queued(queued[0]))
    assert await SlaEvent.filter(conversation_id=row.id, kind="queued").count() == 1
    assert (await Conversation.get(id=row.id)).queued_at == queued[0].conversation.queued_at


async def test_a_left_message_reads_the_promise_it_keeps_in_its_own_statement(database: None,
                                                                                database_url: str) -> None:
    """On PostgreSQL `leave_queue_with_message` answers the promise `promise_kept` reads: this 留言's,
    or the first open one's of the same text (the message handled again); on SQLite the caller reads it."""
    customer, row, queue = await escalating_customer()
    postgres = database_url.startswith("postgres")
    first_promise, later_promise = NOW + timedelta(hours=2), NOW + timedelta(hours=3)
    await queue.escalate(row.id, customer.id, "human_requested")
    left, kept = await queue.leave_queue_with_message(row.id, "请回电", first_promise, NOW)
    assert left == (row.id, "wechat:c") and kept == (first_promise if postgres else None)
    await queue.escalate(row.id, customer.id, "human_requested")  # queued again, the 留言 still open
    left, kept = await queue.leave_queue_with_message(row.id, "请回电", later_promise, NOW)
    assert left == (row.id, "wechat:c") and kept == (first_promise if postgres else None)
    assert await queue.promise_kept(row.id, "请回电", later_promise) == first_promise
    assert await LeftMessage.filter(conversation_id=row.id).count() == 1
    await LeftMessage.filter(conversation_id=row.id).update(done_at=NOW)
    left, kept = await queue.leave_queue_with_message(row.id, "请回电", later_promise, NOW)  # not queued
    assert left is None and kept == (later_promise if postgres else None)
    assert await LeftMessage.filter(conversation_id=row.id).count() == 2
