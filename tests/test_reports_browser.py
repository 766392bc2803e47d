"""The console's reports tab in a real browser (Debian's Chromium, headless) against the real app: a
supervisor opens it, the table shows the API's figures, the charts are the bot's SVG, the filters and
buckets change the request; an agent has no such tab (R-REPORT-7)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Browser, Locator, Page, expect

from bot.clock import FakeClock
from bot.web.auth import create_agent
from tests.browser import DESKTOP, log_in, open_page
from tests.browser import STAFF_PASSWORD as PASSWORD
from tests.fakes.bot_app import RunningBot, make_settings, running_bot
from tests.reports_data import seed_callbacks, seed_shop

pytestmark = pytest.mark.asyncio(loop_scope="session")  # the session's Chromium lives in that loop


@pytest_asyncio.fixture(loop_scope="session")
async def shop(tmp_path: Path, browser: Browser) -> AsyncIterator[tuple[RunningBot, Browser]]:
    async with running_bot(make_settings(tmp_path), clock=FakeClock()) as bot:
        await seed_callbacks(await seed_shop())
        yield bot, browser


@asynccontextmanager
async def reports_tab(shop: tuple[RunningBot, Browser]) -> AsyncIterator[tuple[Page, Locator]]:
    """A supervisor logged into the console with the reports tab open: the page and the tab's panel."""
    bot, browser = shop
    await create_agent("boss", "supervisor", PASSWORD)
    async with open_page(browser, bot.url("/console"), viewport=DESKTOP) as page:
        await log_in(page, "boss")
        # the seeded shop has a stale case: the after-sales tab's label grows to say so once its module
        # loads, moving the tabs to its right; a click aimed before that lands beside the reports tab
        await expect(page.get_by_role("button", name=re.compile("遗留"))).to_be_visible()
        reports = page.get_by_role("button", name="报表")
        await reports.click()
        await expect(reports).to_have_attribute("aria-pressed", "true")
        yield page, page.locator(".ext-panel-reports")


async def test_supervisor_sees_the_reports_with_charts(shop: tuple[RunningBot, Browser]) -> None:
    async with reports_tab(shop) as (page, panel):
        await expect(panel.locator(".reports-title")).to_contain_text("2026-11-01 ~ 2026-11-23")  # the month so far
        await panel.locator("select[name=report]").select_option(label="响应时效达标率")
        await panel.locator("input[name=from]").fill("2026-11-20")
        await panel.locator("input[name=to]").fill("2026-11-23")
        await panel.get_by_role("button", name="查看").click()
        table = panel.locator(".reports-table")
        await expect(table.locator("tbody tr")).to_have_count(5)  # four days and the totals
        day = table.locator("tbody tr", has_text="2026-11-20")
        await expect(day.locator("td").nth(1)).to_have_text("1")
        await expect(day.locator("td").nth(9)).to_have_text("50.0%")  # answered: one of two in time
        await expect(table.locator(".reports-totals td").first).to_have_text("合计")
        await expect(table.locator(".reports-totals td").nth(3)).to_have_text("33.3%")
        charts = panel.locator(".reports-chart img")
        await expect(charts).to_have_count(2)
        await page.wait_for_function(  # both of the bot's SVGs loaded and drawn, from the bot itself
            "() => [...document.querySelectorAll('.reports-chart img')].every(i => i.complete && i.naturalWidth > 0)")
        await panel.locator("select[name=report]").select_option(label="客服工作量与达标率")
        await panel.locator("select[name=bucket]").select_option("month")
        await panel.get_by_role("button", name="查看").click()
        await expect(table.locator("tbody tr")).to_have_count(3)  # alice and bob in November, and the totals
        await expect(table.locator("tbody tr", has_text="alice").locator("td").nth(3)).to_have_text("3")
        await expect(table.locator(".reports-totals td").nth(3)).to_have_text("5")  # messages written
        await panel.locator("select[name=report]").select_option(label="转介绍月报（转介绍量、转介绍率）")
        await expect(panel.locator("select[name=agent]")).to_be_disabled()
        href = await panel.locator(".reports-export").get_attribute("href")
        assert href is not None and href.startswith("/api/report-workbook?")
        await expect(panel.locator(".reports-stored")).to_contain_text("暂无已生成的报表")


async def test_agents_have_no_reports_tab(shop: tuple[RunningBot, Browser]) -> None:
    bot, browser = shop
    await create_agent("amy", "agent", PASSWORD)
    async with open_page(browser, bot.url("/console"), viewport=DESKTOP) as page:
        await log_in(page, "amy")
        await expect(page.locator("#tabs .tab").first).to_be_visible()
        await expect(page.locator("#tabs [data-panel=reports]")).to_have_count(0)


async def test_filters_narrow_the_table_and_a_filter_not_applicable_is_disabled(
        shop: tuple[RunningBot, Browser]) -> None:
    async with reports_tab(shop) as (_, panel):
        await expect(panel.locator(".reports-title")).to_contain_text("2026-11-01")
        await panel.locator("select[name=report]").select_option(label="回访统计")
        await panel.locator("input[name=from]").fill("2026-11-20")
        await panel.locator("input[name=to]").fill("2026-11-23")
        await panel.locator("select[name=channel]").select_option("webchat")
        await panel.get_by_role("button", name="查看").click()
        totals = panel.locator(".reports-table .reports-totals td")
        await expect(totals.nth(2)).to_have_text("2")  # due: cb1 and cb3, the web-chat customers' callbacks
        await expect(totals.nth(7)).to_have_text("100.0%")  # both reached
        await panel.locator("select[name=agent]").select_option(label="bob")
        await panel.get_by_role("button", name="查看").click()
        await expect(totals.nth(2)).to_have_text("1")  # cb3 alone: web chat and bob's
        await expect(totals.nth(8)).to_have_text("0.0%")  # done after its deadline
        assert "agent=" in (await panel.locator(".reports-export").get_attribute("href") or "")
        agent = panel.locator("select[name=agent]")
        await panel.locator("select[name=report]").select_option(label="转介绍月报（转介绍量、转介绍率）")
        await expect(agent).to_be_disabled()
        await expect(agent.locator("option:checked")).to_have_text("不适用")
        await expect(panel.locator("select[name=channel]")).to_be_enabled()
        await panel.get_by_role("button", name="查看").click()
        await expect(panel.locator(".reports-status")).to_have_text("")  # answered, not refused
        href = await panel.locator(".reports-export").get_attribute("href") or ""
        assert "agent=" not in href and "channel=webchat" in href
