"""prod8's single statements under a concurrent writer on real PostgreSQL (READ COMMITTED): the other
writer's transaction holds the row (or the card's number) while our statement is sent, then commits, so
the statement re-reads the row under its lock, as a second worker's would."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import asyncpg
import pytest

from bot.db import close_database, open_database
from handlers.referral.cards import issue_card
from models.conversation import Conversation
from models.handoff import SlaEvent
from models.referral import ReferralCard
from tests.test_handoff_reads import NOW, escalating_customer
from tests.test_referral_card_statement import SECRET, campaign_and_referrer


@pytest.fixture
async def other_writer(migrated_postgres_url: str) -> AsyncIterator[asyncpg.Connection]:
    """The ORM open on PostgreSQL, and a second connection in an open transaction: another worker."""
    await open_database(migrated_postgres_url)
    connection = await asyncpg.connect(migrated_postgres_url)
    try:
        yield connection
    finally:
        await connection.close()
        await close_database()


async def blocked(awaitable, database_url: str) -> asyncio.Task:
    """`awaitable` started, once the server says it waits for the lock the other writer holds."""
    task = asyncio.ensure_future(awaitable)
    watcher = await asyncpg.connect(database_url)
    try:
        for _ in range(500):
            waiting = await watcher.fetchval("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                                             "AND datname = current_database()")
            if waiting or task.done():
                break
            await asyncio.sleep(0)
    finally:
        await watcher.close()
    assert not task.done(), "the statement did not wait for the other writer's lock"
    assert waiting, "the statement never reached the other writer's lock"
    return task


async def beside_another_writer(other_writer, database_url: str, work, statement: str, *args) -> Any:
    """`work`'s outcome when it ran against the other writer's `statement`, uncommitted until `work`
    waits for its locks, then committed (another worker's write racing ours)."""
    transaction = other_writer.transaction()
    await transaction.start()
    await other_writer.execute(statement, *args)
    task = await blocked(work, database_url)
    await transaction.commit()
    return await asyncio.wait_for(task, 5)


async def test_two_workers_escalating_one_conversation_queue_it_once(other_writer, migrated_postgres_url: str) -> None:
    customer, row, queue = await escalating_customer()
    escalated = await beside_another_writer(
        other_writer, migrated_postgres_url, queue.escalate(row.id, customer.id, "human_requested"),
        "UPDATE conversation SET status = 'queued', queued_at = $1, priority = 0, "
        "escalation_reason = 'complaint', escalated_at = $1 WHERE id = $2", NOW, row.id)
    # the statement's snapshot saw the conversation with the bot; the row it re-read is queued: neither
    # part writes, and the statement asked again records the request on the queued row, its place kept
    assert escalated.queued is None and escalated.kept is not None
    assert (escalated.kept.status, escalated.kept.queued_at, escalated.kept.escalation_reason) == (
        "queued", NOW, "human_requested")
    stored = await Conversation.get(id=row.id)
    assert (stored.status, stored.queued_at, stored.escalation_reason) == ("queued", NOW, "human_requested")
    assert await SlaEvent.filter(conversation_id=row.id, kind="queued").count() == 0  # none of ours


async def test_a_request_while_queued_is_recorded_once_a_concurrent_pass_has_assigned_it(
        other_writer, migrated_postgres_url: str) -> None:
    customer, row, queue = await escalating_customer()
    await Conversation.filter(id=row.id).update(status="queued", queued_at=NOW, priority=0)
    escalated = await beside_another_writer(
        other_writer, migrated_postgres_url, queue.escalate(row.id, customer.id, "complaint"),
        "UPDATE conversation SET status = 'handoff' WHERE id = $1", row.id)
    assert escalated.queued is None and escalated.kept is not None
    assert (escalated.kept.status, escalated.kept.queued_at) == ("handoff", NOW)  # the caller answers nothing
    stored = await Conversation.get(id=row.id)
    assert (stored.status, stored.escalation_reason) == ("handoff", "complaint")


@pytest.mark.parametrize("max_cards, number", [(2, 2), (1, None)])
async def test_a_card_racing_another_for_its_number_counts_again_within_the_limit(
        other_writer, migrated_postgres_url: str, max_cards: int, number: int | None) -> None:
    campaign, referrer = await campaign_and_referrer(max_cards=max_cards)
    issued = await beside_another_writer(
        other_writer, migrated_postgres_url, issue_card(campaign, referrer, SECRET, NOW + timedelta(seconds=1)),
        "INSERT INTO referral_card (campaign_id, referrer_id, number, code, opens, issued_at) "
        "VALUES ($1, $2, 1, 'other-worker', 0, $3)", campaign.id, referrer, NOW)
    # our insert's number 1 was taken: the unique key refused it, and it counted again
    assert (issued.card.number if issued.card else None) == number
    numbers = sorted(card.number for card in await ReferralCard.filter(referrer_id=referrer))
    assert numbers == list(range(1, max_cards + 1))


async def test_a_request_while_a_concurrent_release_hands_it_back_to_the_bot_queues_it_again(
        other_writer, migrated_postgres_url: str) -> None:
    """The statement's snapshot has it queued (no queueing) and the row it re-reads is the bot's (no
    marking): without a second look the caller read it back with the bot and answered nothing."""
    customer, row, queue = await escalating_customer()
    await Conversation.filter(id=row.id).update(status="queued", queued_at=NOW - timedelta(minutes=5), priority=0)
    escalated = await beside_another_writer(
        other_writer, migrated_postgres_url, queue.escalate(row.id, customer.id, "complaint"),
        "UPDATE conversation SET status = 'bot' WHERE id = $1", row.id)
    assert escalated.queued is not None and escalated.queued.event_recorded
    assert (escalated.queued.conversation.status, escalated.queued.conversation.queued_at) == ("queued", NOW)
    stored = await Conversation.get(id=row.id)
    assert (stored.status, stored.queued_at, stored.escalation_reason) == ("queued", NOW, "complaint")
    assert await SlaEvent.filter(conversation_id=row.id, kind="queued").count() == 1
