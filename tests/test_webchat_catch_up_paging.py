"""A catch-up after a long outage misses nothing: `history?after=` gives the earliest messages at or after
that time, a page (`HISTORY_LIMIT`) at a time, and the page asks again from the newest it got
(bot/channels/webchat.py; the page's loop is bot/web/static/chat.js `fetchMissed`, in a browser in
tests/test_webchat_catch_up_browser.py). Without `after`, the latest page, for a reloaded page."""

from __future__ import annotations

from bot.channels.webchat import HISTORY_LIMIT
from bot.clock import FakeClock
from tests.fakes.bot_app import RunningBot
from tests.test_webchat_catch_up import history, visitor


async def test_a_long_outage_is_caught_up_page_by_page_from_the_oldest_missed(bot: RunningBot,
                                                                              clock: FakeClock) -> None:
    user = visitor()
    assert await bot.runtime.outbox.send("webchat", user, ["页面还在线时的消息"]) == ["sent"]
    newest = (await history(bot, user))[-1]["at"]
    sent = [f"离线时的第{number}条" for number in range(1, HISTORY_LIMIT + 12)]
    for text in sent:
        await clock.advance(1)
        assert await bot.runtime.outbox.send("webchat", user, [text]) == ["sent"]

    caught: list[str] = []
    pages = 0
    while True:  # as the page does: again from the newest it got, until nothing is new
        page = await history(bot, user, after=newest)
        new = [message["text"] for message in page if message["text"] not in caught]
        if not new:
            break
        pages += 1
        assert len(page) <= HISTORY_LIMIT
        caught += new
        newest = page[-1]["at"]
    assert caught == ["页面还在线时的消息", *sent]
    assert pages == 2

    latest = await history(bot, user)  # a reloaded page: the latest page, oldest first
    assert [message["text"] for message in latest] == sent[-HISTORY_LIMIT:]
