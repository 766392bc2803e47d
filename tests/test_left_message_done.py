"""A 留言 is done once a person answers its conversation (docs/handoff-sla.md "When a 留言 is done"): the
same words sent again after that are a new 留言 with a promise of their own, not folded into the answered
one. And a 留言 still open whose promise has passed, sent again, is told a fresh promise, never a reply
time already gone. Over the real web chat path and the console's API on both databases (time moved by
the bot's FakeClock); the promise's comparison across time zones at the statement itself."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta, timezone
from typing import Any

import pytest

from bot.clock import FakeClock
from handlers.handoff import reads
from handlers.handoff.queue import Queue
from handlers.handoff.service import HANDOFF
from models.conversation import Conversation
from models.handoff import LeftMessage
from tests.fakes.bot_app import make_settings, running_bot, visitor_headers
from tests.test_handoff import staff
from tests.test_handoff_reads import NOW, Services
from tests.test_left_message_races import a_conversation
from tests.test_left_message_redelivery import backend

__all__ = ["backend"]  # the fixture: SQLite and PostgreSQL

pytestmark = pytest.mark.timeout(60)

TEXT = "留言：麻烦尽快帮我处理退款，电话13800000000"  # marked: the bot would answer a refund
#: The promise of a 留言 with staff at work all day (`message_reply_within_minutes`' default).
WITHIN = timedelta(minutes=120)


async def say(bot, user: str, text: str) -> str:
    """`user`'s message over the web chat; the bot's last reply."""
    response = await bot.client.post("/api/webchat/messages", json={"user_id": user, "text": text},
                                     headers=visitor_headers(bot.runtime, user))
    assert response.status == 200, await response.text()
    return (await response.json())["replies"][-1]


async def leave(bot, clock: FakeClock, user: str, text: str) -> str:
    """`user` asks for a person while nobody is online, waits for the 留言 offer and leaves `text`."""
    await say(bot, user, "转人工")
    await clock.advance(121)
    await bot.runtime.scheduler.run_due()  # the queue's wait offers a 留言
    return await say(bot, user, text)


@asynccontextmanager
async def staffed_all_day(tmp_path, backend: tuple[str, dict[str, str]]) -> AsyncIterator[tuple[Any, FakeClock]]:
    clock, (_, database) = FakeClock(), backend
    async with running_bot(make_settings(tmp_path, staffed_hours="00:00-24:00", **database), clock=clock) as bot:
        yield bot, clock


async def test_a_person_answering_closes_the_left_messages_and_the_same_words_later_are_a_new_one(
        tmp_path, backend: tuple[str, dict[str, str]]) -> None:
    async with staffed_all_day(tmp_path, backend) as (bot, clock):
        handoff = bot.runtime.services[HANDOFF]
        assert "留言已记录" in await leave(bot, clock, "c1", TEXT)
        assert "留言已记录" in await leave(bot, clock, "c1", "留言：另外发票也请开一下")
        assert "留言已记录" in await leave(bot, clock, "c2", TEXT)  # another customer's, not answered
        await clock.advance(600)
        amy = await staff(bot, "amy")
        await say(bot, "c1", "转人工")  # amy takes it and answers
        held = await Conversation.get(key="webchat:c1")
        assert held.status == "handoff"
        answered_at = clock.now()
        response = await bot.client.post(f"/api/agent/conversations/{held.id}/messages",
                                         json={"text": "亲，退款已经处理好了"}, headers=amy)
        assert response.status == 200, await response.text()
        done = await LeftMessage.filter(conversation__key="webchat:c1").values_list("done_at", flat=True)
        assert done == [answered_at, answered_at]
        assert await LeftMessage.filter(conversation__key="webchat:c2", done_at=None).count() == 1

        assert (await bot.client.post(f"/api/agent/conversations/{held.id}/hand-back", json={},
                                      headers=amy)).status == 200
        assert (await bot.client.post("/api/agent/presence", json={"presence": "offline"},
                                      headers=amy)).status == 200
        await clock.advance(24 * 3600)  # the next day the customer writes the same words again
        told = await leave(bot, clock, "c1", TEXT)
        again = await LeftMessage.filter(conversation__key="webchat:c1", text=TEXT).order_by("id")
        assert [row.done_at for row in again] == [answered_at, None]  # a new 留言, open
        assert again[1].promised_by == clock.now() + WITHIN
        assert handoff.local(again[1].promised_by) in told and handoff.local(again[0].promised_by) not in told


async def test_a_session_a_person_ended_elsewhere_closes_the_left_messages(
        tmp_path, backend: tuple[str, dict[str, str]]) -> None:
    """A WeCom servicer served the customer in the WeCom app and ended the session (docs/rules.md
    R-HANDOFF-7; the channel's event reaches `Handoff.ended_elsewhere`), here after the 留言 took the
    conversation back to the bot."""
    async with staffed_all_day(tmp_path, backend) as (bot, clock):
        await leave(bot, clock, "c1", TEXT)
        await clock.advance(300)
        await bot.runtime.services[HANDOFF].ended_elsewhere("webchat:c1")
        assert await LeftMessage.filter(conversation__key="webchat:c1").values_list("done_at", flat=True) == [
            clock.now()]


async def test_a_left_message_sent_again_after_its_promise_passed_is_told_a_fresh_one(
        tmp_path, backend: tuple[str, dict[str, str]]) -> None:
    """Nobody answered in time; the customer asks again with the same words: one 留言 still, its promise
    renewed and told, not the reply time already gone. Before it passed, the first promise stays."""
    async with staffed_all_day(tmp_path, backend) as (bot, clock):
        handoff = bot.runtime.services[HANDOFF]
        await leave(bot, clock, "c1", TEXT)
        first = (await LeftMessage.get(conversation__key="webchat:c1")).promised_by
        await clock.advance(3 * 3600)  # the promise (two hours) has passed
        told = await leave(bot, clock, "c1", TEXT)
        row = await LeftMessage.get(conversation__key="webchat:c1")
        assert row.done_at is None and row.promised_by == clock.now() + WITHIN
        assert handoff.local(row.promised_by) in told and handoff.local(first) not in told, told
        await clock.advance(600)  # sent again before the renewed promise: that one is told again
        renewed = row.promised_by
        told = await leave(bot, clock, "c1", TEXT)
        assert (await LeftMessage.get(conversation__key="webchat:c1")).promised_by == renewed
        assert handoff.local(renewed) in told, told


async def test_a_passed_promise_kept_in_the_shops_zone_is_renewed(database: None) -> None:
    """A promise outside staffed hours is the shop's opening time in its zone: SQLite keeps it as text in
    that zone, beside a creation time in UTC. At 03:00 UTC the promise of 09:30 in UTC+8 (01:30 UTC) has
    passed, though its text sorts after; at 01:00 UTC it has not."""
    row = await a_conversation("bot")
    shop = timezone(timedelta(hours=8))
    promised = NOW.replace(hour=9, minute=30).replace(tzinfo=shop)
    await reads.record_left_message(row.id, TEXT, promised, NOW.replace(hour=0))
    early, late = NOW.replace(hour=1), NOW.replace(hour=3)
    await reads.record_left_message(row.id, TEXT, early + WITHIN, early)
    assert await reads.kept_promise(row.id, TEXT) == promised
    await reads.record_left_message(row.id, TEXT, late + WITHIN, late)
    assert await Queue(Services()).promise_kept(row.id, TEXT, late + WITHIN) == late + WITHIN
    assert await LeftMessage.filter(conversation_id=row.id).count() == 1
