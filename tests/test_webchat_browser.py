"""The shop chat window in a real browser (Debian's Chromium, headless) against the real app.

Slow answers and lost connections are made with Playwright's request interception, which the test
controls step by step, so nothing here sleeps to wait for the server.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Browser, Locator, Page, Request, Route, WebSocketRoute, expect

from bot.events import Choice
from models.case import AfterSalesCase
from models.message import Message
from tests.browser import DESKTOP, PHONE, has_horizontal_scroll, open_page
from tests.fakes.bot_app import RunningBot, make_settings, running_bot
from tests.fakes.erp_server import order_object, seed_orders

pytestmark = pytest.mark.asyncio(loop_scope="session")  # the session's Chromium lives in that loop

SHOP = "小蜜优选旗舰店"
API = "**/api/webchat/messages"
TOKEN_KEY = "csbot.webchat.token"
SCREENSHOT = Path("/tmp/webchat.png")


@dataclass
class Chat:
    bot: RunningBot
    page: Page

    @property
    def customer(self) -> Locator:
        return self.page.locator(".msg-customer .bubble")

    @property
    def shop(self) -> Locator:
        return self.page.locator(".msg-shop .bubble")

    @property
    def typing(self) -> Locator:
        return self.page.locator("#typing")

    @property
    def input(self) -> Locator:
        return self.page.locator("#input")

    async def visitor_id(self) -> str:
        """The visitor the server named in the token the page keeps."""
        token = await self.page.evaluate(f"() => localStorage.getItem({TOKEN_KEY!r})")
        return token.split(".")[0]

    async def send(self, text: str) -> None:
        await self.input.fill(text)
        await self.input.press("Enter")

    async def push(self, *texts: str) -> None:
        outcomes = await self.bot.runtime.outbox.send("webchat", await self.visitor_id(), list(texts))
        assert outcomes == ["sent"] * len(texts)


@pytest_asyncio.fixture(loop_scope="session")
async def chat(tmp_path: Path, browser: Browser) -> AsyncIterator[Chat]:
    """The page open at a phone viewport, its WebSocket connected (so pushes from now on reach it)."""
    async with (
        running_bot(make_settings(tmp_path, shop_name=SHOP)) as bot,
        open_page(browser, bot.url("/"), viewport=PHONE) as page,
    ):
        await expect(page.locator("#status")).to_have_attribute("data-state", "online")
        yield Chat(bot, page)


async def test_conversation_on_a_phone(chat: Chat) -> None:
    page = chat.page
    await expect(page.locator("#shop-name")).to_have_text(SHOP)
    await expect(page).to_have_title(re.compile(SHOP))
    await expect(page.locator("#status-text")).to_have_text("在线")

    await chat.send("你好")
    await expect(chat.customer).to_have_text(["你好"])
    await expect(chat.shop).to_have_count(1)
    await expect(chat.shop.first).to_contain_text("您好")
    await expect(chat.input).to_have_value("")
    await expect(chat.typing).to_be_hidden()
    await expect(page.locator(".msg-shop .avatar")).to_be_visible()
    await expect(page.locator(".msg-shop .msg-time")).to_have_text(re.compile(r"^\d\d:\d\d$"))

    await chat.send("什么时候发货")
    await expect(chat.customer).to_have_count(2)
    await expect(chat.shop.last).to_contain_text("48小时")

    await chat.push("亲，客服小美为您服务~")
    await expect(chat.shop.last).to_have_text("亲，客服小美为您服务~")
    assert not await has_horizontal_scroll(page)
    await page.screenshot(path=str(SCREENSHOT))


async def test_answer_in_several_parts_is_shown_in_order(chat: Chat) -> None:
    # A long answer comes back as several parts (split by the server under its byte limit): here the
    # server's answer is replaced by three parts, so only the page's ordering is under test.
    parts = ["第一段：亲，您的包裹已到达转运中心。", "第二段：预计明天送达。", "第三段：请保持电话畅通哦~"]

    async def three_parts(route: Route) -> None:
        await route.fulfill(status=200, content_type="application/json",
                            body=json.dumps({"replies": parts}, ensure_ascii=False))

    await chat.page.route(API, three_parts)
    await chat.send("快递到哪了")
    await expect(chat.shop).to_have_text(parts)


async def test_typing_indicator_shows_while_the_reply_is_pending(chat: Chat) -> None:
    release, arrived = asyncio.Event(), asyncio.Event()
    held: list[str] = []

    async def hold(route: Route) -> None:
        held.append(route.request.post_data or "")
        arrived.set()
        await release.wait()
        await route.continue_()

    await chat.page.route(API, hold)
    await expect(chat.typing).to_be_hidden()
    await chat.send("你好")
    await expect(chat.customer).to_have_text(["你好"])
    await expect(chat.typing).to_be_visible()
    await expect(chat.typing).to_contain_text("对方正在输入…")
    await asyncio.wait_for(arrived.wait(), 5)  # the page shows the indicator as it sends, before the route sees it
    assert len(held) == 1
    assert await chat.shop.count() == 0

    release.set()
    await expect(chat.shop).to_have_count(1)
    await expect(chat.typing).to_be_hidden()


async def test_pushed_message_appears_over_the_websocket(chat: Chat) -> None:
    await chat.push("亲，客服小美为您服务~")
    await expect(chat.shop).to_have_text(["亲，客服小美为您服务~"])
    assert await Message.filter(direction="out", delivery_status="sent").count() == 1


async def test_visitor_id_is_kept_across_reloads(chat: Chat) -> None:
    first = await chat.visitor_id()
    assert re.fullmatch(r"v[A-Za-z0-9_-]{24}", first)  # named by the server, not by the page
    await chat.page.reload()
    await expect(chat.page.locator("#status")).to_have_attribute("data-state", "online")
    assert await chat.visitor_id() == first
    await chat.push("刷新后也能收到")
    await expect(chat.shop).to_have_text(["刷新后也能收到"])


async def test_no_horizontal_scroll_at_phone_width(chat: Chat) -> None:
    page = chat.page
    assert await page.evaluate("() => window.innerWidth") == 375
    assert not await has_horizontal_scroll(page)
    long_word = "https://shop.example.com/item?id=" + "1234567890" * 20
    await chat.send(long_word)
    await expect(chat.shop).not_to_have_count(0)
    await expect(chat.typing).to_be_hidden()
    await chat.push("订单号" + "9" * 120, "很长很长的一段话" * 30)
    await expect(chat.shop.last).to_have_text("很长很长的一段话" * 30)
    assert not await has_horizontal_scroll(page)
    widths = await page.evaluate(
        "() => [...document.querySelectorAll('.bubble')].map(b => b.getBoundingClientRect().right)"
    )
    assert max(widths) <= 375


async def test_desktop_shows_a_centred_card(chat: Chat) -> None:
    await chat.page.set_viewport_size(DESKTOP)
    box = await chat.page.locator(".chat").bounding_box()
    assert box is not None
    assert box["width"] <= 760
    assert abs(box["x"] - (DESKTOP["width"] - box["x"] - box["width"])) <= 2  # centred
    assert not await has_horizontal_scroll(chat.page)


async def test_quick_chip_sends_its_text(chat: Chat) -> None:
    async with chat.page.expect_request(API) as request_info:
        await chat.page.get_by_role("button", name="优惠活动").click()
    request = await request_info.value
    assert json.loads(request.post_data or "{}")["text"] == "优惠活动"
    await expect(chat.customer).to_have_text(["优惠活动"])
    await expect(chat.shop.last).to_be_visible()


async def test_enter_sends_shift_enter_breaks_the_line_and_empty_input_is_not_sent(chat: Chat) -> None:
    posts: list[str] = []

    def count_post(request: Request) -> None:
        if "/api/webchat" in request.url:
            posts.append(request.url)

    chat.page.on("request", count_post)
    await chat.input.press("Enter")
    await chat.input.fill("   ")
    await chat.input.press("Enter")
    await expect(chat.page.locator("#send")).to_be_disabled()

    await chat.input.fill("第一行")
    await chat.input.press("Shift+Enter")
    await chat.input.type("第二行")
    await expect(chat.input).to_have_value("第一行\n第二行")
    await chat.input.press("Enter")
    await expect(chat.customer).to_have_text(["第一行\n第二行"])
    await expect(chat.shop).not_to_have_count(0)
    assert len(posts) == 1


async def test_send_button_sends(chat: Chat) -> None:
    await chat.input.fill("你好")
    await chat.page.get_by_role("button", name="发送").click()
    await expect(chat.customer).to_have_text(["你好"])
    await expect(chat.shop).to_have_count(1)


async def test_markup_is_shown_as_text(chat: Chat) -> None:
    attack = '<img src=x onerror="window.__xss = 1"><script>window.__xss = 2</script>'
    await chat.push(attack)
    await expect(chat.shop).to_have_text([attack])
    await chat.send('<b>加粗</b><img src=y onerror="window.__xss = 3">')
    await expect(chat.customer).to_have_text(['<b>加粗</b><img src=y onerror="window.__xss = 3">'])
    await expect(chat.shop).to_have_count(2)
    assert await chat.page.locator("#messages img, #messages script, #messages b").count() == 0
    assert await chat.page.evaluate("() => window.__xss") is None


async def test_lost_response_is_retried_with_the_same_id_and_answered_once(chat: Chat) -> None:
    """The first POST reaches the server but its answer is lost; the page retries with the same id."""
    bodies: list[dict] = []

    async def lose_first_answer(route: Route) -> None:
        bodies.append(json.loads(route.request.post_data or "{}"))
        if len(bodies) == 1:
            response = await route.fetch()
            await response.dispose()
            await route.abort("connectionreset")
        else:
            await route.continue_()

    await chat.page.route(API, lose_first_answer)
    await chat.send("什么时候发货")
    await expect(chat.shop).to_have_count(1)  # greeting and answer in one message: one answer, not two
    await expect(chat.shop.last).to_contain_text("48小时")
    assert len(bodies) == 2
    assert bodies[0]["client_msg_id"] == bodies[1]["client_msg_id"]
    assert re.fullmatch(r"[A-Za-z0-9-]{1,64}", bodies[0]["client_msg_id"])
    assert await Message.filter(direction="in").count() == 1
    await expect(chat.page.locator(".system-line.error")).to_have_count(0)


async def test_every_post_proves_the_visitor_with_the_kept_token(chat: Chat) -> None:
    seen: list[Request] = []

    async def watch(route: Route) -> None:
        seen.append(route.request)
        await route.continue_()

    await chat.page.route(API, watch)
    await chat.send("你好")
    await expect(chat.shop).to_have_count(1)
    token = await chat.page.evaluate(f"() => localStorage.getItem({TOKEN_KEY!r})")
    [request] = seen
    assert (await request.all_headers())["x-visitor-token"] == token
    assert "user_id" not in json.loads(request.post_data or "{}")


async def test_busy_server_is_retried_after_its_retry_after(chat: Chat) -> None:
    """Under saturation the server answers 503 with Retry-After; the page waits and sends again."""
    attempts: list[float] = []

    async def busy_twice(route: Route) -> None:
        attempts.append(asyncio.get_running_loop().time())
        if len(attempts) <= 2:
            await route.fulfill(status=503, headers={"Retry-After": "1"}, content_type="application/json",
                                body='{"error": "busy"}')
        else:
            await route.continue_()

    await chat.page.route(API, busy_twice)
    await chat.send("什么时候发货")
    await expect(chat.shop.last).to_contain_text("48小时", timeout=10_000)
    assert len(attempts) == 3
    assert attempts[1] - attempts[0] >= 0.9 and attempts[2] - attempts[1] >= 0.9
    await expect(chat.page.locator(".system-line.error")).to_have_count(0)
    assert await Message.filter(direction="in").count() == 1


async def test_server_error_shows_a_polite_line_and_the_message_can_be_resent(chat: Chat) -> None:
    async def fail(route: Route) -> None:
        await route.fulfill(status=500, content_type="text/plain", body="Traceback: KeyError 'secret'")

    await chat.page.route(API, fail)
    await chat.send("你好")
    error = chat.page.locator(".system-line.error")
    await expect(error).to_have_text(["消息发送失败，请稍后重试"])
    await expect(chat.typing).to_be_hidden()
    assert "Traceback" not in await chat.page.locator("body").inner_text()
    resend = chat.page.locator(".msg-customer.failed .resend")
    await expect(resend).to_be_visible()

    await chat.page.unroute(API, fail)
    await resend.click()
    await expect(chat.shop).to_have_count(1)
    await expect(chat.page.locator(".msg-customer.failed")).to_have_count(0)
    await expect(chat.customer).to_have_text(["你好"])


async def test_bad_request_shows_a_polite_line(chat: Chat) -> None:
    async def refuse(route: Route) -> None:
        await route.fulfill(status=400, content_type="text/plain", body="user_id must be 1-64 letters")

    await chat.page.route(API, refuse)
    await chat.send("你好")
    await expect(chat.page.locator(".system-line.error")).to_have_text(["消息发送失败，请稍后重试"])
    assert "user_id" not in await chat.page.locator("body").inner_text()


async def test_websocket_reconnects_after_a_drop(chat: Chat) -> None:
    connections: list[WebSocketRoute] = []

    def relay(ws: WebSocketRoute) -> None:
        ws.connect_to_server()
        connections.append(ws)

    await chat.page.route_web_socket(re.compile(r".*/ws/webchat.*"), relay)
    await chat.page.reload()  # the page's socket now goes through `relay`
    status = chat.page.locator("#status")
    await expect(status).to_have_attribute("data-state", "online")
    assert len(connections) == 1

    await connections[0].close()
    await expect(status).to_have_attribute("data-state", "reconnecting")
    await expect(status).to_have_attribute("data-state", "online")  # after the first backoff, about 1 s
    assert len(connections) == 2
    await chat.push("断线重连后的消息")
    await expect(chat.shop).to_have_text(["断线重连后的消息"])


# --- history, links and images (chat_rich.js), the demo link ---


async def test_conversation_links_and_card_image_are_back_after_a_reload(chat: Chat) -> None:
    from tests.test_referral_support import card_code, new_campaign

    await chat.send("什么时候发货")
    await expect(chat.shop).not_to_have_count(0)
    answers = await chat.shop.all_text_contents()
    await new_campaign(chat.bot.runtime)
    card = chat.bot.url(f"/r/{await card_code(chat.bot.client, 'someone-else')}/card.png")
    await chat.push(f"推荐卡：{card}。详情见 https://example.com/help?a=1&b=2。")
    bubble = chat.shop.last
    await expect(bubble.locator("a")).to_have_count(2)
    await expect(bubble.locator("img.bubble-image")).to_have_attribute("src", card)

    await chat.page.reload()
    await expect(chat.page.locator("#status")).to_have_attribute("data-state", "online")
    await expect(chat.customer).to_have_text(["什么时候发货"])
    await expect(chat.shop).to_have_text([*answers, f"推荐卡：{card}。详情见 https://example.com/help?a=1&b=2。"])
    link = chat.shop.last.locator("a").last
    await expect(link).to_have_attribute("href", "https://example.com/help?a=1&b=2")
    await expect(link).to_have_attribute("target", "_blank")
    await expect(link).to_have_attribute("rel", "noopener noreferrer")
    image = chat.shop.last.locator("img.bubble-image")
    await expect(image).to_be_visible()
    assert await image.evaluate("img => img.complete && img.naturalWidth > 0")  # the card really loaded


async def test_links_never_carry_markup_or_scripts(chat: Chat) -> None:
    attack = 'https://example.com/"><img src=x onerror="window.__xss = 1"> javascript:window.__xss=2 看看'
    await chat.push(attack)
    await expect(chat.shop).to_have_text([attack])
    links = chat.shop.last.locator("a")
    await expect(links).to_have_count(1)
    await expect(links).to_have_attribute("href", "https://example.com/")
    assert await chat.page.locator("#messages img").count() == 0
    assert await chat.page.evaluate("() => window.__xss") is None


async def test_demo_link_opens_the_chat_as_the_demo_customer(tmp_path: Path, browser: Browser) -> None:
    from bot.channels.webchat import DEMO_VISITOR
    from bot.demo import create_demo

    async with running_bot(make_settings(tmp_path, shop_name=SHOP)) as bot:
        await create_demo(bot.runtime)
        async with open_page(browser, bot.url("/demo"), viewport=PHONE) as page:
            await page.wait_for_url(bot.url("/"))
            chat = Chat(bot, page)
            await expect(page.locator("#status")).to_have_attribute("data-state", "online")
            assert await chat.visitor_id() == DEMO_VISITOR
            await chat.send("我要退货")
            await expect(chat.shop).not_to_have_count(0)
            await chat.send("E2026112000102")
            await expect(chat.shop.last).to_contain_text("售后单号AS")


async def test_the_page_loads_as_modules_with_its_icon_and_no_failed_request(tmp_path: Path, browser: Browser) -> None:
    """Every file the page asks for (its ES modules, the favicon browsers request on each load) is there."""
    async with running_bot(make_settings(tmp_path, shop_name=SHOP)) as bot:
        async with open_page(browser, bot.url("/"), viewport=PHONE) as page:
            failed: list[str] = []
            loaded: list[str] = []
            page.on("response", lambda r: (failed if r.status >= 400 else loaded).append(f"{r.status} {r.url}"))
            await page.reload()
            await expect(page.locator("#status")).to_have_attribute("data-state", "online")
            await expect(page.locator("#status-text")).to_have_text("在线")  # scripts_zh/chat_page.yaml, via texts.js
            icon = await page.evaluate("fetch(document.querySelector('link[rel=icon]').href).then(r => r.status)")
            assert icon == 200
            assert not failed, failed
            assert any(url.endswith("/static/lib/live.js") for url in loaded), loaded


# --- an answer's choices as buttons: labels as the server sends them, a click sends what typing would ---

CHOICES_ORDER = "3301234567890123458"


async def test_the_item_of_an_order_is_picked_with_a_button_like_typing_its_number(chat: Chat) -> None:
    visitor = await chat.visitor_id()
    await seed_orders(order_object(CHOICES_ORDER, f"webchat:{visitor}", items=[
        {"item_name": "陶瓷马克杯", "qty": 2, "price": "39.00"},
        {"item_name": "北欧风餐盘", "qty": 1, "price": "129.00"}]), now=datetime.now(UTC))
    await chat.send("我要退货")
    await expect(chat.shop).to_have_count(1)
    await chat.send(CHOICES_ORDER)
    await expect(chat.shop).to_have_count(2)
    question = chat.page.locator(".msg-shop").nth(1)
    picks = question.locator(".picks .pick")
    await expect(picks).to_have_count(3)
    await expect(picks.nth(1)).to_contain_text("北欧风餐盘")
    await expect(picks.nth(2)).to_have_text("整单商品")
    assert await chat.page.locator(".picks").count() == 1  # only under the last bubble of the answer
    shop_before = await chat.shop.count()

    await picks.nth(1).click()
    await expect(chat.customer.last).to_have_text("2")  # what typing the item's number sends
    await expect(chat.shop).to_have_count(shop_before + 1)
    [case] = await AfterSalesCase.filter(order__order_no=CHOICES_ORDER)
    await expect(chat.shop.last).to_contain_text(case.case_no)
    assert case.kind == "return"
    for index in range(3):
        await expect(picks.nth(index)).to_be_disabled()  # picked: the group is done
    await expect(picks.nth(1)).to_have_attribute("aria-pressed", "true")
    picked = await Message.filter(conversation__key=f"webchat:{visitor}", direction="in", text="2").count()
    assert picked == 1


async def test_choices_of_a_later_message_arrive_with_it_over_the_websocket(chat: Chat) -> None:
    visitor = await chat.visitor_id()
    outcomes = await chat.bot.runtime.outbox.send(
        "webchat", visitor, ["亲，请为本次服务打分"], choices=[Choice("5", "5分"), Choice("1", "1分")])
    assert outcomes == ["sent"]
    picks = chat.page.locator(".msg-shop").first.locator(".pick")
    await expect(picks).to_have_text(["5分", "1分"])
    await expect(chat.page.locator(".picks").last).to_have_attribute("aria-label", "可选回复")
    await picks.first.click()
    await expect(chat.customer.last).to_have_text("5")
    await expect(chat.shop).to_have_count(2)  # the bot answered the typed-like "5"


async def test_an_answer_without_choices_shows_no_buttons(chat: Chat) -> None:
    await chat.send("你好")
    await expect(chat.shop).to_have_count(1)
    assert await chat.page.locator(".picks").count() == 0
