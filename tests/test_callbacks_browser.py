"""The console's 回访 tab in a real browser (Debian's Chromium, headless) against the real app: an agent
sees the phone list masked, reveals the number to call, records the answer, and the month's
figures count it (docs/rules.md R-CALLBACK-6, R-CALLBACK-8)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Browser, expect

from bot.clock import FakeClock
from bot.web.auth import create_agent
from handlers.callbacks import schedule
from handlers.callbacks.desk import DESK
from models.callback import CallbackTask
from models.customer import Customer
from models.order import Order
from tests.browser import STAFF_PASSWORD as PASSWORD
from tests.browser import log_in, open_page
from tests.fakes.bot_app import RunningBot, make_settings, running_bot

pytestmark = pytest.mark.asyncio(loop_scope="session")  # the session's Chromium lives in that loop


@pytest_asyncio.fixture(loop_scope="session")
async def shop(tmp_path: Path, browser: Browser) -> AsyncIterator[tuple[RunningBot, Browser]]:
    settings = make_settings(tmp_path, staffed_hours="00:00-24:00")
    async with running_bot(settings, clock=FakeClock()) as bot:
        await bot.runtime.scheduler.stop()
        yield bot, browser


async def test_agent_calls_a_customer_from_the_list_and_records_the_answer(shop):
    bot, browser = shop
    await create_agent("amy", "agent", PASSWORD)
    identity = await bot.runtime.recorder.identify("wechat", "o_phone_only")  # WeChat is not running here
    await Customer.filter(id=identity.customer_id).update(name="李雷雷", phone="13700001111")
    paid = bot.runtime.clock.now() - timedelta(days=3)
    await Order.create(order_no="E9001", customer_id=identity.customer_id, status="paid", paid_at=paid,
                       updated_at=paid)
    await schedule.sweep(bot.runtime.services[DESK])
    await bot.runtime.scheduler.run_due()
    task = await CallbackTask.get(customer_id=identity.customer_id)
    assert task.state == "phone"

    async with open_page(browser, bot.url("/console")) as console:
        await log_in(console, "amy")
        await console.get_by_role("button", name="回访").click()
        row = console.locator(f'tr[data-task="{task.id}"]')
        await expect(row).to_contain_text("成交回访")
        await expect(row).to_contain_text("李*雷")
        await expect(row.locator(".phone")).to_have_text("137****1111")
        await row.get_by_role("button", name="查看电话").click()
        await expect(row.locator(".phone")).to_have_text("13700001111")
        form = row.locator("form.callback-outcome")
        await form.locator('select[name="rating"]').select_option("neutral")
        await form.locator('input[name="feedback"]').fill("物流有点慢")
        await form.get_by_role("button", name="保存").click()
        await expect(console.locator(".callback-due .empty")).to_have_text("暂无需要回访的顾客")
        stats = console.locator(".callback-stats")
        await expect(stats.locator('tr[data-kind="buyer"]')).to_contain_text("100.0%")

    await task.refresh_from_db()
    assert (task.state, task.rating, task.feedback, task.way) == ("done", "neutral", "物流有点慢", "phone")
    assert task.owner_id is not None and task.done_by == f"agent:{task.owner_id}"  # whoever took the call
