"""The console shows an outbound message's delivery (docs/handoff-sla.md, "A reply that did not reach the
customer"): a reply WeChat refused is marked 未送达 under its bubble with the reason in Chinese (the 48-hour
window for errcode 45015, a generic refusal for a code the console has no label for, never the code), a
pending message reads 发送中… (未确认送达 once pending past the outbox's give-up time: its worker gone, in
amber with a dashed outline, where it was left unstyled like a pending one), a sent one shows nothing.
Before, the conversation's messages carried `delivery_status` and `failure_reason` but the page showed none
of it: a refused reply looked sent. A partly sent reply puts back in the draft only the part that did not
go (the whole draft was kept, and its resend sent the first part twice), and a reply whose answer never
came (WeChat may have it) reads 未确认送达 and is not put back.

Over the real WeChat path (the fake WeChat server over HTTP refusing the sends; for the answer lost, a proxy
in front of it, tests/tcp_proxy.py) and the console in headless Chromium; time moved by the bot's
FakeClock, the pending row set in the database. No test waits for a real timeout.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
import yaml
from playwright.async_api import Browser, Locator, Page, expect

from bot.clock import FakeClock
from bot.web.auth import create_agent, issue_api_token
from handlers.handoff.delivery import PENDING_GIVE_UP_S
from models.conversation import Conversation
from models.message import Message
from tests.browser import DESKTOP, STAFF_PASSWORD, log_in, open_page
from tests.fakes.wechat_user import WeChatBot, WeChatUser, wechat_bot
from tests.test_deadline_sends_once import SEND_PATH, bot_reaching_wechat_through_a_proxy

pytestmark = pytest.mark.asyncio(loop_scope="session")  # the session's Chromium lives in that loop

ROOT = Path(__file__).resolve().parent.parent
DESK_JS = ROOT / "bot" / "web" / "static" / "console" / "desk.js"
TEXTS = yaml.safe_load((ROOT / "scripts_zh" / "console.yaml").read_text(encoding="utf-8"))
OPENID = "o_delivery_marks"
REFUSED_48H = "亲，退款已经为您处理好了"
REFUSED_OTHER = "请问还有其他问题吗"
FIRST, SECOND = "退" * 600 + "。", "款" * 600  # 1800 bytes each: two parts on WeChat (2000 bytes a part)
UNANSWERED = "您的包裹已经在派送中了"


@pytest_asyncio.fixture(loop_scope="session")
async def bot(tmp_path: Path) -> AsyncIterator[WeChatBot]:
    async with wechat_bot(tmp_path, clock=FakeClock(), staffed_hours="00:00-24:00") as running:
        await running.runtime.scheduler.stop()  # deadlines run when the test says: none sends between its steps
        yield running


def message(console: Page, text: str) -> Locator:
    return console.locator("#history .msg").filter(has=console.locator(".bubble", has_text=text))


async def reply(console: Page, text: str) -> None:
    await console.locator("#reply-input").fill(text)
    await console.locator("#reply-input").press("Enter")


async def style(node: Locator, name: str) -> str:
    """The computed value of the CSS property `name` on `node`."""
    return await node.evaluate("(node, name) => getComputedStyle(node).getPropertyValue(name)", name)


def last_toast(console: Page) -> Locator:
    return console.locator("#toasts .toast").last


async def customer_writes(console: Page, customer: WeChatUser, text: str) -> None:
    """The customer's message, shown: the console has re-read the conversation since."""
    await customer.say(text)
    await expect(console.locator("#history .msg-customer .bubble").last).to_have_text(text)


async def go_online(console: Page) -> None:
    """The agent sets themself online (在线) and the console confirms it."""
    presence = console.locator("#presence").get_by_role("button", name="在线")
    await presence.click()
    await expect(presence).to_have_attribute("aria-pressed", "true")


async def test_a_refused_reply_is_marked_not_delivered_with_its_reason_in_chinese(bot: WeChatBot,
                                                                                   browser: Browser) -> None:
    await create_agent("amy", "agent", "secret-pass-123")
    async with open_page(browser, str(bot.server.make_url("/console")), viewport=DESKTOP) as console:
        await log_in(console, "amy")
        await expect(console.locator("#conn")).to_have_attribute("data-state", "online")
        await go_online(console)
        customer = bot.user(OPENID)
        await customer.say("转人工")  # amy is online: assigned to her, opened by itself
        await expect(console.locator("#chat-main")).to_be_visible()
        held = await Conversation.get(key=f"wechat:{OPENID}")

        await bot.clock.advance(60)
        await bot.runtime.scheduler.run_due()  # the greeting on amy's behalf, sent before any refusal
        greeting = await Message.filter(conversation_id=held.id, direction="out").order_by("-id").first()
        assert greeting is not None and greeting.delivery_status == "sent"
        await customer_writes(console, customer, "在吗")
        shown_greeting = console.locator(f'#history .msg[data-id="{greeting.id}"]')
        await expect(shown_greeting).to_have_count(1)
        await expect(shown_greeting.locator(".delivery")).to_be_hidden()  # sent: nothing extra

        # WeChat refuses the reply: outside the 48-hour window
        bot.wechat.fail_next(OPENID, 45015)
        await reply(console, REFUSED_48H)
        told = last_toast(console)  # refused for good, and no 留言 in this conversation to speak of
        await expect(told).to_contain_text(TEXTS["not_delivered_none"])
        await expect(told).to_contain_text(TEXTS["not_delivered_final"])
        await expect(told).not_to_contain_text("留言")
        refused = message(console, REFUSED_48H)
        await expect(refused).to_have_class(re.compile(r"\bundelivered\b"))
        await expect(refused.locator(".delivery")).to_be_visible()
        await expect(refused.locator(".delivery-state")).to_have_text(TEXTS["delivery_undelivered"])
        await expect(refused.locator(".delivery-reason")).to_have_text(TEXTS["undelivered_window"])
        await expect(console.locator("#reply-input")).to_have_value(REFUSED_48H)  # the draft kept, to send again

        # a refusal the console has no label for reads as the generic one, never the code
        bot.wechat.fail_next(OPENID, -1)
        await reply(console, REFUSED_OTHER)
        await expect(last_toast(console)).to_contain_text(TEXTS["not_delivered_waiting"])  # a resend may pass
        other = message(console, REFUSED_OTHER)
        await expect(other.locator(".delivery-reason")).to_have_text(TEXTS["undelivered_refused"])
        await expect(other.locator(".delivery")).not_to_contain_text(re.compile(r"errcode|-1|\d{5}"))
        assert REFUSED_48H not in bot.wechat.texts_to(OPENID) and REFUSED_OTHER not in bot.wechat.texts_to(OPENID)

        # a message still with the platform reads 发送中…, and loses the mark once sent (a row shown already)
        await Message.filter(id=greeting.id).update(delivery_status="pending")
        await customer_writes(console, customer, "退款到了吗")
        await expect(shown_greeting).to_have_class(re.compile(r"\bpending\b"))
        await expect(shown_greeting.locator(".delivery-state")).to_have_text(TEXTS["delivery_pending"])
        await expect(shown_greeting.locator(".delivery-reason")).to_have_text("")
        quiet = await style(shown_greeting.locator(".delivery"), "color")
        await Message.filter(id=greeting.id).update(delivery_status="sent")
        await customer_writes(console, customer, "好的")
        await expect(shown_greeting.locator(".delivery")).to_be_hidden()
        await expect(shown_greeting).not_to_have_class(re.compile(r"\bpending\b"))
        # the refused reply keeps its mark through the re-renders
        await expect(refused.locator(".delivery-state")).to_have_text(TEXTS["delivery_undelivered"])

        # a row left pending for good (its worker killed mid-send) reads unconfirmed after the give-up time
        await Message.filter(id=greeting.id).update(delivery_status="pending")
        await bot.clock.advance(PENDING_GIVE_UP_S + 1)
        await customer_writes(console, customer, "还在吗")
        await expect(shown_greeting).to_have_class(re.compile(r"\bunconfirmed\b"))
        await expect(shown_greeting.locator(".delivery-state")).to_have_text(TEXTS["delivery_unconfirmed"])
        await expect(shown_greeting.locator(".delivery-reason")).to_have_text(TEXTS["undelivered_unconfirmed"])
        # marked like the others, apart from both: not the quiet "sending", not the refusal's red or solid line
        colours = {await style(shown_greeting.locator(".delivery"), "color"), quiet,
                   await style(refused.locator(".delivery"), "color")}
        assert len(colours) == 3, colours
        assert await style(shown_greeting.locator(".delivery-state"), "font-weight") == "600"
        assert await style(shown_greeting.locator(".bubble"), "outline-style") == "dashed"
        assert await style(refused.locator(".bubble"), "outline-style") == "solid"


async def test_only_the_unsent_part_is_put_back_and_an_unanswered_send_is_unconfirmed(tmp_path: Path,
                                                                                      browser: Browser) -> None:
    async with bot_reaching_wechat_through_a_proxy(tmp_path, FakeClock(), staffed_hours="00:00-24:00") as (bot, proxy):
        await bot.runtime.scheduler.stop()
        await create_agent("amy", "agent", "secret-pass-123")
        async with open_page(browser, str(bot.server.make_url("/console")), viewport=DESKTOP) as console:
            await log_in(console, "amy")
            await go_online(console)
            customer = bot.user(OPENID)
            await customer.say("转人工")
            await expect(console.locator("#chat-main")).to_be_visible()
            await customer_writes(console, customer, "退款怎么样了")

            # the first part goes, WeChat refuses the second: only the second is put back, and the agent is told
            bot.wechat.fail_next(OPENID, 0)
            bot.wechat.fail_next(OPENID, -1)
            await reply(console, FIRST + SECOND)
            await expect(console.locator("#reply-input")).to_have_value(SECOND)
            told = last_toast(console)
            await expect(told).to_contain_text(TEXTS["not_delivered_some"].format(sent=1, left=1))
            await expect(told).not_to_contain_text(TEXTS["not_delivered_waiting"])  # the customer got a part
            await expect(message(console, SECOND).locator(".delivery-state")).to_have_text(
                TEXTS["delivery_undelivered"])
            await expect(message(console, FIRST).locator(".delivery")).to_be_hidden()
            await console.locator("#reply-input").press("Enter")  # the resend: the second part only
            await expect(console.locator("#reply-input")).to_have_value("")
            assert bot.wechat.texts_to(OPENID).count(FIRST) == 1 and bot.wechat.texts_to(OPENID).count(SECOND) == 1

            # WeChat takes the send and its answer never comes whole (the connection drops after its head; a
            # timeout is the same case): it has the text; not put back for a blind resend, shown unconfirmed
            proxy.lose_reply_to(SEND_PATH.encode(), keep_head=True)
            await reply(console, UNANSWERED)
            await expect(last_toast(console)).to_contain_text(TEXTS["not_delivered_unconfirmed"].format(n=1))
            await expect(console.locator("#reply-input")).to_have_value("")
            unanswered = message(console, UNANSWERED)
            await expect(unanswered.locator(".delivery-state")).to_have_text(TEXTS["delivery_unconfirmed"])
            await expect(unanswered.locator(".delivery-reason")).to_have_text(TEXTS["undelivered_unconfirmed"])
            await expect(unanswered).not_to_have_class(re.compile(r"\bundelivered\b"))
            assert proxy.replies_lost == 1 and bot.wechat.texts_to(OPENID).count(UNANSWERED) == 1


async def test_a_supervisor_sees_the_held_conversations_whose_last_reply_did_not_reach_the_customer(
        bot: WeChatBot, browser: Browser) -> None:
    """The supervisor view lists the held conversations whose latest reply from a person the platform did not
    take (or may not have), in the words of the message's own mark; opening one shows the reply marked as its
    agent sees it. A reply that went later takes the conversation off the list. Before, the supervisor saw
    such a conversation only as one about to time out, its agent seemingly idle."""
    amy = await create_agent("amy", "agent", STAFF_PASSWORD)
    await create_agent("老王", "supervisor", STAFF_PASSWORD)
    headers = {"Authorization": f"Bearer {await issue_api_token(amy)}"}
    api = str(bot.server.make_url("/api/agent"))
    async with bot.session.post(f"{api}/presence", json={"presence": "online"}, headers=headers) as online:
        assert online.status == 200
    customer = bot.user(OPENID)
    await customer.say("转人工")
    held = await Conversation.get(key=f"wechat:{OPENID}")
    await customer.say("在吗")

    async def amy_replies(text: str) -> int:
        async with bot.session.post(f"{api}/conversations/{held.id}/messages", json={"text": text},
                                    headers=headers) as sent:
            return sent.status

    bot.wechat.fail_next(OPENID, 45015)  # outside the 48-hour window
    assert await amy_replies(REFUSED_48H) == 502
    async with open_page(browser, str(bot.server.make_url("/console")), viewport=DESKTOP) as console:
        await log_in(console, "老王")
        supervisor_tab = console.get_by_role("button", name=TEXTS["tab_supervisor"])
        await supervisor_tab.click()
        rows = console.locator("#unsent-body tr")
        await expect(rows).to_have_count(1)
        await expect(console.locator("#unsent-empty")).to_be_hidden()
        await expect(rows.locator("td").nth(1)).to_have_text("amy")
        tag = rows.locator(".delivery-tag")
        await expect(tag).to_have_text(TEXTS["delivery_undelivered"])
        await expect(tag).to_have_class(re.compile(r"\bundelivered\b"))
        await expect(rows.locator("td").nth(2)).to_contain_text(TEXTS["undelivered_window"])

        await rows.get_by_role("button", name=f"#{held.id}").click()  # the conversation, in the desk
        refused = message(console, REFUSED_48H)
        await expect(refused.locator(".delivery-state")).to_have_text(TEXTS["delivery_undelivered"])
        await expect(refused.locator(".delivery-reason")).to_have_text(TEXTS["undelivered_window"])

        await customer.say("还在吗")  # the window open again: amy's next reply goes
        assert await amy_replies("亲，在的，退款已经处理好了") == 200
        await console.get_by_role("button", name=TEXTS["tab_desk"]).click()
        await supervisor_tab.click()
        await expect(rows).to_have_count(0)
        await expect(console.locator("#unsent-empty")).to_be_visible()


async def test_every_delivery_label_the_console_names_is_in_console_yaml() -> None:
    named = set(re.findall(r'"((?:undelivered|delivery|not_delivered)_[a-z_]+)"', DESK_JS.read_text(encoding="utf-8")))
    assert {"undelivered_refused", "delivery_unconfirmed", "not_delivered_some"} <= named  # the pattern finds them
    missing = named - set(TEXTS)
    assert not missing, f"labels missing from scripts_zh/console.yaml: {sorted(missing)}"


async def test_a_resend_after_a_gateway_error_reuses_the_reply_id_and_is_not_sent_twice(bot: WeChatBot,
                                                                                      browser: Browser) -> None:
    """A proxy answers 502 after the server sent the reply (the answer lost on its way back): the agent's
    second click carries the same client_msg_id, and the server answers it with the first send's result
    instead of sending again. Before, the console dropped the id on any status but 0, and the resend went out."""
    await create_agent("bea", "agent", "secret-pass-123")
    async with open_page(browser, str(bot.server.make_url("/console")), viewport=DESKTOP) as console:
        await log_in(console, "bea")
        await go_online(console)
        customer = bot.user("o_gateway_lost")
        await customer.say("转人工")
        await expect(console.locator("#chat-main")).to_be_visible()
        bodies: list[dict] = []

        async def answer_lost_once(route) -> None:
            bodies.append(route.request.post_data_json)
            if len(bodies) == 1:
                await route.fetch()  # the server sends the reply
                await route.fulfill(status=502, content_type="text/html", body="<h1>502 Bad Gateway</h1>")
            else:
                await route.continue_()

        await console.route(re.compile(r".*/api/agent/conversations/\d+/messages$"), answer_lost_once)
        text = "您好，我来帮您查一下物流"
        await reply(console, text)
        await expect(last_toast(console)).to_be_visible()
        await expect(console.locator("#reply-input")).to_have_value(text)  # no answer: the draft stays
        await expect(console.locator("#reply-send")).to_be_enabled()  # the first send's refresh is over
        await console.locator("#reply-input").press("Enter")
        await expect(console.locator("#reply-input")).to_have_value("")
        assert len(bodies) == 2 and bodies[0]["client_msg_id"] == bodies[1]["client_msg_id"]
        assert bot.wechat.texts_to("o_gateway_lost").count(text) == 1
