"""The console's 教机器人 tab in a real browser (Debian's Chromium, headless) against the real app:
a supervisor sees the bot's guess on a message it could not place, corrects it with one pick, and
the bot decides the next such message by the correction (an agent sees only their own conversations'
messages: tests/test_archive_privacy.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Browser, expect

from bot.clock import FakeClock
from bot.web.auth import create_agent
from models.learned_example import LearnedExample
from models.message import Message
from tests.browser import STAFF_PASSWORD as PASSWORD
from tests.browser import log_in, open_page
from tests.fakes.bot_app import RunningBot, make_settings, running_bot

pytestmark = pytest.mark.asyncio(loop_scope="session")  # the session's Chromium lives in that loop


@pytest_asyncio.fixture(loop_scope="session")
async def shop(tmp_path: Path, browser: Browser) -> AsyncIterator[tuple[RunningBot, Browser]]:
    settings = make_settings(tmp_path, staffed_hours="00:00-24:00")
    async with running_bot(settings, clock=FakeClock()) as bot:
        yield bot, browser


async def say(bot: RunningBot, user: str, text: str) -> None:
    response = await bot.post_chat({"user_id": user, "text": text})
    assert response.status == 200, await response.text()


async def test_agent_corrects_the_bots_guess_with_one_pick(shop: tuple[RunningBot, Browser]) -> None:
    bot, browser = shop
    await create_agent("amy", "supervisor", PASSWORD)
    await say(bot, "c1", "小蓝瓶上了没")  # shop jargon for a restock question: the bot asks
    assert (await Message.get(conversation__key="webchat:c1", direction="in")).intent == "unknown"

    async with open_page(browser, bot.url("/console")) as console:
        await log_in(console, "amy")

        await console.locator("#tab-teach").click()  # the panel's tab (ConsolePanel "teach")
        await expect(console.locator("#tab-teach")).to_have_text("教机器人")
        item = console.locator("#teach-view .teach-item", has_text="小蓝瓶上了没")
        await expect(item).to_be_visible()
        await expect(item.locator(".teach-meta")).to_contain_text("机器人判断")
        await expect(item.locator(".teach-tag")).to_have_text("机器人追问过")
        await item.locator(".teach-pick").select_option(label="商品咨询")
        await expect(item.locator(".teach-status")).to_contain_text("已记住")
        await expect(item).to_have_attribute("data-taught", "product.consult")

    stored = await LearnedExample.get(text="小蓝瓶上了没")
    assert (stored.intent, stored.source, stored.agent) == ("product.consult", "console", "amy")
    await say(bot, "c2", "小蓝瓶上了没？")
    assert (await Message.get(conversation__key="webchat:c2", direction="in")).intent == "product.consult"
