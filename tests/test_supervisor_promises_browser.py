"""The supervisor view's two rate cards in a real browser: out of every promise that fell due today, as
the `response_time` report counts them (tests/test_supervisor_promises.py checks the API against the
report). A customer never reached and a question never answered make them 50%, where the cards showed
100.0% (1 / 1) because they divided by the events that happened."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from bot.web.auth import create_agent
from tests import test_console_browser
from tests.browser import DESKTOP, open_page
from tests.test_console_browser import PASSWORD, Desk, log_in

pytestmark = pytest.mark.asyncio(loop_scope="session")  # the session's Chromium lives in that loop

desk = test_console_browser.desk  # the real app on a FakeClock, and the session's Chromium


async def tick(desk: Desk, seconds: float) -> None:
    await desk.clock.advance(seconds)
    await desk.bot.runtime.scheduler.run_due()


async def test_the_rate_cards_count_the_customer_never_reached_and_the_question_never_answered(desk: Desk) -> None:
    await create_agent("小美", "agent", PASSWORD, capacity=1)
    await create_agent("老王", "supervisor", PASSWORD)  # offline: online, he would take the second customer
    staff = await desk.staff_session("小美")
    try:
        await staff.post("/api/agent/presence", {"presence": "online"})
        await desk.customer_says("visitor-1", "转人工")
        await tick(desk, 0.3)  # greeted on 小美's behalf: reached within 15 s
        await desk.customer_says("visitor-1", "在吗")
        await tick(desk, 2)
        first = await desk.conversation_of("visitor-1")
        await staff.post(f"/api/agent/conversations/{first.id}/messages", {"text": "亲，在的"})
    finally:
        await staff.close()
    await desk.customer_says("visitor-2", "转人工")  # 小美's one place is taken: never reached
    assert (await desk.conversation_of("visitor-2")).status == "queued"
    await desk.customer_says("visitor-1", "还有个问题，能改地址吗")  # never answered
    await tick(desk, 21)
    async with open_page(desk.browser, desk.url("/console"), viewport=DESKTOP) as console:
        await log_in(console, "老王")
        await console.get_by_role("button", name="主管视图").click()
        await expect(console.locator("#supervisor-view")).to_be_visible()
        await expect(console.locator("#sv-greet-rate")).to_have_text("50.0%")
        await expect(console.locator("#sv-greet-sub")).to_contain_text("1 / 2")
        await expect(console.locator("#sv-reply-rate")).to_have_text("50.0%")
        await expect(console.locator("#sv-reply-sub")).to_contain_text("1 / 2")
        await expect(console.locator("#sv-greet-rate")).to_have_class(re.compile(r"\bbad\b"))
