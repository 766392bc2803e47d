"""The core's prebuilt reads (`Dispatcher`'s "answered before?", `Recorder.identify`) answer what the
ORM's queries they replaced answer, on SQLite and PostgreSQL, for platform ids and user ids holding
quotes, backslashes, non-ASCII and control characters (they travel as parameters, never in the text)."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.clock import FakeClock
from bot.db import batch_writer, close_database, open_database
from bot.dispatcher import ANSWERED_BEFORE
from bot.recorder import Recorder
from bot.sqlite_client import SHORT_READS
from models.conversation import Conversation
from models.customer import Customer
from models.message import Message

AT = datetime(2026, 11, 27, 8, 30, 15, 123456, tzinfo=UTC)
AWKWARD = ["m-1", "M-1", "m'1", 'm"1\\', "消息-1", "m\t1\n", "m-1 ", "%", "_"]


async def _conversation(user_id: str) -> Conversation:
    customer = await Customer.create(channel="webchat", external_id=user_id, created_at=AT)
    return await Conversation.create(key=f"webchat:{user_id}", customer=customer, channel="webchat", opened_at=AT)


async def test_answered_before_equals_the_orm_exists(database_url: str) -> None:
    await open_database(database_url)
    try:
        mine, other = await _conversation("u-1"), await _conversation("u-2")
        for source_id in ("m-1", "m'1", 'm"1\\', "消息-1", "m\t1\n"):
            await Message.create(conversation=mine, channel="webchat", direction="in", source_id=source_id,
                                 created_at=AT)
        await Message.create(conversation=mine, channel="webchat", direction="out", source_id="out-1", created_at=AT)
        await Message.create(conversation=other, channel="webchat", direction="in", source_id="only-other",
                             created_at=AT)
        await Message.create(conversation=mine, channel="webchat", direction="in", source_id=None, created_at=AT)
        asked = [(conversation.id, source_id) for conversation in (mine, other)
                 for source_id in (*AWKWARD, "out-1", "only-other")]
        for short_reads in (False, True):  # on SQLite a reader's thread, then inline as on a message's path
            token = SHORT_READS.set(short_reads)
            try:
                answers = {}
                for conversation_id, source_id in asked:
                    orm = await Message.filter(conversation_id=conversation_id, direction="in",
                                               source_id=source_id).exists()
                    prebuilt = bool(await ANSWERED_BEFORE.rows(conversation_id, source_id))
                    assert prebuilt == orm, (conversation_id, source_id)
                    answers[conversation_id, source_id] = prebuilt
            finally:
                SHORT_READS.reset(token)
            assert sum(answers.values()) == 6  # five awkward ids of `mine`, and `other`'s own
    finally:
        await close_database()


async def test_identify_finds_users_whose_ids_need_quoting(database_url: str, clock: FakeClock) -> None:
    await open_database(database_url)
    try:
        created = Recorder(clock, batch_writer(database_url))
        first = {user_id: await created.identify("webchat", user_id) for user_id in AWKWARD}
        assert len({identity.customer_id for identity in first.values()}) == len(AWKWARD)
        for short_reads in (False, True):  # on SQLite a reader's thread, then inline as on a message's path
            restarted = Recorder(clock, batch_writer(database_url))  # reads them back with the prebuilt statement
            token = SHORT_READS.set(short_reads)
            try:
                for user_id, identity in first.items():
                    assert await restarted.identify("webchat", user_id) == identity, user_id
            finally:
                SHORT_READS.reset(token)
            await restarted.close()
        assert await Customer.all().count() == len(AWKWARD)
        await created.close()
    finally:
        await close_database()
