"""An erasure on request (docs/rules.md R-ARCHIVE-11, handlers/archive/erase.py) closes the person's open 留言:
their text goes and they are done at the erasure's moment, in its one transaction. It emptied their text
and left `done_at` NULL, so an erased customer's 留言 stayed open for good, in every count of open ones. A
failure later in the erasure rolls the close back with the rest. Over the web chat and the archive's API on
SQLite and PostgreSQL, time moved by the bot's FakeClock.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import RUNTIME, build_app
from bot.clock import FakeClock
from bot.extension import Extension
from handlers import EXTENSIONS
from models.conversation import Conversation
from models.handoff import LeftMessage
from tests.fakes.bot_app import RunningBot, make_settings
from tests.test_archive import staff
from tests.test_left_message_done import leave
from tests.test_left_message_redelivery import backend

__all__ = ["backend"]  # the fixture: SQLite and PostgreSQL

pytestmark = pytest.mark.timeout(60)

TEXTS = ("留言：我的快递三天没动了，电话13800138000", "留言：另外发票抬头写错了")  # marked: questions the bot answers


async def refuse(customer_ids: Sequence[int], connection: Any) -> Mapping[str, int]:
    raise RuntimeError("an area's own erasure failed")


@asynccontextmanager
async def shop(tmp_path: Path, backend: tuple[str, dict[str, str]],
               extra: tuple[Extension, ...] = ()) -> AsyncIterator[tuple[RunningBot, FakeClock]]:
    clock, (_, database) = FakeClock(), backend
    settings = make_settings(tmp_path, staffed_hours="00:00-24:00", **database)
    app = build_app(settings, [*EXTENSIONS, *extra], clock=clock)
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    try:
        yield RunningBot(client.server, client, app[RUNTIME]), clock
    finally:
        await client.close()


async def person_with_left_messages(bot: RunningBot, clock: FakeClock, root: dict[str, str]) -> tuple[int, int]:
    """Visitor c1 leaves two 留言 and c2 one; c1's conversation id and person id."""
    for text in TEXTS:
        assert "留言已记录" in await leave(bot, clock, "c1", text)
    assert "留言已记录" in await leave(bot, clock, "c2", TEXTS[0])
    held = await Conversation.get(key="webchat:c1")
    response = await bot.client.get(f"/api/archive/customers/{held.customer_id}", headers=root)
    assert response.status == 200
    return held.id, (await response.json())["person_id"]


async def test_an_erasure_closes_the_persons_open_left_messages(
        tmp_path: Path, backend: tuple[str, dict[str, str]]) -> None:
    async with shop(tmp_path, backend) as (bot, clock):
        root = await staff(bot, "root", "admin")
        conversation_id, person_id = await person_with_left_messages(bot, clock, root)
        await clock.advance(600)
        response = await bot.client.delete(f"/api/archive/{person_id}", headers=root)
        assert response.status == 200
        assert (await response.json())["counts"]["left_messages_closed"] == 2
        erased = await LeftMessage.filter(conversation_id=conversation_id).values_list("text", "done_at")
        assert erased == [("", clock.now()), ("", clock.now())]
        assert await LeftMessage.filter(done_at=None).values_list("text", flat=True) == [TEXTS[0]]  # c2's


async def test_an_erasure_that_fails_leaves_the_left_messages_as_they_were(
        tmp_path: Path, backend: tuple[str, dict[str, str]]) -> None:
    async with shop(tmp_path, backend, (Extension("erasure_probe", on_erase=refuse),)) as (bot, clock):
        root = await staff(bot, "root", "admin")
        conversation_id, person_id = await person_with_left_messages(bot, clock, root)
        assert (await bot.client.delete(f"/api/archive/{person_id}", headers=root)).status == 500
        kept = await LeftMessage.filter(conversation_id=conversation_id).order_by("id").values_list("text", "done_at")
        assert kept == [(TEXTS[0], None), (TEXTS[1], None)]
