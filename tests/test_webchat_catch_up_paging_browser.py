"""The chat page in a real browser (tests/browser.py) after a failed first history load and after a long
outage (bot/web/static/chat.js): a failed first load is retried as a full restore, placed above what was
shown meanwhile; a catch-up after more than a page of missed messages shows every one, in order."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Browser, Locator, Page, Route, WebSocketRoute, expect

from bot.channels.webchat import HISTORY_LIMIT
from bot.clock import FakeClock
from tests.browser import open_page
from tests.fakes.bot_app import RunningBot, make_settings, running_bot
from tests.test_webchat_catch_up_browser import TOKEN_KEY

pytestmark = pytest.mark.asyncio(loop_scope="session")  # the session's Chromium lives in that loop


@dataclass
class Chat:
    bot: RunningBot
    page: Page
    clock: FakeClock

    @property
    def bubbles(self) -> Locator:
        """Every message on the page, in the order shown."""
        return self.page.locator(".msg-shop .bubble, .msg-customer .bubble")

    async def push(self, text: str) -> None:
        token = await self.page.evaluate(f"() => localStorage.getItem({TOKEN_KEY!r})")
        assert await self.bot.runtime.outbox.send("webchat", token.split(".")[0], [text]) == ["sent"]

    async def woken(self) -> None:
        await self.page.evaluate("() => document.dispatchEvent(new Event('visibilitychange'))")


@pytest_asyncio.fixture(loop_scope="session")
async def chat(tmp_path: Path, browser: Browser) -> AsyncIterator[Chat]:
    clock = FakeClock()
    async with running_bot(make_settings(tmp_path), clock=clock) as bot:
        async with open_page(browser, bot.client.make_url("/").human_repr()) as page:
            await expect(page.locator("#status")).to_have_attribute("data-state", "online")
            yield Chat(bot, page, clock)


async def test_a_failed_first_load_is_restored_above_what_came_meanwhile(chat: Chat) -> None:
    page = chat.page
    await chat.push("之前客服说的话")
    await expect(chat.bubbles).to_have_text(["之前客服说的话"])
    failing = [True]

    async def history(route: Route) -> None:
        await (route.abort() if failing[0] else route.continue_())

    await page.route(re.compile(r".*/api/webchat/history.*"), history)
    await page.reload()  # the first load (and the catch-up on connecting) fail
    await expect(page.locator("#status")).to_have_attribute("data-state", "online")
    await chat.clock.advance(30)
    await chat.push("重新打开后的消息")
    await expect(chat.bubbles).to_have_text(["重新打开后的消息"])

    failing[0] = False
    await chat.woken()
    await expect(chat.bubbles).to_have_text(["之前客服说的话", "重新打开后的消息"])


async def test_more_than_a_page_missed_is_shown_whole_and_in_order(chat: Chat) -> None:
    page, dropping, dropped = chat.page, [False], asyncio.Event()
    missed = [f"睡着时第{number}条" for number in range(1, HISTORY_LIMIT + 6)]

    def pass_on(ws: WebSocketRoute, message: str | bytes) -> None:
        if not dropping[0]:
            ws.send(message)
        elif missed[-1] in str(message):
            dropped.set()

    def relay(ws: WebSocketRoute) -> None:
        server = ws.connect_to_server()
        server.on_message(lambda message: pass_on(ws, message))

    await page.route_web_socket(re.compile(r".*/ws/webchat.*"), relay)
    await page.reload()
    await expect(page.locator("#status")).to_have_attribute("data-state", "online")
    await chat.push("睡前")
    await expect(chat.bubbles).to_have_text(["睡前"])

    dropping[0] = True  # a phone asleep: its socket looks open and hears nothing
    for text in missed:
        await chat.clock.advance(1)
        await chat.push(text)
    await asyncio.wait_for(dropped.wait(), 10)  # the last one reached the phone's socket and was lost there
    dropping[0] = False
    await chat.woken()
    await expect(chat.bubbles).to_have_text(["睡前", *missed])
