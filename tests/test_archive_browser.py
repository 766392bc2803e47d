"""The console's archive panel in a real browser (Debian's Chromium, headless) against the real app:
a supervisor finds a customer, reads the record masked, reveals the phone, approves an agent's
access request and sees every one of those reads in the log, recorded as the console's."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Browser, expect

from bot.clock import FakeClock
from bot.web.auth import create_agent, issue_api_token
from models.agent import Agent
from models.archive import AccessLog, AccessRequest, StaffLeave
from models.customer import Customer
from tests.browser import STAFF_PASSWORD as PASSWORD
from tests.browser import log_in, open_page
from tests.fakes.bot_app import RunningBot, make_settings, running_bot

pytestmark = pytest.mark.asyncio(loop_scope="session")  # the session's Chromium lives in that loop


@pytest_asyncio.fixture(loop_scope="session")
async def shop(tmp_path: Path, browser: Browser) -> AsyncIterator[tuple[RunningBot, Browser]]:
    async with running_bot(make_settings(tmp_path), clock=FakeClock()) as bot:
        yield bot, browser


async def test_supervisor_reads_reveals_and_approves_in_the_console(shop: tuple[RunningBot, Browser]) -> None:
    bot, browser = shop
    await create_agent("sue", "supervisor", PASSWORD)
    bob = {"Authorization": f"Bearer {await issue_api_token(await create_agent('bob', 'agent', PASSWORD))}"}
    buyer = await Customer.create(channel="webchat", external_id="v1", phone="13800138000", name="王芳",
                                  created_at=bot.runtime.clock.now())
    person_id = (await (await bot.client.get(f"/api/archive/customers/{buyer.id}", headers=bob)).json())["person_id"]
    filed = await bot.client.post("/api/access-requests", headers=bob, json={
        "person_id": person_id, "parts": ["orders"], "reason": "核对订单"})
    assert filed.status == 201

    async with open_page(browser, bot.url("/console")) as console:
        console.on("dialog", lambda dialog: dialog.accept("顾客来电核对"))
        await log_in(console, "sue")
        await console.get_by_role("button", name="客户档案").click()

        panel = console.locator(".ext-panel-archive")
        request = panel.locator(".archive-request-item", has_text="核对订单")
        await expect(request).to_be_visible()
        await panel.get_by_placeholder("姓名、手机号、订单号或客户编号").fill("王芳")
        await panel.get_by_role("button", name="查找").click()
        await panel.locator(f"[data-person='{person_id}']").click()
        contact = panel.locator(".archive-part-contact")
        await expect(contact).to_contain_text("138****8000")
        await expect(contact).not_to_contain_text("13800138000")
        await expect(panel.locator(".archive-part-class .archive-internal")).to_contain_text("禁止向顾客展示")
        await contact.locator(".archive-reveal").click()
        await expect(contact.locator(".archive-revealed")).to_have_text("13800138000")
        await request.locator(".approve").click()
        await expect(panel.locator(".archive-request-item")).to_have_count(0)
        reveal_row = panel.locator(".archive-audit-log tr", has_text="显示完整信息")
        await expect(reveal_row).to_contain_text("联系方式")
        await expect(contact.locator("th").first).to_have_text("姓名")

        leave = panel.locator(".archive-leave")  # 离职交接 from the console
        await leave.get_by_placeholder("离职人员账号").fill("bob")
        await leave.get_by_placeholder("接手人员账号").fill("sue")
        await leave.get_by_role("button", name="移交并停用账号").click()
        await expect(panel.locator(".archive-status")).to_contain_text("已移交")
        await expect(panel.locator(".archive-revoke")).to_have_count(0)  # revoking is an admin's

    assert (await AccessRequest.get(id=(await filed.json())["id"])).status == "approved"
    assert not (await Agent.get(name="bob")).active and await StaffLeave.filter(by="sue").exists()
    console_reads = set(await AccessLog.filter(staff_name="sue", via="console").values_list("action", "part"))
    assert {("search", "index"), ("read", "contact"), ("read", "orders"), ("reveal", "contact.phone")} <= console_reads
    reveal = await AccessLog.get(staff_name="sue", action="reveal")
    assert reveal.reason == "顾客来电核对" and reveal.person_id == person_id
