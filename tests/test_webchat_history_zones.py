"""`GET /api/webchat/history?after=` compares instants, whatever zone the page writes the time in: SQLite
compares stored times as text, so the channel turns `after` into UTC first (bot/channels/webchat.py
`in_utc`). Over real HTTP, on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot.clock import FakeClock
from tests.fakes.bot_app import RunningBot, make_settings, running_bot, visitor_headers
from tests.test_webchat_catch_up import history, visitor

PLUS_8 = timezone(timedelta(hours=8))
MINUS_5 = timezone(timedelta(hours=-5))


async def zones_compare_as_instants(bot: RunningBot) -> None:
    user = visitor()
    response = await bot.client.post("/api/webchat/messages", json={"user_id": user, "text": "什么时候发货"},
                                     headers=visitor_headers(bot.runtime, user))
    assert response.status == 200, await response.text()
    stored = await history(bot, user)
    first = datetime.fromisoformat(stored[0]["at"])
    minute = timedelta(minutes=1)
    for zone in (PLUS_8, MINUS_5):
        before = (first - minute).astimezone(zone).isoformat()
        after = (first + minute).astimezone(zone).isoformat()
        assert await history(bot, user, after=before) == stored, before
        assert await history(bot, user, after=after) == [], after
    assert await history(bot, user, after="0001-01-01T00:00:00+10:00") == stored  # before anything UTC writes
    assert await history(bot, user, after="9999-12-31T23:59:59-10:00") == []  # after anything


async def test_after_in_any_zone_on_sqlite(bot: RunningBot) -> None:
    await zones_compare_as_instants(bot)


@pytest.mark.timeout(90)
async def test_after_in_any_zone_on_postgresql(tmp_path: Path, clock: FakeClock, fresh_postgres_url: str,
                                               redis_url: str) -> None:
    settings = make_settings(tmp_path, database_url=fresh_postgres_url, redis_url=redis_url)
    async with running_bot(settings, clock=clock) as bot:
        await zones_compare_as_instants(bot)
