"""The agent console (`/console`) in a real browser (Debian's Chromium, headless) against the real app.

The customer writes in the shop chat page and the agent works in the console, each in its own
browser context (own cookies and storage), both against one running bot. The bot's clock is a
`FakeClock`: the 20 s promise is tested by moving time and running the due deadlines, never by
sleeping. Conversations that a test only needs as a starting point are made through the same
public endpoints the pages use (`/api/webchat/messages`, `/api/agent/...`).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
import pytest_asyncio
from aiohttp import ClientSession, CookieJar
from playwright.async_api import Browser, Locator, Page, expect

from bot.clock import FakeClock
from bot.web.auth import create_agent
from handlers.handoff.service import HANDOFF
from models.agent import Agent
from models.conversation import Conversation
from models.handoff import HandoverNote, SlaEvent
from models.message import Message
from tests.browser import DESKTOP, PHONE, has_horizontal_scroll, open_page
from tests.browser import STAFF_PASSWORD as PASSWORD
from tests.browser import log_in as log_in_as
from tests.fakes.bot_app import RunningBot, make_settings, running_bot, visitor_headers

pytestmark = pytest.mark.asyncio(loop_scope="session")  # the session's Chromium lives in that loop

SCREENSHOT = Path("/tmp/console.png")
SLA_FIRST_RESPONSE_S = 15.0
SLA_REPLY_S = 20.0
HOLD_MARGIN_S = 5.0
OPENS_AT_10_IN_SHANGHAI = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # inside the staffed hours below


@dataclass
class Desk:
    bot: RunningBot
    clock: FakeClock
    browser: Browser

    def url(self, path: str) -> str:
        return self.bot.url(path)

    async def staff_session(self, name: str) -> StaffApi:
        """A separate HTTP session logged in as `name` (own cookie jar, like another person's browser)."""
        session = ClientSession(cookie_jar=CookieJar(unsafe=True))  # unsafe: the server is 127.0.0.1
        response = await session.post(self.url("/api/agent/login"), json={"name": name, "password": PASSWORD})
        assert response.status == 200, await response.text()
        return StaffApi(self, session, (await response.json())["csrf_token"])

    async def customer_says(self, user_id: str, text: str) -> list[str]:
        response = await self.bot.client.post("/api/webchat/messages", json={"user_id": user_id, "text": text},
                                               headers=visitor_headers(self.bot.runtime, user_id))
        assert response.status == 200, await response.text()
        return (await response.json())["replies"]

    async def conversation_of(self, user_id: str) -> Conversation:
        return await Conversation.get(key=f"webchat:{user_id}")


@dataclass
class StaffApi:
    desk: Desk
    session: ClientSession
    csrf: str

    async def post(self, path: str, body: dict) -> dict:
        response = await self.session.post(self.desk.url(path), json=body, headers={"X-CSRF-Token": self.csrf})
        assert response.status in (200, 201), f"{path}: {response.status} {await response.text()}"
        return await response.json()

    async def close(self) -> None:
        await self.session.close()


@pytest_asyncio.fixture(loop_scope="session")
async def desk(tmp_path: Path, browser: Browser) -> AsyncIterator[Desk]:
    clock = FakeClock(OPENS_AT_10_IN_SHANGHAI)
    settings = make_settings(
        tmp_path,
        staffed_hours="09:30-24:00",
        sla_first_response_s=SLA_FIRST_RESPONSE_S,
        sla_reply_s=SLA_REPLY_S,
        sla_hold_margin_s=HOLD_MARGIN_S,
    )
    async with running_bot(settings, clock=clock) as bot:
        yield Desk(bot, clock, browser)


# --- the pages ---


async def log_in(console: Page, name: str, password: str = PASSWORD) -> None:
    await log_in_as(console, name, password)
    await expect(console.locator("#me-name")).to_have_text(name)
    await expect(console.locator("#conn")).to_have_attribute("data-state", "online")  # live updates from now on


async def set_presence(console: Page, label: str) -> None:
    button = console.locator("#presence").get_by_role("button", name=label)
    await button.click()
    await expect(button).to_have_attribute("aria-pressed", "true")


async def customer_sends(chat: Page, text: str) -> None:
    await chat.locator("#input").fill(text)
    await chat.locator("#input").press("Enter")


def shop_bubbles(chat: Page) -> Locator:
    return chat.locator(".msg-shop .bubble")


def history(console: Page, kind: str) -> Locator:
    return console.locator(f"#history .msg-{kind} .bubble")


async def reply(console: Page, text: str) -> None:
    await console.locator("#reply-input").fill(text)
    await console.locator("#reply-input").press("Enter")


# --- the whole story ---


async def test_customer_reaches_an_agent_and_gets_a_holding_message_before_the_deadline(desk: Desk) -> None:
    agent = await create_agent("小美", "agent", PASSWORD)
    async with (
        open_page(desk.browser, desk.url("/"), viewport=PHONE) as chat,
        open_page(desk.browser, desk.url("/console"), viewport=DESKTOP) as console,
    ):
        # the customer asks for a person while nobody is online: told so (no place, no minutes), queued
        await expect(chat.locator("#status")).to_have_attribute("data-state", "online")
        await customer_sends(chat, "你好")
        await expect(shop_bubbles(chat)).to_have_count(1)
        await chat.get_by_role("button", name="转人工").click()
        await expect(shop_bubbles(chat).last).to_contain_text("不在线")
        await expect(shop_bubbles(chat).last).not_to_contain_text("分钟")

        # the agent logs in, sees the queue, takes the conversation and goes online
        await log_in(console, "小美")
        await expect(console.locator("#me-role")).to_have_text("客服")
        await expect(console.locator("#tab-supervisor")).to_be_hidden()
        waiting = console.locator("#queue-list .queue-item")
        await expect(waiting).to_have_count(1)
        await expect(waiting).to_contain_text("顾客要求人工")
        await expect(waiting).to_contain_text("网页咨询")
        await waiting.get_by_role("button", name=re.compile("接入")).click()
        await expect(waiting).to_have_count(0)
        await expect(console.locator("#mine-list .conv")).to_have_count(1)
        await expect(console.locator("#mine-list .conv.selected")).to_have_count(1)
        await expect(history(console, "customer")).to_have_text(["你好", "转人工"])  # the bot's part included
        await expect(history(console, "bot")).to_have_count(2)
        await expect(console.locator("#profile-channel")).to_have_text("网页咨询")
        await set_presence(console, "在线")
        assert (await Agent.get(id=agent.id)).presence == "online"

        # the greeting clock runs until the agent writes; the reply reaches the customer's page
        await expect(console.locator("#chat-sla-kind")).to_have_text("问候倒计时")
        greeting = "亲，您好，我是客服小美，请问有什么可以帮您？"
        await reply(console, greeting)
        await expect(shop_bubbles(chat).last).to_have_text(greeting)
        await expect(history(console, "agent")).to_have_text([greeting])
        await expect(console.locator("#reply-input")).to_have_value("")
        await expect(console.locator("#chat-clock")).to_be_hidden()  # nobody is waiting now

        # the customer writes again: the console shows it with the 20 s countdown
        await customer_sends(chat, "我的快递到哪了")
        await expect(history(console, "customer").last).to_have_text("我的快递到哪了")
        await expect(console.locator("#chat-sla-kind")).to_have_text("回复倒计时")
        await expect(console.locator("#chat-countdown")).to_have_text(re.compile(r"^(1\d|20)秒$"))
        await expect(console.locator("#mine-list .countdown")).to_have_text(re.compile(r"^(1\d|20)秒$"))

        # the agent stays silent; just past (reply − margin), before the deadline, the holding message goes out
        await desk.clock.advance(SLA_REPLY_S - HOLD_MARGIN_S + 0.5)
        await desk.bot.runtime.scheduler.run_due()
        holding = desk.bot.runtime.templates.render("handoff.holding", {}, seed=0)
        await expect(shop_bubbles(chat).last).to_have_text(holding)
        await expect(console.locator("#mine-list .conv.flash")).to_have_count(1)  # sla.alert flashes it
        await expect(console.locator("#toasts")).to_contain_text("即将超时")
        await expect(history(console, "system").last).to_have_text(f"系统代发：{holding}")
        # the holding message acknowledges but does not answer: the question's own clock keeps running
        await expect(console.locator("#chat-countdown")).to_have_text(re.compile(r"^[0-5]秒$"))
        assert not await has_horizontal_scroll(console)
        await console.screenshot(path=str(SCREENSHOT))

    conversation = await Conversation.get(assignee_id=agent.id)
    held = await SlaEvent.filter(conversation_id=conversation.id, kind="acknowledged", detail="holding")
    assert len(held) == 1 and held[0].within
    assert held[0].waited_s is not None and held[0].waited_s < SLA_REPLY_S
    assert await SlaEvent.filter(conversation_id=conversation.id, kind="breach").count() == 0
    assert await Message.filter(conversation_id=conversation.id, author=f"agent:{agent.id}").count() == 1


async def test_conversation_assigned_to_an_online_agent_opens_by_itself(desk: Desk) -> None:
    await create_agent("小美", "agent", PASSWORD)
    await Agent.filter(name="小美").update(display_name="小美")  # the 昵称 customers see
    async with open_page(desk.browser, desk.url("/console"), viewport=DESKTOP) as console:
        await log_in(console, "小美")
        await set_presence(console, "在线")
        replies = await desk.customer_says("visitor-1", "转人工")
        assert any("小美" in text for text in replies)
        await expect(console.locator("#mine-list .conv")).to_have_count(1)
        await expect(console.locator("#chat-main")).to_be_visible()
        await expect(history(console, "customer")).to_have_text(["转人工"])
        await expect(console.locator("#chat-countdown")).to_have_text(re.compile(r"^\d+秒$"))
        assert re.search(r"#c=\d+$", console.url)


async def test_a_take_held_down_while_the_queue_refreshes_still_takes(desk: Desk) -> None:
    # Any event refreshes the queue. A press on 接入 and its release are a click only on one and the
    # same button: a refresh between them must not put a new button under the pointer (a person's
    # click lasts a tenth of a second; so Playwright's, between its two input events, now and then).
    await create_agent("小美", "agent", PASSWORD)
    await desk.customer_says("visitor-1", "转人工")
    async with open_page(desk.browser, desk.url("/console"), viewport=DESKTOP) as console:
        await log_in(console, "小美")
        take = console.locator("#queue-list .queue-item").get_by_role("button", name=re.compile("接入"))
        await take.hover()
        await console.mouse.down()
        async with console.expect_response("**/api/agent/queue") as refreshed:
            await desk.bot.runtime.services[HANDOFF].queue.notify(None, {"type": "queue.changed"})
        await (await refreshed.value).finished()
        await console.evaluate("() => new Promise((shown) => requestAnimationFrame(() => setTimeout(shown)))")
        await console.mouse.up()
        await expect(console.locator("#queue-list .queue-item")).to_have_count(0)
        await expect(console.locator("#mine-list .conv.selected")).to_have_count(1)
    assert (await desk.conversation_of("visitor-1")).status == "handoff"


# --- the agent's tools ---


async def hold_conversation(desk: Desk, agent_name: str, user_id: str, *texts: str) -> Conversation:
    """A conversation that `agent_name` (online through the API) holds, after the customer's texts."""
    staff = await desk.staff_session(agent_name)
    try:
        await staff.post("/api/agent/presence", {"presence": "online"})
    finally:
        await staff.close()
    await desk.customer_says(user_id, "转人工")
    for text in texts:
        await desk.customer_says(user_id, text)
    conversation = await desk.conversation_of(user_id)
    assert conversation.status == "handoff"
    return conversation


async def open_conversation(console: Page, index: int = 0) -> None:
    await console.locator("#mine-list .conv-btn").nth(index).click()
    await expect(console.locator("#chat-main")).to_be_visible()


async def test_countdown_follows_the_server_clock_and_turns_red_under_five_seconds(desk: Desk) -> None:
    await create_agent("小美", "agent", PASSWORD)
    await hold_conversation(desk, "小美", "visitor-8", "在吗")
    async with open_page(desk.browser, desk.url("/console"), viewport=DESKTOP) as console:
        await log_in(console, "小美")
        await open_conversation(console)
        countdown = console.locator("#chat-countdown")
        await expect(countdown).to_have_text(re.compile(r"^(1\d|20)秒$"))
        await expect(countdown).not_to_have_class(re.compile(r"\burgent\b"))

        # the server's clock moves to 0.1 s before the holding message; the page reads it on the next load
        await desk.clock.advance(SLA_REPLY_S - HOLD_MARGIN_S - 0.1)
        await open_conversation(console)
        await expect(countdown).to_have_text(re.compile(r"^[1-5]秒$"))
        await expect(countdown).to_have_class(re.compile(r"\burgent\b"))  # red under 5 s
        await expect(console.locator("#mine-list .countdown")).to_have_class(re.compile(r"\burgent\b"))


async def test_forbidden_language_warns_and_send_anyway_sends(desk: Desk) -> None:
    agent = await create_agent("小美", "agent", PASSWORD)
    conversation = await hold_conversation(desk, "小美", "visitor-2", "这个能退吗")
    by_agent = Message.filter(conversation_id=conversation.id, author=f"agent:{agent.id}")
    async with open_page(desk.browser, desk.url("/console"), viewport=DESKTOP) as console:
        await log_in(console, "小美")
        await open_conversation(console)
        dialog = console.locator("#forbidden-dialog")

        # warned: rephrase goes back to the text with the phrase selected, nothing is sent
        await reply(console, "这个我不知道呢")
        await expect(dialog).to_be_visible()
        await expect(dialog.locator(".phrase")).to_have_text(["不知道"])
        await dialog.get_by_role("button", name="修改措辞").click()
        await expect(dialog).to_be_hidden()
        await expect(console.locator("#reply-input")).to_have_value("这个我不知道呢")
        selected = await console.locator("#reply-input").evaluate(
            "el => el.value.slice(el.selectionStart, el.selectionEnd)"
        )
        assert selected == "不知道"
        assert await by_agent.count() == 0

        # warned again: send anyway sends it as written
        await console.locator("#reply-send").click()
        await expect(dialog).to_be_visible()
        async with console.expect_request(re.compile(r"/messages$")) as request_info:
            await dialog.get_by_role("button", name="仍然发送").click()
        posted = (await request_info.value).post_data_json
        assert {key: posted[key] for key in ("text", "confirm")} == {"text": "这个我不知道呢", "confirm": True}
        assert re.fullmatch(r"[0-9a-f]{32}", posted["client_msg_id"])  # sent once however often it is posted
        await expect(dialog).to_be_hidden()
        await expect(history(console, "agent")).to_have_text(["这个我不知道呢"])
        await expect(console.locator("#reply-input")).to_have_value("")
    assert [m.text for m in await by_agent] == ["这个我不知道呢"]


async def test_canned_reply_history_authors_and_hand_back(desk: Desk) -> None:
    await create_agent("小美", "agent", PASSWORD)
    attack = '<img src=x onerror="window.__xss = 1">我的订单'
    conversation = await hold_conversation(desk, "小美", "visitor-3", attack)
    async with open_page(desk.browser, desk.url("/console"), viewport=DESKTOP) as console:
        await log_in(console, "小美")
        await open_conversation(console)
        # customer, bot and system messages look different; markup is shown as text
        await expect(history(console, "customer")).to_have_text(["转人工", attack])
        await expect(history(console, "bot")).to_have_count(1)
        assert await console.locator("#history img").count() == 0
        assert await console.evaluate("() => window.__xss") is None

        # 快捷短语: picked from the list (variables filled), then sent
        await console.get_by_role("button", name="快捷短语").click()
        await console.locator("#canned-filter").fill("订单号")
        options = console.locator("#canned-list .canned-item")
        await expect(options).to_have_count(1)
        await options.first.click()
        await expect(console.locator("#canned-panel")).to_be_hidden()
        await expect(console.locator("#reply-input")).to_have_value("亲，麻烦提供一下订单号，我马上帮您查询~")
        await console.get_by_role("button", name="发送").click()
        await expect(history(console, "agent")).to_have_text(["亲，麻烦提供一下订单号，我马上帮您查询~"])
        await expect(console.locator("#history .msg-agent .who")).to_have_text(["小美（我）"])

        await console.get_by_role("button", name="交还机器人").click()
        await expect(console.locator("#mine-list .conv")).to_have_count(0)
        await expect(console.locator("#chat-placeholder")).to_be_visible()
        await expect(console.locator("#chat-main")).to_be_hidden()
    await conversation.refresh_from_db()
    assert conversation.status == "bot" and conversation.assignee_id is None


async def test_handover_note_and_transfer_reach_the_next_agent(desk: Desk) -> None:
    await create_agent("小美", "agent", PASSWORD)
    bob = await create_agent("阿杰", "agent", PASSWORD)
    conversation = await hold_conversation(desk, "小美", "visitor-4", "想换个颜色")
    async with (
        open_page(desk.browser, desk.url("/console"), viewport=DESKTOP) as amy_console,
        open_page(desk.browser, desk.url("/console"), viewport=DESKTOP) as bob_console,
    ):
        await log_in(bob_console, "阿杰")
        await set_presence(bob_console, "在线")
        await log_in(amy_console, "小美")
        await open_conversation(amy_console)

        await amy_console.locator("#note-questions").fill("顾客想换成蓝色")
        await amy_console.locator("#note-pending").fill("确认蓝色库存")
        await amy_console.get_by_role("button", name="保存交接记录").click()
        await expect(amy_console.locator("#notes-list .note")).to_have_count(1)
        await expect(amy_console.locator("#notes-list .note")).to_contain_text("顾客想换成蓝色")

        await amy_console.get_by_role("button", name="转接").click()
        dialog = amy_console.locator("#transfer-dialog")
        await expect(dialog).to_be_visible()
        await dialog.locator("#transfer-to").select_option(str(bob.id))
        await dialog.locator("#transfer-note").fill("已核实订单，等库存回复")
        await dialog.get_by_role("button", name="确认转接").click()
        await expect(amy_console.locator("#mine-list .conv")).to_have_count(0)

        # the next agent gets it (opened by the assignment event) with every note
        await expect(bob_console.locator("#mine-list .conv")).to_have_count(1)
        await expect(bob_console.locator("#chat-main")).to_be_visible()
        notes = bob_console.locator("#notes-list .note")
        await expect(notes).to_have_count(2)
        await expect(notes.first).to_contain_text("确认蓝色库存")
        await expect(notes.last).to_contain_text("已核实订单，等库存回复")
        await expect(bob_console.locator("#profile-assignee")).to_have_text("阿杰")
    await conversation.refresh_from_db()
    assert conversation.assignee_id == bob.id
    assert await HandoverNote.filter(conversation_id=conversation.id).count() == 2


# --- access ---


async def test_login_failure_shows_a_message_and_a_session_survives_a_reload(desk: Desk) -> None:
    await create_agent("小美", "agent", PASSWORD)
    async with open_page(desk.browser, desk.url("/console"), viewport=DESKTOP) as console:
        error = console.locator("#login-error")
        await expect(console.locator("#login-view")).to_be_visible()
        await expect(error).to_be_hidden()
        await console.get_by_role("button", name="登录").click()
        await expect(error).to_have_text("请输入账号和密码")

        await console.locator("#login-name").fill("小美")
        await console.locator("#login-password").fill("wrong-password")
        await console.get_by_role("button", name="登录").click()
        await expect(error).to_have_text("账号或密码错误，请重新输入")
        await expect(console.locator("#console-view")).to_be_hidden()
        assert "wrong name" not in await console.locator("body").inner_text()  # the server's English stays out

        await log_in(console, "小美")
        await console.reload()
        await expect(console.locator("#console-view")).to_be_visible()
        await expect(console.locator("#me-name")).to_have_text("小美")
        await set_presence(console, "离开")  # an unsafe request: the CSRF token survived the reload

        await console.get_by_role("button", name="退出").click()
        await expect(console.locator("#login-view")).to_be_visible()
        status = await console.evaluate("() => fetch('/api/agent/me').then(r => r.status)")
        assert status == 401


async def test_agent_cannot_open_a_conversation_held_by_someone_else(desk: Desk) -> None:
    await create_agent("小美", "agent", PASSWORD)
    await create_agent("阿杰", "agent", PASSWORD)
    conversation = await hold_conversation(desk, "小美", "visitor-5", "我的私人地址是某某路1号")
    async with open_page(desk.browser, desk.url(f"/console#c={conversation.id}"), viewport=DESKTOP) as console:
        await log_in(console, "阿杰")
        denied = console.locator("#chat-denied")
        await expect(denied).to_be_visible()
        await expect(denied).to_contain_text("该会话已由其他客服接待，您没有查看权限")
        await expect(console.locator("#chat-main")).to_be_hidden()
        await expect(console.locator("#mine-list .conv")).to_have_count(0)
        assert "某某路" not in await console.locator("body").inner_text()


async def test_supervisor_sees_the_floor_and_can_read_any_conversation(desk: Desk) -> None:
    await create_agent("小美", "agent", PASSWORD)
    await create_agent("老王", "supervisor", PASSWORD)
    await hold_conversation(desk, "小美", "visitor-6", "在吗")
    staff = await desk.staff_session("小美")
    try:
        conversation = await desk.conversation_of("visitor-6")
        await staff.post(f"/api/agent/conversations/{conversation.id}/messages", {"text": "亲，在的~"})
    finally:
        await staff.close()
    async with open_page(desk.browser, desk.url("/console"), viewport=DESKTOP) as console:
        await log_in(console, "老王")
        await expect(console.locator("#me-role")).to_have_text("主管")
        # desk: everyone's held conversations, readable but not answerable
        await expect(console.locator("#mine-list .conv")).to_have_count(1)
        await expect(console.locator("#mine-list .conv-last")).to_contain_text("[小美]")
        await open_conversation(console)
        await expect(history(console, "agent-other")).to_have_text(["亲，在的~"])
        await expect(console.locator("#reply-input")).to_be_disabled()

        await console.get_by_role("button", name="主管视图").click()
        await expect(console.locator("#supervisor-view")).to_be_visible()
        await expect(console.locator("#sv-queue")).to_have_text("0")
        await expect(console.locator("#sv-online")).to_have_text("1")
        await expect(console.locator("#sv-reply-rate")).to_have_text("100.0%")
        await expect(console.locator("#sv-greet-rate")).to_have_text("100.0%")
        await expect(console.locator("#sv-breaches")).to_have_text("0")
        await expect(console.locator("#near-empty")).to_be_visible()
        await expect(console.locator("#agents-body tr")).to_have_count(2)
        await set_presence(console, "在线")
        await expect(console.locator("#sv-online")).to_have_text("2")


async def test_phone_width_is_usable(desk: Desk) -> None:
    await create_agent("小美", "agent", PASSWORD)
    await hold_conversation(desk, "小美", "visitor-7", "订单号" + "9" * 120, "很长很长的一段话" * 30)
    async with open_page(desk.browser, desk.url("/console"), viewport=PHONE) as console:
        assert not await has_horizontal_scroll(console)
        await log_in(console, "小美")
        await open_conversation(console)
        await expect(history(console, "customer").last).to_have_text("很长很长的一段话" * 30)
        assert not await has_horizontal_scroll(console)
        await console.locator("#reply-input").scroll_into_view_if_needed()
        await expect(console.locator("#reply-input")).to_be_visible()
        send = console.get_by_role("button", name="发送")
        await send.scroll_into_view_if_needed()  # the live refresh may re-render in between: scroll to it itself
        await expect(send).to_be_visible()
        for name in ("在线", "退出", "发送"):
            box = await console.get_by_role("button", name=name).bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]


async def test_agent_set_away_sees_it_at_once_and_comes_back_in_one_click(desk: Desk) -> None:
    agent = await create_agent("小美", "agent", PASSWORD)
    async with open_page(desk.browser, desk.url("/console"), viewport=DESKTOP) as console:
        await log_in(console, "小美")
        async with console.expect_response(lambda r: r.url.endswith("/api/agent/presence")):
            await set_presence(console, "在线")
        banner = console.locator("#presence-banner")
        await expect(banner).to_be_hidden()
        # the server judges the agent walked away (repeated lapses): the console shows it without a reload
        await desk.bot.runtime.services[HANDOFF].set_presence(await Agent.get(id=agent.id), "away", reason="lapses")
        await expect(banner).to_be_visible()
        await expect(banner).to_contain_text("离开")
        await expect(console.locator("#presence").get_by_role("button", name="离开")).to_have_attribute(
            "aria-pressed", "true")
        await expect(console).to_have_title(re.compile("请回到座位"))  # the tab's title flashes
        await banner.get_by_role("button", name="我回来了").click()
        await expect(banner).to_be_hidden()
        await expect(console.locator("#presence").get_by_role("button", name="在线")).to_have_attribute(
            "aria-pressed", "true")
        assert (await Agent.get(id=agent.id)).presence == "online"
