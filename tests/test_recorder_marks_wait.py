"""A reply's delivery mark noted without waiting (`Recorder.note_sent`) goes with the next batch of rows, in
the same transaction, where it was a batch of its own as soon as the reply went out (about a third of the
group commits, each rewriting the pages the batch before had written: docs/performance.md, thirteenth
round). With no rows coming it is written alone after `MARKS_WAIT_S`; when the recorder settles, at once.
Real databases, both; the injected clock."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from bot.clock import FakeClock
from bot.db import batch_writer
from bot.recorder import MARKS_WAIT_S, MessageRecord, Recorder, outbound_message
from models.message import Message

NOW = datetime(2026, 11, 28, 22, 50, tzinfo=UTC)


async def a_reply_written(recorder: Recorder, user_id: str) -> MessageRecord:
    identity = await recorder.identify("wechat", user_id)
    reply = outbound_message("wechat", identity.conversation_id, "您好，已为您查询", "bot", NOW)
    await recorder.record([reply])
    return reply


async def status(reply: MessageRecord) -> str:
    return (await Message.get(source_id=reply.source_id)).delivery_status


async def some_turns_of_the_loop() -> None:
    for _ in range(20):
        await asyncio.sleep(0)


async def test_a_mark_waits_for_the_next_rows_and_is_written_with_them(database: None, database_url: str) -> None:
    recorder = Recorder(FakeClock(NOW), batch_writer(database_url))
    reply = await a_reply_written(recorder, "o_busy_shop")
    recorder.note_sent([reply.source_id])
    await some_turns_of_the_loop()
    assert await status(reply) == "pending"
    await a_reply_written(recorder, "o_next_customer")  # returns once its batch is committed
    assert await status(reply) == "sent"
    await recorder.close()


async def test_with_no_rows_coming_a_mark_is_written_after_its_wait(database: None, database_url: str) -> None:
    clock = FakeClock(NOW)
    recorder = Recorder(clock, batch_writer(database_url))
    reply = await a_reply_written(recorder, "o_quiet_shop")
    recorder.note_sent([reply.source_id])
    await clock.advance(MARKS_WAIT_S * 0.9)
    await some_turns_of_the_loop()
    assert await status(reply) == "pending"
    await clock.advance(MARKS_WAIT_S * 0.1)
    for _ in range(200):  # the flusher's batch, on aiosqlite's or asyncpg's turns of the loop
        if await status(reply) == "sent":
            break
        await asyncio.sleep(0)
    assert await status(reply) == "sent"
    await recorder.close()


async def test_settling_writes_a_waiting_mark_at_once(database: None, database_url: str) -> None:
    recorder = Recorder(FakeClock(NOW), batch_writer(database_url))
    reply = await a_reply_written(recorder, "o_stopping")
    recorder.note_sent([reply.source_id])
    await recorder.settle()
    assert await status(reply) == "sent"
    await recorder.close()


async def test_a_mark_noted_after_an_earlier_wait_is_written_after_its_own(database: None, database_url: str) -> None:
    clock = FakeClock(NOW)
    recorder = Recorder(clock, batch_writer(database_url))
    first, second = await a_reply_written(recorder, "o_first"), await a_reply_written(recorder, "o_second")
    recorder.note_sent([first.source_id])
    await clock.advance(MARKS_WAIT_S)
    await written(first)
    recorder.note_sent([second.source_id])  # the first wait is over: a new one begins
    await clock.advance(MARKS_WAIT_S)
    await written(second)
    await recorder.close()


async def test_a_noted_mark_is_named_sent_until_it_is_written(database: None, database_url: str) -> None:
    recorder = Recorder(FakeClock(NOW), batch_writer(database_url))
    reply = await a_reply_written(recorder, "o_repeat")
    recorder.note_sent([])  # nothing went: nothing waits
    assert recorder.sent_not_written() == set()
    recorder.note_sent([reply.source_id])
    assert recorder.sent_not_written() == {reply.source_id}
    await a_reply_written(recorder, "o_next")
    assert recorder.sent_not_written() == set() and await status(reply) == "sent"
    await recorder.close()


async def written(reply: MessageRecord) -> None:
    for _ in range(200):  # the flusher's batch, on aiosqlite's or asyncpg's turns of the loop
        if await status(reply) == "sent":
            return
        await asyncio.sleep(0)
    raise AssertionError(f"{reply.source_id} still {await status(reply)}")
