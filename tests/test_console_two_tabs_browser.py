"""Two console tabs in one browser (Debian's Chromium, headless) against the real app: the session
cookie is the browser's, so a login or logout in one tab ends the other tab's session. The other tab
must then show the login form and say why, and send nothing more: never act as the other account while
it still shows its own (the shared computer at a change of shift)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page, Request, expect

from bot.clock import FakeClock
from bot.web.auth import create_agent
from models.agent import Agent
from tests.browser import DESKTOP, log_in, open_page
from tests.browser import STAFF_PASSWORD as PASSWORD
from tests.fakes.bot_app import RunningBot, make_settings, running_bot, visitor_headers

pytestmark = pytest.mark.asyncio(loop_scope="session")  # the session's Chromium lives in that loop


@pytest_asyncio.fixture(loop_scope="session")
async def shop(tmp_path: Path, browser: Browser) -> AsyncIterator[tuple[RunningBot, Browser]]:
    settings = make_settings(tmp_path, staffed_hours="00:00-24:00")
    async with running_bot(settings, clock=FakeClock()) as bot:
        await create_agent("agent2", "agent", PASSWORD)
        await create_agent("sup1", "supervisor", PASSWORD)
        yield bot, browser


async def enter(tab: Page, name: str) -> None:
    await log_in(tab, name)
    await expect(tab.locator("#me-name")).to_have_text(name)
    await expect(tab.locator("#conn")).to_have_attribute("data-state", "online")


def api_requests(tab: Page) -> list[str]:
    """The API calls the tab makes from now on."""
    sent: list[str] = []

    def heard(request: Request) -> None:
        if "/api/" in request.url:
            sent.append(f"{request.method} {request.url}")

    tab.on("request", heard)
    return sent


async def log_in_unseen(tab: Page, bot: RunningBot, name: str) -> None:
    """A login no console page sees: the browser's cookie replaced through the context's own client."""
    response = await tab.context.request.post(bot.url("/api/agent/login"), data={"name": name, "password": PASSWORD})
    assert response.ok, await response.text()


async def customer_asks_for_a_person(bot: RunningBot, user: str) -> None:
    response = await bot.client.post("/api/webchat/messages", json={"user_id": user, "text": "转人工"},
                                     headers=visitor_headers(bot.runtime, user))
    assert response.status == 200, await response.text()


async def test_a_login_in_another_tab_sends_this_tab_to_the_login_form(shop: tuple[RunningBot, Browser]) -> None:
    bot, browser = shop
    async with open_page(browser, bot.url("/console"), viewport=DESKTOP) as tab_a:
        await enter(tab_a, "agent2")
        tab_b = await tab_a.context.new_page()
        await tab_b.goto(bot.url("/console"))
        await enter(tab_b, "sup1")  # the browser's cookie is sup1's from now on

        sent_by_a = api_requests(tab_a)
        await customer_asks_for_a_person(bot, "c1")  # every console hears of the queue and reloads it
        await expect(tab_b.locator("#queue-list .queue-item")).to_have_count(1)
        await expect(tab_a.locator("#login-view")).to_be_visible()
        await expect(tab_a.locator("#login-error")).to_contain_text("sup1")
        await expect(tab_a.locator("#console-view")).to_be_hidden()
        assert sent_by_a == [], "tab A ran requests as sup1"

        # logging in again in tab A ends tab B's session the same way
        await enter(tab_a, "agent2")
        await expect(tab_b.locator("#login-view")).to_be_visible()
        await expect(tab_b.locator("#login-error")).to_contain_text("agent2")


async def test_a_logout_in_another_tab_sends_this_tab_to_the_login_form(shop: tuple[RunningBot, Browser]) -> None:
    bot, browser = shop
    async with open_page(browser, bot.url("/console"), viewport=DESKTOP) as tab_a:
        await enter(tab_a, "agent2")
        tab_b = await tab_a.context.new_page()  # a copy of tab A (the browser's "duplicate tab")
        await tab_b.goto(bot.url("/favicon.ico"))
        stored = await tab_a.evaluate("() => JSON.stringify(Object.entries(sessionStorage))")
        await tab_b.evaluate("(entries) => { for (const [k, v] of JSON.parse(entries)) sessionStorage.setItem(k, v); }",
                             stored)
        await tab_b.goto(bot.url("/console"))
        await expect(tab_b.locator("#me-name")).to_have_text("agent2")  # the same session, without a login

        sent_by_a = api_requests(tab_a)
        await tab_b.locator("#logout").click()
        await expect(tab_b.locator("#login-view")).to_be_visible()
        await expect(tab_a.locator("#login-view")).to_be_visible()
        await expect(tab_a.locator("#login-error")).to_contain_text("退出登录")
        assert sent_by_a == []


async def test_a_session_changed_behind_the_page_is_noticed_not_used(shop: tuple[RunningBot, Browser]) -> None:
    bot, browser = shop
    async with open_page(browser, bot.url("/console"), viewport=DESKTOP) as tab_a:
        await enter(tab_a, "agent2")
        await log_in_unseen(tab_a, bot, "sup1")

        await tab_a.locator("#presence").get_by_role("button", name="离开").click()  # refused: csrf_failed
        await expect(tab_a.locator("#login-view")).to_be_visible()
        await expect(tab_a.locator("#login-error")).to_contain_text("另一个标签页")
        assert (await Agent.get(name="sup1")).presence != "away"

        # reloaded on such a cookie, the page asks /me and finds another account than its own
        await enter(tab_a, "agent2")
        await log_in_unseen(tab_a, bot, "sup1")
        await tab_a.reload()
        await expect(tab_a.locator("#login-view")).to_be_visible()
        await expect(tab_a.locator("#login-error")).to_contain_text("sup1")
        await expect(tab_a.locator("#console-view")).to_be_hidden()
