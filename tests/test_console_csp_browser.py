"""The console and the shop chat page under their Content-Security-Policy (`default-src 'self'`) in a
real browser (Debian's Chromium, headless): nothing they load is refused, so no inline `<style>` or
script is silently dropped, and the 教机器人 panel is drawn by its styles (from the console's
stylesheet), not as a bare bullet list."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Browser, ConsoleMessage, Page, expect

from bot.clock import FakeClock
from bot.web.auth import create_agent
from models.agent import ROLES
from tests.browser import DESKTOP, log_in, open_page
from tests.browser import STAFF_PASSWORD as PASSWORD
from tests.fakes.bot_app import RunningBot, make_settings, running_bot

pytestmark = pytest.mark.asyncio(loop_scope="session")  # the session's Chromium lives in that loop

TEACHERS = ("agent", "supervisor", "admin")  # the roles with the 教机器人 tab (handlers/teaching/api.py)


@pytest_asyncio.fixture(loop_scope="session")
async def shop(tmp_path: Path, browser: Browser) -> AsyncIterator[tuple[RunningBot, Browser]]:
    settings = make_settings(tmp_path, staffed_hours="00:00-24:00")
    async with running_bot(settings, clock=FakeClock()) as bot:
        yield bot, browser


def refusals(page: Page) -> list[str]:
    """What Chromium logs from now on about the page's Content-Security-Policy refusing something."""
    refused: list[str] = []

    def heard(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            refused.append(message.text)

    page.on("console", heard)
    return refused


async def open_every_tab(console: Page) -> list[str]:
    """Click each visible tab (built-in views and the areas' panels) once; the tabs' ids."""
    tabs = console.locator("#tabs .tab")
    await expect(console.locator("#tabs .tab[data-panel]").first).to_be_attached()  # the panels have come
    opened = []
    for index in range(await tabs.count()):
        tab = tabs.nth(index)
        if await tab.is_visible():
            await tab.click()
            await expect(tab).to_have_attribute("aria-pressed", "true")
            opened.append(await tab.get_attribute("id") or "")
    return opened


async def test_the_teach_panel_is_styled_for_every_role_that_has_it(shop: tuple[RunningBot, Browser]) -> None:
    bot, browser = shop
    await bot.post_chat({"user_id": "c1", "text": "小蓝瓶上了没"})  # the bot cannot place it: listed to teach
    for role in TEACHERS:
        await create_agent(f"teach_{role}", role, PASSWORD)
        async with open_page(browser, bot.url("/console"), viewport=DESKTOP) as console:
            refused = refusals(console)
            await log_in(console, f"teach_{role}")
            await console.locator("#tab-teach").click()
            await expect(console.locator("#teach-view > .teach-meta")).to_have_css("font-size", "12px")
            await expect(console.locator("#teach-list")).to_have_css("list-style-type", "none")
            if role != "agent":  # an agent is shown only their own conversations' messages
                item = console.locator("#teach-view .teach-item", has_text="小蓝瓶上了没")
                await expect(item.locator(".teach-row")).to_have_css("display", "flex")
                await expect(item.locator(".teach-tag")).to_have_css("border-top-left-radius", "4px")
            assert refused == [], role


async def test_no_role_has_anything_refused_by_the_consoles_policy(shop: tuple[RunningBot, Browser]) -> None:
    bot, browser = shop
    for role in ROLES:
        await create_agent(f"csp_{role}", role, PASSWORD)
        async with open_page(browser, bot.url("/console"), viewport=DESKTOP) as console:
            refused = refusals(console)
            await log_in(console, f"csp_{role}")
            opened = await open_every_tab(console)
            assert "tab-desk" in opened and len(opened) > 2, opened
            assert refused == [], (role, refused)


async def test_the_shop_chat_page_has_nothing_refused_by_its_policy(shop: tuple[RunningBot, Browser]) -> None:
    bot, browser = shop
    async with open_page(browser, viewport=DESKTOP) as chat:
        refused = refusals(chat)
        await chat.goto(bot.url("/"))
        await expect(chat.locator("#status")).to_have_attribute("data-state", "online")
        await chat.locator("#input").fill("你好")
        await chat.locator("#input").press("Enter")
        await expect(chat.locator(".msg-shop .bubble")).to_have_count(1)
        assert refused == []
