"""A web-chat page whose connection was down catches up from the history (bot/channels/webchat.py), over
real HTTP and a real WebSocket: what was pushed while no socket listened is in `history?after=`, and every
message carries the same id on each way it reaches the page (reply, WebSocket event, history), so the page
can show it once."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from bot.clock import FakeClock
from models.message import Message
from tests.fakes.bot_app import RunningBot, make_settings, running_bot, visitor_headers

HISTORY = "/api/webchat/history"


def visitor() -> str:
    return str(uuid.uuid4())


async def history(bot: RunningBot, user: str, **params: str) -> list[dict]:
    response = await bot.client.get(HISTORY, params=params, headers=visitor_headers(bot.runtime, user))
    assert response.status == 200, await response.text()
    return (await response.json())["messages"]


async def test_a_push_made_while_the_page_was_away_is_in_the_history_after_its_newest_message(
        bot: RunningBot, clock: FakeClock) -> None:
    await away_and_back(bot, clock)


async def test_the_same_on_postgresql_and_redis(tmp_path: Path, clock: FakeClock, fresh_postgres_url: str,
                                                redis_url: str) -> None:
    settings = make_settings(tmp_path, database_url=fresh_postgres_url, redis_url=redis_url)
    async with running_bot(settings, clock=clock) as bot:
        await away_and_back(bot, clock)


async def away_and_back(bot: RunningBot, clock: FakeClock) -> None:
    """A page's visitor asks, hears a push on its socket, loses the socket, misses the next push; the
    history after the newest message the page holds gives what it missed, with the ids it heard."""
    user, client_msg_id = visitor(), visitor()
    response = await bot.client.post("/api/webchat/messages", headers=visitor_headers(bot.runtime, user),
                                     json={"text": "什么时候发货", "client_msg_id": client_msg_id})
    answer = await response.json()
    assert len(answer["ids"]) == len(answer["replies"]) >= 1
    async with bot.client.ws_connect(bot.page_url(user)) as ws:
        await clock.advance(30)
        assert await bot.runtime.outbox.send("webchat", user, ["客服小美为您服务"]) == ["sent"]
        heard = await ws.receive_json(timeout=5)
    loaded = await history(bot, user)  # what the page holds, as it was when its socket went away
    await clock.advance(45)
    sent = await bot.runtime.outbox.send("webchat", user, ["亲，前面还有2位，请稍候"])  # nobody listens
    assert sent == ["sent"]

    missed = await history(bot, user, after=loaded[-1]["at"])
    assert [(m["direction"], m["text"]) for m in missed] == [("out", "客服小美为您服务"),
                                                             ("out", "亲，前面还有2位，请稍候")]
    assert missed[0]["id"] == heard["ids"][0] == loaded[-1]["id"]  # at, not after: known by its id, shown once
    assert {m["id"] for m in loaded} >= {client_msg_id, *answer["ids"]}
    assert [m["id"] for m in loaded if m["direction"] == "in"] == [client_msg_id]
    assert await Message.filter(source_id=missed[1]["id"], direction="out").count() == 1


async def test_a_message_sent_without_client_msg_id_has_no_id_in_the_history(bot: RunningBot) -> None:
    user = visitor()
    await bot.client.post("/api/webchat/messages", json={"text": "你好"}, headers=visitor_headers(bot.runtime, user))
    messages = await history(bot, user)
    assert [m["id"] for m in messages if m["direction"] == "in"] == [None]
    assert all(m["id"] for m in messages if m["direction"] == "out")


async def test_nothing_after_the_newest_message_is_an_empty_catch_up(bot: RunningBot, clock: FakeClock) -> None:
    user = visitor()
    await bot.client.post("/api/webchat/messages", json={"text": "你好"}, headers=visitor_headers(bot.runtime, user))
    await clock.advance(1)
    assert await history(bot, user, after=clock.now().isoformat()) == []


@pytest.mark.parametrize("after", ["yesterday", "", "2026-13-40T00:00:00Z", "2026-11-29T03:00:00", "1e999"])
async def test_an_after_that_is_no_time_with_its_zone_is_refused(bot: RunningBot, after: str) -> None:
    user = visitor()
    response = await bot.client.get(HISTORY, params={"after": after}, headers=visitor_headers(bot.runtime, user))
    assert response.status == 400, await response.text()
    assert (await response.json())["error"]["code"] == "invalid_query"
