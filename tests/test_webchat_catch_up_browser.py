"""The chat page in a real browser (Debian's Chromium, headless) catches up after its connection was down:
a message pushed while nobody listened (a phone asleep, a network gone) is shown once the page reconnects
or is visible again, and each message only once, however many ways it reached the page.

The connection is cut with a TCP proxy in front of the app (tests/tcp_proxy.py) or, for a socket that
stays open and hears nothing (a phone's half-dead connection), by a WebSocket route that drops what the
server sends; nothing waits on the page's backoff (the page is told it is online again)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Browser, Locator, Page, WebSocketRoute, expect

from bot.clock import FakeClock
from tests.browser import open_page
from tests.fakes.bot_app import RunningBot, make_settings, running_bot
from tests.tcp_proxy import TcpProxy

pytestmark = pytest.mark.asyncio(loop_scope="session")  # the session's Chromium lives in that loop

TOKEN_KEY = "csbot.webchat.token"


@dataclass
class Away:
    bot: RunningBot
    page: Page
    proxy: TcpProxy
    clock: FakeClock

    @property
    def shop(self) -> Locator:
        return self.page.locator(".msg-shop .bubble")

    @property
    def customer(self) -> Locator:
        return self.page.locator(".msg-customer .bubble")

    @property
    def status(self) -> Locator:
        return self.page.locator("#status")

    async def push(self, text: str) -> None:
        """A later message for the page's visitor (an agent's reply, the queue's notice), sent as the app sends it."""
        token = await self.page.evaluate(f"() => localStorage.getItem({TOKEN_KEY!r})")
        assert await self.bot.runtime.outbox.send("webchat", token.split(".")[0], [text]) == ["sent"]


@pytest_asyncio.fixture(loop_scope="session")
async def away(tmp_path: Path, browser: Browser) -> AsyncIterator[Away]:
    """The chat page, open through a TCP proxy the test can cut, its WebSocket connected."""
    clock = FakeClock()
    async with running_bot(make_settings(tmp_path), clock=clock) as bot:
        proxy = TcpProxy("127.0.0.1", bot.server.port)
        await proxy.start()
        try:
            async with open_page(browser, f"http://127.0.0.1:{proxy.port}/") as page:
                await expect(page.locator("#status")).to_have_attribute("data-state", "online")
                yield Away(bot, page, proxy, clock)
        finally:
            await proxy.cut()


async def test_a_message_pushed_while_the_connection_was_down_is_shown_once_it_is_back(away: Away) -> None:
    page = away.page
    await page.locator("#input").fill("你好")
    await page.locator("#input").press("Enter")
    await expect(away.shop).to_have_count(1)
    greeting = await away.shop.first.inner_text()
    await away.push("亲，客服小美为您服务~")
    await expect(away.shop).to_have_text([greeting, "亲，客服小美为您服务~"])

    await away.proxy.cut()  # the phone's network is gone: the socket drops, reconnecting fails
    await expect(away.status).to_have_attribute("data-state", "reconnecting")
    await away.clock.advance(45)
    await away.push("亲，前面还有2位顾客，请稍候")  # published while no socket listens
    await away.proxy.start()  # the network is back, on the same port
    await page.evaluate("() => window.dispatchEvent(new Event('online'))")  # as the browser says so

    await expect(away.status).to_have_attribute("data-state", "online")
    await expect(away.shop).to_have_text([greeting, "亲，客服小美为您服务~", "亲，前面还有2位顾客，请稍候"])
    await expect(away.customer).to_have_text(["你好"])  # nothing heard twice: each message once, by its id
    await away.push("客服已接入")  # and the socket is live again
    await expect(away.shop.last).to_have_text("客服已接入")
    await expect(away.shop).to_have_count(4)


async def test_a_woken_phone_whose_socket_heard_nothing_shows_what_it_missed(away: Away) -> None:
    page, dropping, dropped = away.page, [False], asyncio.Event()

    def pass_on(ws: WebSocketRoute, message: str | bytes) -> None:
        if dropping[0]:
            dropped.set()
        else:
            ws.send(message)

    def relay(ws: WebSocketRoute) -> None:
        server = ws.connect_to_server()
        server.on_message(lambda message: pass_on(ws, message))

    await page.route_web_socket(re.compile(r".*/ws/webchat.*"), relay)
    await page.reload()  # the page's socket now goes through `relay`
    await expect(away.status).to_have_attribute("data-state", "online")
    await away.push("第一条")
    await expect(away.shop).to_have_text(["第一条"])

    dropping[0] = True  # the phone sleeps: its socket looks open and hears nothing
    await away.clock.advance(60)
    await away.push("睡着时客服的回复")
    await asyncio.wait_for(dropped.wait(), 10)  # it reached the phone's socket and was lost there
    dropping[0] = False
    await page.evaluate("() => document.dispatchEvent(new Event('visibilitychange'))")  # woken, the tab visible

    await expect(away.shop).to_have_text(["第一条", "睡着时客服的回复"])
    await away.push("醒来后的消息")
    await expect(away.shop).to_have_text(["第一条", "睡着时客服的回复", "醒来后的消息"])
