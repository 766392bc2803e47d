"""The console's 投诉 tab in headless Chromium against the real app (docs/rules.md R-COMPLAINT-5, -8):
a supervisor sees the complaint, opens its timeline and takes a step; the supervisor it is about
sees an empty tab."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page, expect

from bot.clock import FakeClock
from bot.web.auth import create_agent
from handlers.complaints.desk import COMPLAINTS, Draft
from models.complaint import Complaint
from models.customer import Customer
from tests.browser import DESKTOP, log_in, open_page
from tests.browser import STAFF_PASSWORD as PASSWORD
from tests.fakes.bot_app import RunningBot, make_settings, running_bot

pytestmark = pytest.mark.asyncio(loop_scope="session")  # the session's Chromium lives in that loop



@pytest_asyncio.fixture(loop_scope="session")
async def shop(tmp_path: Path) -> AsyncIterator[tuple[RunningBot, Complaint]]:
    clock = FakeClock()
    async with running_bot(make_settings(tmp_path), clock=clock) as bot:
        await create_agent("sam", "supervisor", PASSWORD)
        sid = await create_agent("sid", "supervisor", PASSWORD)
        customer = await Customer.create(channel="webchat", external_id="rita", created_at=clock.now())
        complaint, _ = await bot.runtime.services[COMPLAINTS].register(Draft(
            customer_id=customer.id, channel="webchat", actor="test", content="主管处理态度敷衍",
            category="service", accused_agent_id=sid.id))
        yield bot, complaint


async def open_tab(console: Page, name: str) -> None:
    await log_in(console, name)
    await console.locator('[data-panel="complaints"].tab').click()


async def test_a_supervisor_works_the_complaint_from_the_tab(shop, browser: Browser):
    bot, complaint = shop
    async with open_page(browser, bot.url("/console"), viewport=DESKTOP) as console:
        await open_tab(console, "sam")
        link = console.get_by_role("link", name=complaint.number)
        await expect(link).to_be_visible()
        await link.click()
        await expect(console.get_by_text("投诉内容: 主管处理态度敷衍")).to_be_visible()
        await expect(console.locator(".complaints-timeline li")).to_contain_text(["登记投诉 → 登记"])
        await console.get_by_role("button", name="确认登记").click()
        await expect(console.get_by_role("heading", name=f"{complaint.number} · 判断")).to_be_visible()
    assert (await Complaint.get(id=complaint.id)).step == "judge"


async def test_the_accused_sees_an_empty_tab(shop, browser: Browser):
    bot, complaint = shop
    async with open_page(browser, bot.url("/console"), viewport=DESKTOP) as console:
        await open_tab(console, "sid")
        await expect(console.get_by_text("暂无投诉")).to_be_visible()
        assert complaint.number not in await console.content()


async def test_a_major_complaint_is_told_at_once_on_any_tab_but_not_to_the_accused(shop, browser: Browser):
    bot, complaint = shop
    desk = bot.runtime.services[COMPLAINTS]
    async with open_page(browser, bot.url("/console"), viewport=DESKTOP) as manager, \
            open_page(browser, bot.url("/console"), viewport=DESKTOP) as accused:
        for console, name in ((manager, "sam"), (accused, "sid")):
            await log_in(console, name)
            await expect(console.locator("#conn")).to_have_attribute("data-state", "online")
        await desk.mark_major(complaint, ["media"], "test")  # the desk tab is open, not the complaints tab
        await expect(manager.locator(".toast")).to_contain_text(f"重大投诉，请立即处理：{complaint.number}")
        await manager.wait_for_timeout(300)  # the same event had time to reach the other page too
        assert complaint.number not in await accused.content()
