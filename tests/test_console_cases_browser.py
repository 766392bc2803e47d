"""The console's 售后工单 tab in a real browser (Debian's Chromium, headless) against the real app.

Cases are filed the way customers file them, through the web chat (`/api/webchat/messages`,
photo uploads at `/api/after-sales/photos`), or through the after-sales services where a test
only needs one to exist. Staff log in to `/console` and work the case from the tab; what the
page did is checked in the database too. The bot's clock is a `FakeClock`: a case turns stale
when the clock passes shop-local midnight, never by waiting.
"""

from __future__ import annotations

import io
import re
import struct
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest
import pytest_asyncio
from aiohttp import ClientSession, CookieJar
from playwright.async_api import Browser, Locator, Page, expect

from bot.clock import FakeClock
from bot.web.auth import create_agent
from handlers.after_sales.desk import DESK
from models.archive import AccessLog
from models.case import AfterSalesCase, CaseEvent
from models.customer import Customer
from models.message import Message
from models.order import Order
from tests.browser import DESKTOP, PHONE, has_horizontal_scroll, open_page
from tests.browser import STAFF_PASSWORD as PASSWORD
from tests.browser import log_in as log_in_as
from tests.fakes.bot_app import RunningBot, make_settings, running_bot, visitor_headers
from tests.fakes.erp_server import order_object, seed_orders

pytestmark = pytest.mark.asyncio(loop_scope="session")  # the session's Chromium lives in that loop

ORDER = "E2026112200123"
OTHER = "E2026112200456"
BIG = "E2026112200888"  # 6999.00 yuan: above the 5000 yuan an agent may refund alone
TEN_AM_IN_SHANGHAI = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
NEXT_MORNING_S = 23.5 * 3600  # 10:00 → 09:30 the next day, shop-local: past midnight, the shift starts
SMALL_HOURS_S = 15 * 3600  # 10:00 → 01:00 the next day, shop-local (still the 23rd in UTC)


def png(width: int = 2, height: int = 2) -> bytes:
    """A real (orange) PNG, so the browser can decode the photo the page shows."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\xff\x50\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


PNG = png()


@dataclass
class Shop:
    bot: RunningBot
    clock: FakeClock
    browser: Browser

    def url(self, path: str) -> str:
        return self.bot.url(path)

    async def customer_says(self, user_id: str, text: str) -> str:
        response = await self.bot.client.post("/api/webchat/messages", json={"user_id": user_id, "text": text},
                                               headers=visitor_headers(self.bot.runtime, user_id))
        assert response.status == 200, await response.text()
        return "\n".join((await response.json())["replies"])

    async def customer_sends_photo(self, user_id: str) -> None:
        form = aiohttp.FormData()
        form.add_field("user_id", user_id)
        form.add_field("file", io.BytesIO(PNG), filename="photo.png", content_type="image/png")
        response = await self.bot.client.post("/api/after-sales/photos", data=form,
                                               headers=visitor_headers(self.bot.runtime, user_id))
        assert response.status == 200, await response.text()

    async def file_case(self, order_no: str, kind: str, customer: str = "alice", **fields: object) -> AfterSalesCase:
        """A case filed through the after-sales services, as the chat would file it."""
        who = await Customer.get(channel="webchat", external_id=customer)
        order = await Order.get(order_no=order_no)
        case, created = await self.bot.runtime.services[DESK].cases.file(
            order, kind, actor=f"customer:{who.id}", customer_id=who.id, description="顾客在聊天里说的", **fields
        )
        assert created
        return case

    async def staff_moves(self, name: str, case_no: str, to: str, **body: object) -> dict:
        """Another staff member moves a case through the API from their own session."""
        async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as session:
            login = await session.post(self.url("/api/agent/login"), json={"name": name, "password": PASSWORD})
            assert login.status == 200, await login.text()
            csrf = (await login.json())["csrf_token"]
            response = await session.post(
                self.url(f"/api/cases/{case_no}/transitions"), json={"to": to, **body}, headers={"X-CSRF-Token": csrf}
            )
            assert response.status == 200, await response.text()
            return await response.json()


@pytest_asyncio.fixture(loop_scope="session")
async def shop(tmp_path: Path, browser: Browser) -> AsyncIterator[Shop]:
    clock = FakeClock(TEN_AM_IN_SHANGHAI)
    settings = make_settings(tmp_path, after_sales_upload_dir=tmp_path / "uploads")
    async with running_bot(settings, clock=clock) as bot:
        await seed_orders(
            order_object(ORDER, "webchat:alice"),
            order_object(OTHER, "webchat:alice"),
            order_object(BIG, "webchat:alice", items=[{"item_name": "扫地机器人", "qty": 1, "price": "6999.00"}]),
            now=clock.now(),
        )
        yield Shop(bot, clock, browser)


# --- the page ---


async def log_in(console: Page, name: str) -> None:
    await log_in_as(console, name)
    await expect(console.locator("#me-name")).to_have_text(name)


async def open_cases_tab(console: Page) -> None:
    await console.locator("#tab-cases").click()
    await expect(console.locator("#cases-view")).to_be_visible()
    await expect(console.locator("#tab-cases")).to_have_attribute("aria-pressed", "true")


def case_rows(console: Page) -> Locator:
    return console.locator("#cases-list .case-item")


def row(console: Page, case_no: str) -> Locator:
    return console.locator(f'#cases-list .case-item[data-id="{case_no}"]')


async def open_case(console: Page, case_no: str) -> None:
    await row(console, case_no).locator(".case-btn").click()
    await expect(console.locator("#case-no")).to_have_text(case_no)


def next_steps(console: Page) -> Locator:
    return console.locator("#case-next button")


async def take_step(console: Page, step: str, reason: str = "") -> None:
    await next_steps(console).filter(has_text=re.compile(f"^{step}$")).click()
    await expect(console.locator("#case-form")).to_be_visible()
    if reason:
        await console.locator("#case-reason").fill(reason)
    await console.locator("#case-submit").click()


def fact(console: Page, term: str) -> Locator:
    return console.locator(f'#case-facts dt:text-is("{term}") + dd')


# --- the stories ---


async def test_agent_sees_a_case_filed_in_the_chat_and_advances_it_one_step(shop: Shop) -> None:
    amy = await create_agent("小美", "agent", PASSWORD)
    bob = await create_agent("阿杰", "agent", PASSWORD)
    reply = await shop.customer_says("alice", "我要退货")
    reply = await shop.customer_says("alice", ORDER)
    [case] = await AfterSalesCase.filter(order__order_no=ORDER)
    assert case.kind == "return" and case.state == "requested" and case.case_no in reply
    await shop.customer_sends_photo("alice")
    attack = '<img src=x onerror="window.__xss = 1">'
    await AfterSalesCase.filter(id=case.id).update(description=f"我要退货 {attack}")

    async with open_page(shop.browser, shop.url("/console"), viewport=DESKTOP) as console:
        await log_in(console, "小美")
        await expect(console.locator("#tab-cases")).to_be_visible()  # every staff role has the tab
        await open_cases_tab(console)

        # the list: number, kind, order, step, owner, last update; nothing stale yet
        await expect(case_rows(console)).to_have_count(1)
        listed = row(console, case.case_no)
        for text in (case.case_no, "退货", ORDER, "前期沟通", "未分配", "更新于"):
            await expect(listed).to_contain_text(text)
        await expect(listed).not_to_have_class(re.compile(r"\bstale\b"))
        await expect(console.locator("#cases-badge")).to_be_hidden()

        # the details: facts, the order, the customer's photo, the history, the steps the API allows
        await open_case(console, case.case_no)
        await expect(console.locator("#case-step")).to_have_text("前期沟通")
        await expect(fact(console, "订单号")).to_have_text(ORDER)
        await expect(fact(console, "顾客描述")).to_have_text(f"我要退货 {attack}")  # markup stays text
        assert await console.evaluate("() => window.__xss") is None
        await expect(console.locator("#case-order")).to_contain_text("玻璃水杯 ×1")
        photo = console.locator("#case-photos img")
        await expect(photo).to_have_count(1)
        await expect(photo).to_have_js_property("complete", True)
        assert await photo.evaluate("img => img.naturalWidth") == 2  # loaded with the staff cookie, under the CSP
        events = console.locator("#case-events .case-event")
        await expect(events).to_have_count(2)
        await expect(events.first).to_contain_text("提交售后申请")
        await expect(events.first).to_contain_text("顾客")
        await expect(events.last).to_contain_text("发来照片")
        await expect(next_steps(console)).to_have_text(["确认受理", "拒绝", "取消工单"])

        # a rejection needs a reason the customer is told: asked for before anything is sent
        await take_step(console, "拒绝")
        await expect(console.locator("#case-error")).to_have_text("请填写拒绝原因（会告知顾客）。")
        await console.get_by_role("button", name="取消", exact=True).click()
        await expect(console.locator("#case-form")).to_be_hidden()

        # one step forward, with a reason: the new step, its history line, the agent now owns it
        await take_step(console, "确认受理", "符合七天无理由退货")
        await expect(console.locator("#case-step")).to_have_text("商家已确认")
        await expect(console.locator("#case-form")).to_be_hidden()
        await expect(events).to_have_count(3)
        await expect(events.last).to_contain_text("前期沟通 → 商家已确认")
        await expect(events.last).to_contain_text("小美")
        await expect(events.last).to_contain_text("原因：符合七天无理由退货")
        await expect(fact(console, "负责人")).to_have_text("小美")
        await expect(next_steps(console)).to_have_text(["等待寄回", "拒绝", "取消工单"])
        await expect(listed).to_contain_text("商家已确认")
        await expect(listed).to_contain_text("小美")

        # a colleague moves it meanwhile; the step the page still offers is refused (409), politely
        await shop.staff_moves("阿杰", case.case_no, "awaiting_return")
        await take_step(console, "拒绝", "商品已使用")
        error = console.locator("#case-error")
        await expect(error).to_contain_text("该工单现在不能进行这一步（可能已被同事处理）")
        await expect(error).to_contain_text("目前可以：确认收到退货、取消工单")
        await expect(console.locator("#case-step")).to_have_text("待寄回")  # reloaded
        await expect(next_steps(console)).to_have_text(["确认收到退货", "取消工单"])
        assert "not_allowed" not in await console.locator("body").inner_text()  # the server's English stays out

        # the tab fits a phone
        await console.set_viewport_size(PHONE)
        await expect(console.locator("#case-detail")).to_be_visible()
        assert not await has_horizontal_scroll(console)

    await case.refresh_from_db()
    assert case.state == "awaiting_return" and case.assignee_id == amy.id
    moved = await CaseEvent.filter(case_id=case.id, action="transition").order_by("id")
    assert [(e.from_state, e.to_state, e.actor, e.reason) for e in moved] == [
        ("requested", "approved", f"agent:{amy.id}", "符合七天无理由退货"),
        ("approved", "awaiting_return", f"agent:{bob.id}", ""),
    ]  # the refused step left no trace
    told = await Message.filter(conversation__key="webchat:alice", direction="out").order_by("-id").first()
    assert told is not None and case.case_no in told.text  # the customer heard of each step


async def test_a_refund_above_the_agents_limit_is_refused_politely_until_a_supervisor_approves_it(shop: Shop) -> None:
    await create_agent("小美", "agent", PASSWORD)
    await create_agent("老王", "supervisor", PASSWORD)
    case = await shop.file_case(BIG, "refund", requested_fen=699900)
    await shop.staff_moves("小美", case.case_no, "approved")

    async with (
        open_page(shop.browser, shop.url("/console"), viewport=DESKTOP) as agent,
        open_page(shop.browser, shop.url("/console"), viewport=DESKTOP) as boss,
    ):
        # the agent tries to refund 6999 yuan: the API refuses (403), the page says why in Chinese
        await log_in(agent, "小美")
        await open_cases_tab(agent)
        await open_case(agent, case.case_no)
        await expect(next_steps(agent)).to_have_text(["处理完成", "拒绝", "取消工单"])
        await expect(agent.locator("#case-more")).not_to_contain_text("批准金额")  # supervisors only
        await next_steps(agent).filter(has_text="处理完成").click()
        await agent.locator("#case-outcome").select_option("refunded")
        await agent.locator("#case-method").select_option("original")
        await expect(agent.locator("#case-amount")).to_have_value("6999.00")  # what the customer asked for
        await agent.locator("#case-submit").click()
        await expect(agent.locator("#case-error")).to_have_text(
            "金额超出您的处理权限，需要主管先批准该金额（或请主管处理）。"
        )
        await expect(agent.locator("#case-step")).to_have_text("商家已确认")
        await expect(agent.locator("#case-form")).to_be_visible()  # what was typed stays for another try

        # the supervisor has the tab too, and approves the amount beforehand (临时处置权)
        await log_in(boss, "老王")
        await open_cases_tab(boss)
        await open_case(boss, case.case_no)
        await boss.locator("#case-more").get_by_role("button", name="批准金额").click()
        await expect(boss.locator("#case-amount")).to_have_value("6999.00")
        await boss.locator("#case-reason").fill("质量问题，同意全额退款")
        await boss.locator("#case-submit").click()
        await expect(fact(boss, "主管已批准")).to_have_text("¥6999.00")
        await expect(boss.locator("#case-events .case-event").last).to_contain_text("批准金额 ¥6999.00")
        await expect(boss.locator("#case-events .case-event").last).to_contain_text("老王")

        # the agent's second try goes through
        await agent.locator("#case-submit").click()
        await expect(agent.locator("#case-step")).to_have_text("已解决")
        await expect(agent.locator("#case-error")).to_be_hidden()
        await expect(fact(agent, "处理结果")).to_have_text("退款 · 原路退回 · ¥6999.00")
        await expect(agent.locator("#case-closed")).to_have_text("该工单已结束，无需再处理")
        await expect(next_steps(agent)).to_have_count(0)
        await expect(case_rows(agent)).to_have_count(0)  # no longer open

    await case.refresh_from_db()
    assert (case.state, case.outcome, case.amount_fen, case.approved_fen) == ("resolved", "refunded", 699900, 699900)


async def test_a_case_held_down_while_the_list_refreshes_still_opens(shop: Shop) -> None:
    # The list is refreshed by a poll and on every visit to the tab: a press and its release are a click
    # only on one and the same button, so a refresh between them must keep the entry's node.
    await create_agent("小美", "agent", PASSWORD)
    case = await shop.file_case(ORDER, "return")
    async with open_page(shop.browser, shop.url("/console"), viewport=DESKTOP) as console:
        await log_in(console, "小美")
        await open_cases_tab(console)
        await row(console, case.case_no).locator(".case-btn").hover()
        await console.mouse.down()
        async with console.expect_response(re.compile(r"/api/cases\?")) as refreshed:
            await console.evaluate("() => document.querySelector('#tab-cases').click()")
        await (await refreshed.value).finished()
        await console.evaluate("() => new Promise((shown) => requestAnimationFrame(() => setTimeout(shown)))")
        await console.mouse.up()
        await expect(console.locator("#case-no")).to_have_text(case.case_no)


async def test_a_case_nobody_touched_since_yesterday_is_stale_and_highlighted(shop: Shop) -> None:
    await create_agent("小美", "agent", PASSWORD)
    await create_agent("阿杰", "agent", PASSWORD)
    await shop.customer_says("alice", f"订单{ORDER}申请退货")
    [left] = await AfterSalesCase.filter(order__order_no=ORDER)
    worked = await shop.file_case(OTHER, "missing")

    # the next morning in the shop's time zone; one case is worked on today, the other is left over
    await shop.clock.advance(NEXT_MORNING_S)
    await shop.staff_moves("阿杰", worked.case_no, "approved")

    async with open_page(shop.browser, shop.url("/console"), viewport=DESKTOP) as console:
        await log_in(console, "小美")
        badge = console.locator("#cases-badge")
        await expect(badge).to_have_text("1")  # counted before the tab is opened
        assert await AccessLog.filter(staff_name="小美").count() == 0  # a count shows no record: nothing logged
        await open_cases_tab(console)

        # all open: both, the leftover first and highlighted
        await expect(case_rows(console)).to_have_count(2)
        await expect(case_rows(console).first).to_have_attribute("data-id", left.case_no)
        await expect(row(console, left.case_no)).to_have_class(re.compile(r"\bstale\b"))
        await expect(row(console, left.case_no).locator(".tag-stale")).to_be_visible()
        await expect(row(console, worked.case_no)).not_to_have_class(re.compile(r"\bstale\b"))

        # the stale filter: only the leftover
        await console.locator("#cases-filter").get_by_role("button", name=re.compile("^遗留")).click()
        await expect(case_rows(console)).to_have_count(1)
        await expect(row(console, left.case_no)).to_have_class(re.compile(r"\bstale\b"))
        await expect(console.locator("#cases-hint")).to_be_visible()

        # mine: 阿杰 owns the other one now, 小美 nothing yet
        await console.locator("#cases-filter").get_by_role("button", name="我的").click()
        await expect(case_rows(console)).to_have_count(0)
        await expect(console.locator("#cases-empty")).to_have_text("您名下暂无未结工单")

        # working on the leftover makes it current again
        await console.locator("#cases-filter").get_by_role("button", name=re.compile("^遗留")).click()
        await open_case(console, left.case_no)
        await expect(console.locator("#case-stale")).to_be_visible()
        await take_step(console, "确认受理")
        await expect(console.locator("#case-step")).to_have_text("商家已确认")
        await expect(case_rows(console)).to_have_count(0)
        await expect(console.locator("#cases-empty")).to_have_text("没有遗留工单")
        await expect(badge).to_be_hidden()
        await expect(console.locator("#case-stale")).to_be_hidden()
        await console.locator("#cases-filter").get_by_role("button", name="我的").click()
        await expect(case_rows(console)).to_have_count(1)


async def test_a_case_worked_on_after_shop_local_midnight_is_not_stale(shop: Shop) -> None:
    await create_agent("小美", "agent", PASSWORD)
    await shop.file_case(ORDER, "return")
    worked = await shop.file_case(OTHER, "missing")
    await shop.clock.advance(SMALL_HOURS_S)  # 01:00 shop-local on the 24th, 17:00 UTC on the 23rd
    await shop.staff_moves("小美", worked.case_no, "approved")
    async with open_page(shop.browser, shop.url("/console"), viewport=DESKTOP) as console:
        await log_in(console, "小美")
        await open_cases_tab(console)
        await expect(case_rows(console)).to_have_count(2)
        await expect(row(console, worked.case_no)).not_to_have_class(re.compile(r"\bstale\b"), timeout=1000)
