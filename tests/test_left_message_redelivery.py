"""A 留言 is written once per customer message (docs/handoff-sla.md, "A 留言 sent again"): when
something after its write fails (here the database refuses the customer's message row, as a lost
reply or a dropped connection would fail the request), the message comes again with the same id, and
the bot, which has no record of having answered it, handles it again: the 留言 must not be doubled.
Over the real web chat path on both databases; the fault is a real trigger in the database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from tortoise import connections

from bot.clock import FakeClock
from models.handoff import LeftMessage
from tests.fakes.bot_app import make_settings, running_bot, visitor_headers

pytestmark = pytest.mark.timeout(60)

SOURCE_ID = "c1:leave-1"  # the web chat's source id of client message `leave-1` from visitor c1
REFUSE = {
    "postgres": ("CREATE FUNCTION refuse_in() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                 f"IF NEW.direction = 'in' AND NEW.source_id = '{SOURCE_ID}' THEN "
                 "RAISE EXCEPTION 'refused for the test'; END IF; RETURN NEW; END $$; "
                 "CREATE TRIGGER refuse_in BEFORE INSERT ON message FOR EACH ROW EXECUTE FUNCTION refuse_in();"),
    "sqlite": ("CREATE TRIGGER refuse_in BEFORE INSERT ON message "
               f"WHEN NEW.direction = 'in' AND NEW.source_id = '{SOURCE_ID}' "
               "BEGIN SELECT RAISE(ABORT, 'refused for the test'); END;"),
}
ALLOW = {"postgres": "DROP TRIGGER refuse_in ON message; DROP FUNCTION refuse_in();",
         "sqlite": "DROP TRIGGER refuse_in;"}


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> tuple[str, dict[str, str]]:
    """The database's name and the settings that choose it (the default is SQLite)."""
    if request.param == "sqlite":
        return "sqlite", {}
    return "postgres", {"database_url": request.getfixturevalue("migrated_postgres_url")}


async def send(bot, text: str, client_msg_id: str | None = None):
    body = {"user_id": "c1", "text": text, **({"client_msg_id": client_msg_id} if client_msg_id else {})}
    return await bot.client.post("/api/webchat/messages", json=body, headers=visitor_headers(bot.runtime, "c1"))


@asynccontextmanager
async def a_left_message_whose_reply_was_lost(tmp_path, backend: tuple[str, dict[str, str]],
                                              text: str) -> AsyncIterator[tuple[Any, FakeClock]]:
    """The web chat bot, staffed all day, on `backend`: visitor c1 was queued, offered a 留言 and left
    `text` as client message `leave-1`; the 留言 is written but the database refused the message's
    row, so the customer was answered with an error. Yields the bot and its clock."""
    clock, (dialect, database) = FakeClock(), backend
    async with running_bot(make_settings(tmp_path, staffed_hours="00:00-24:00", **database), clock=clock) as bot:
        assert (await send(bot, "转人工")).status == 200  # nobody online: queued
        await clock.advance(121)
        await bot.runtime.scheduler.run_due()  # the queue's wait offers a 留言
        client = connections.get("default")
        await client.execute_script(REFUSE[dialect])
        try:
            first = await send(bot, text, "leave-1")
        finally:
            await client.execute_script(ALLOW[dialect])
        assert first.status >= 500  # the customer was not answered: the page sends it again
        yield bot, clock


async def test_a_left_message_handled_again_after_a_failure_past_its_write_is_written_once(
        tmp_path, backend: tuple[str, dict[str, str]]) -> None:
    async with a_left_message_whose_reply_was_lost(
            tmp_path, backend, "留言：麻烦尽快帮我处理退款，电话13800000000") as (bot, _):
        again = await send(bot, "留言：麻烦尽快帮我处理退款，电话13800000000", "leave-1")
        assert again.status == 200 and "留言已记录" in (await again.json())["replies"][-1]
        assert await LeftMessage.filter(conversation__key="webchat:c1").count() == 1
        later = await send(bot, "还有，发票也请一起开", "leave-2")  # another message: not a 留言 any more
        assert later.status == 200
        assert await LeftMessage.filter(conversation__key="webchat:c1").count() == 1
