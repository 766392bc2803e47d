"""The web chat's HTTP surface against the real app on a real socket: page, message API, WebSocket."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiohttp import WSMsgType

from bot.channels.webchat import IN_FLIGHT_TTL_S, MAX_TEXT_CHARS
from bot.clock import FakeClock
from models.message import Message
from tests.fakes.bot_app import RunningBot, make_settings, running_bot, visitor_headers
from tests.fakes.erp_server import order_object, seed_orders
from tests.store_faults import SENDS_OF_A_COMMAND, claim_of, lose_the_replies
from tests.tcp_proxy import proxied

SHOP = "小蜜优选旗舰店"
API = "/api/webchat/messages"


def visitor() -> str:
    return str(uuid.uuid4())


def socket_url(bot: RunningBot, user_id: str) -> str:
    token = visitor_headers(bot.runtime, user_id)["X-Visitor-Token"]
    return f"/ws/webchat?token={token}"


@pytest.fixture
def bot_settings() -> dict:
    return {"shop_name": SHOP}


async def answer(bot: RunningBot, user_id: str, text: str, client_msg_id: str | None = None) -> dict:
    """The whole answer: `replies`, and the `choices` to show as buttons under the last one."""
    body = {"user_id": user_id, "text": text}
    if client_msg_id is not None:
        body["client_msg_id"] = client_msg_id
    response = await bot.client.post(API, json=body, headers=visitor_headers(bot.runtime, user_id))
    assert response.status == 200, await response.text()
    assert response.content_type == "application/json"
    payload = await response.json()
    assert set(payload) == {"replies", "ids", "choices"}
    assert all(isinstance(text, str) and text for text in payload["replies"])
    return payload


async def say(bot: RunningBot, user_id: str, text: str, client_msg_id: str | None = None) -> list[str]:
    return (await answer(bot, user_id, text, client_msg_id))["replies"]


# --- answers ---


async def test_greeting_gets_a_greeting(bot: RunningBot) -> None:
    replies = await say(bot, visitor(), "你好")
    assert len(replies) == 1
    assert SHOP in replies[0] or "您好" in replies[0]


async def test_question_gets_its_answer(bot: RunningBot) -> None:
    user = visitor()
    await say(bot, user, "你好")
    replies = await say(bot, user, "什么时候发货呀")
    assert any("48小时" in reply for reply in replies), replies


async def test_replies_keep_chinese_readable_in_the_body(bot: RunningBot) -> None:
    user = visitor()
    response = await bot.client.post(API, json={"user_id": user, "text": "你好"},
                                     headers=visitor_headers(bot.runtime, user))
    raw = await response.text()
    assert "\\u" not in raw
    assert "您好" in raw


async def test_longest_allowed_message_is_answered(bot: RunningBot) -> None:
    replies = await say(bot, visitor(), "啊" * MAX_TEXT_CHARS)
    assert replies


# --- bad input: a 4xx with a message, never a 500, and nothing written ---


def body(**fields: object) -> bytes:
    return json.dumps(fields, ensure_ascii=False).encode()


OK = {"user_id": "abc", "text": "你好"}
BAD_BODIES: list[tuple[str, bytes, int]] = [
    ("not json", b"hello", 400),
    ("empty body", b"", 400),
    ("invalid utf-8", b'{"user_id": "\xff\xfe", "text": "hi"}', 400),
    ("json array", json.dumps([OK]).encode(), 400),
    ("json string", json.dumps("你好").encode(), 400),
    ("json null", b"null", 400),
    ("missing text", body(user_id="abc"), 400),
    ("empty text", body(user_id="abc", text=""), 400),
    ("blank text", body(user_id="abc", text=" \n\t "), 400),
    ("text not a string", body(user_id="abc", text=123), 400),
    ("empty user_id", body(**{**OK, "user_id": ""}), 403),  # a user_id, when given, must be the token's
    ("user_id with spaces", body(**{**OK, "user_id": "a b"}), 403),
    ("user_id with slash", body(**{**OK, "user_id": "../etc"}), 403),
    ("user_id too long", body(**{**OK, "user_id": "a" * 65}), 403),
    ("user_id a number", body(**{**OK, "user_id": 42}), 400),  # not a visitor id at all: the field is named
    ("another visitor's user_id", body(**{**OK, "user_id": "abd"}), 403),
    ("text too long", body(**{**OK, "text": "好" * (MAX_TEXT_CHARS + 1)}), 413),
    ("client_msg_id a number", body(**OK, client_msg_id=7), 400),
    ("client_msg_id empty", body(**OK, client_msg_id=""), 400),
    ("client_msg_id with <", body(**OK, client_msg_id="<x>"), 400),
    ("client_msg_id too long", body(**OK, client_msg_id="m" * 65), 400),
]


@pytest.mark.parametrize(("raw", "status"), [case[1:] for case in BAD_BODIES], ids=[c[0] for c in BAD_BODIES])
async def test_bad_input_is_refused_with_a_message(bot: RunningBot, raw: bytes, status: int) -> None:
    headers = {"Content-Type": "application/json", **visitor_headers(bot.runtime, "abc")}
    response = await bot.client.post(API, data=raw, headers=headers)
    text = await response.text()
    assert response.status == status, text
    assert set(json.loads(text)["error"]) >= {"code", "message"}, "a refusal says what was wrong"
    assert "Traceback" not in text
    assert await Message.all().count() == 0


async def test_too_long_text_names_the_text_limit(bot: RunningBot) -> None:
    response = await bot.client.post(API, json={"text": "好" * (MAX_TEXT_CHARS + 1)},
                                     headers=visitor_headers(bot.runtime, "abc"))
    assert response.status == 413
    assert (await response.json())["error"] == {"code": "text_too_long",
                                                 "message": f"text is limited to {MAX_TEXT_CHARS} characters"}


async def test_wrong_method_is_not_a_server_error(bot: RunningBot) -> None:
    response = await bot.client.get(API)
    assert response.status == 405
    assert await Message.all().count() == 0


# --- retries ---


async def test_same_client_msg_id_is_answered_once(bot: RunningBot) -> None:
    user, msg_id = visitor(), visitor()
    first = await say(bot, user, "什么时候发货", msg_id)
    second = await say(bot, user, "什么时候发货", msg_id)
    assert second == first
    assert await Message.filter(direction="in").count() == 1
    assert await Message.filter(direction="out").count() == len(first)


async def test_an_answer_offering_choices_carries_them_and_a_resend_gets_them_again(bot: RunningBot) -> None:
    user, msg_id = visitor(), visitor()
    order_no = "3301234567890123459"
    await seed_orders(order_object(order_no, f"webchat:{user}", items=[
        {"item_name": "陶瓷马克杯", "qty": 2, "price": "39.00"},
        {"item_name": "北欧风餐盘", "qty": 1, "price": "129.00"}]), now=datetime.now(UTC))
    assert (await answer(bot, user, "我要退货"))["choices"] == []
    first = await answer(bot, user, order_no, msg_id)
    assert [choice["reply"] for choice in first["choices"]] == ["1", "2", "整单商品"]
    assert "北欧风餐盘" in first["choices"][1]["label"]
    assert await answer(bot, user, order_no, msg_id) == first


async def test_distinct_client_msg_ids_are_distinct_messages(bot: RunningBot) -> None:
    user = visitor()
    await say(bot, user, "你好", visitor())
    await say(bot, user, "你好", visitor())
    assert await Message.filter(direction="in").count() == 2


async def test_client_msg_id_belongs_to_its_visitor(bot: RunningBot) -> None:
    """Another visitor reusing an id gets their own answer, not the first visitor's cached one."""
    msg_id = visitor()
    first = await say(bot, visitor(), "什么时候发货", msg_id)
    second = await say(bot, visitor(), "谢谢", msg_id)
    assert second != first


async def test_client_msg_id_of_another_visitor_is_still_recorded(bot: RunningBot) -> None:
    msg_id = visitor()
    await say(bot, visitor(), "什么时候发货", msg_id)
    await say(bot, visitor(), "谢谢", msg_id)
    assert await Message.filter(direction="in").count() == 2


async def test_retry_while_first_request_is_in_flight_gets_the_answer(bot: RunningBot) -> None:
    user, msg_id = visitor(), visitor()
    store = bot.runtime.store
    body = {"user_id": user, "text": "什么时候发货", "client_msg_id": msg_id}
    headers = visitor_headers(bot.runtime, user)
    # Holding the conversation's lock keeps the first request inside the pipeline.
    async with store.lock(f"webchat:{user}"):
        first = asyncio.ensure_future(bot.client.post(API, json=body, headers=headers))
        for _ in range(1000):
            if await store.get(store.keys("webchat-reply", user, msg_id)) is not None:
                break
            await asyncio.sleep(0)
        else:
            first.cancel()
            pytest.fail("the first request never claimed its client_msg_id")
        retry = asyncio.ensure_future(bot.client.post(API, json=body, headers=headers))
        # a retry that does not wait for the first is answered within this window (and compared below,
        # as is a late one: the window decides when the lock is let go, not what is checked)
        done, _ = await asyncio.wait({retry}, timeout=0.3)
        if retry in done:  # answered without waiting for the first request
            retry_replies = (await retry.result().json())["replies"]
        else:
            retry_replies = None
    first_replies = (await (await first).json())["replies"]
    if retry_replies is None:
        retry_replies = (await (await retry).json())["replies"]
    assert retry_replies == first_replies


async def test_resend_after_the_in_flight_claims_owner_vanished_is_answered(
        tmp_path: Path, clock: FakeClock, redis_url: str) -> None:
    """Redis ran the first try's claim but its answer was lost (Redis only: the in-process store always
    answers; through a proxy): nobody owns the in-flight claim. It lives `IN_FLIGHT_TTL_S`, not as long as
    answers are cached, and the phone's resend after it is answered, not refused with nothing to say."""
    async with proxied(redis_url) as (url, proxy), running_bot(
            make_settings(tmp_path, shop_name=SHOP, redis_url=url, redis_pool_wait_s=0.2), clock=clock) as bot:
        store = bot.runtime.store
        user, msg_id = visitor(), visitor()
        key = store.keys("webchat-reply", user, msg_id)
        lose_the_replies(proxy, claim_of(key))
        body = {"user_id": user, "text": "什么时候发货", "client_msg_id": msg_id}
        lost = await bot.client.post(API, json=body, headers=visitor_headers(bot.runtime, user))
        assert lost.status == 503 and proxy.replies_lost == SENDS_OF_A_COMMAND
        assert 0 < await store.client.pttl(key) <= IN_FLIGHT_TTL_S * 1000  # the orphaned claim, short-lived
        await store.client.delete(key)  # its TTL runs on Redis' own clock: the end it has come
        assert await say(bot, user, "什么时候发货", msg_id)
        assert await Message.filter(direction="in").count() == 1


# --- the WebSocket ---


async def test_pushed_message_reaches_the_open_websocket(bot: RunningBot) -> None:
    user = visitor()
    async with bot.client.ws_connect(socket_url(bot, user)) as ws:
        texts = ["亲，客服小美为您服务~", "请问有什么可以帮您？"]
        assert await bot.runtime.outbox.send("webchat", user, texts) == ["sent", "sent"]
        assert (await ws.receive_json(timeout=5))["text"] == "亲，客服小美为您服务~"
        assert (await ws.receive_json(timeout=5))["text"] == "请问有什么可以帮您？"
    assert await Message.filter(direction="out", delivery_status="sent").count() == 2


async def test_visitors_never_see_each_others_pushes(bot: RunningBot) -> None:
    user_a, user_b = visitor(), visitor()
    async with (
        bot.client.ws_connect(socket_url(bot, user_a)) as ws_a,
        bot.client.ws_connect(socket_url(bot, user_b)) as ws_b,
    ):
        await bot.runtime.outbox.send("webchat", user_a, ["给A的消息"])
        assert (await ws_a.receive_json(timeout=5))["text"] == "给A的消息"
        # Pushes are delivered in order, so had A's message leaked to B it would arrive before this one.
        await bot.runtime.outbox.send("webchat", user_b, ["给B的消息"])
        assert (await ws_b.receive_json(timeout=5))["text"] == "给B的消息"
        await bot.runtime.outbox.send("webchat", user_a, ["再给A"])
        assert (await ws_a.receive_json(timeout=5))["text"] == "再给A"


async def test_every_open_tab_of_a_visitor_gets_the_push(bot: RunningBot) -> None:
    user = visitor()
    async with (
        bot.client.ws_connect(socket_url(bot, user)) as tab_1,
        bot.client.ws_connect(socket_url(bot, user)) as tab_2,
    ):
        await bot.runtime.outbox.send("webchat", user, ["两个窗口都能看到"])
        assert (await tab_1.receive_json(timeout=5))["text"] == "两个窗口都能看到"
        assert (await tab_2.receive_json(timeout=5))["text"] == "两个窗口都能看到"


async def test_reconnected_websocket_still_gets_pushes(bot: RunningBot) -> None:
    user = visitor()
    async with bot.client.ws_connect(socket_url(bot, user)) as ws:
        await ws.close()
    async with bot.client.ws_connect(socket_url(bot, user)) as ws:
        await bot.runtime.outbox.send("webchat", user, ["重连后的消息"])
        message = await ws.receive(timeout=5)
        assert message.type == WSMsgType.TEXT
        assert json.loads(message.data)["text"] == "重连后的消息"


async def test_closing_the_websocket_logs_no_error(bot: RunningBot, caplog: pytest.LogCaptureFixture) -> None:
    user = visitor()
    subscribers = bot.runtime.store._subscribers  # the memory store's topic -> queues
    async with bot.client.ws_connect(socket_url(bot, user)) as ws:
        await bot.runtime.outbox.send("webchat", user, ["在吗"])
        assert (await ws.receive_json(timeout=5))["text"] == "在吗"
    for _ in range(500):  # until the server's handler has finished and unsubscribed
        if f"webchat:{user}" not in subscribers:
            break
        await asyncio.sleep(0.01)
    else:
        pytest.fail("the closed WebSocket's subscription was never dropped")
    assert [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR] == []


@pytest.mark.parametrize(("query", "status"), [
    ("", 401), ("?user_id=abc", 401), ("?token=", 401), ("?token=abc", 403), ("?token=abc.", 403),
    ("?token=abc." + "A" * 32, 403), ("?token=" + "a" * 65 + "." + "A" * 32, 403), ("?token=%FF.%00", 403),
])
async def test_websocket_refuses_a_missing_or_forged_token(bot: RunningBot, query: str, status: int) -> None:
    response = await bot.client.get(f"/ws/webchat{query}")
    assert response.status == status
    assert (await response.text()).strip()


async def test_websocket_token_must_be_the_named_visitors(bot: RunningBot) -> None:
    response = await bot.client.get(socket_url(bot, "alice") + "&user_id=bob")
    assert response.status == 403


# --- the page ---


async def test_page_shows_the_shop_name(bot: RunningBot) -> None:
    response = await bot.client.get("/")
    assert response.status == 200
    assert response.content_type == "text/html"
    page = await response.text()
    assert f'<h1 class="shop-name" id="shop-name">{SHOP}</h1>' in page
    assert "{{shop_name}}" not in page
    assert 'name="viewport"' in page


async def test_page_escapes_the_shop_name(tmp_path: Path, clock: FakeClock) -> None:
    name = '<b>小蜜</b>"优选"&店'
    async with running_bot(make_settings(tmp_path, shop_name=name), clock=clock) as bot:
        page = await (await bot.client.get("/")).text()
    assert "&lt;b&gt;小蜜&lt;/b&gt;&#34;优选&#34;&amp;店" in page  # Jinja's autoescape (bot/web/pages.py)
    assert "<b>" not in page


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/static/chat.js", "text/javascript"),
        ("/static/lib/rich.js", "text/javascript"),
        ("/static/lib/live.js", "text/javascript"),
        ("/static/demo.js", "text/javascript"),
        ("/static/chat.css", "text/css"),
        ("/favicon.ico", "image/vnd.microsoft.icon"),
    ],
)
async def test_static_files_are_served(bot: RunningBot, path: str, content_type: str) -> None:
    response = await bot.client.get(path)
    assert response.status == 200
    assert response.content_type in {content_type, "application/javascript"}


async def test_page_loads_nothing_from_outside(bot: RunningBot) -> None:
    """The shop's machine may have no internet: no CDN, web font or external script."""
    for path in ("/", "/static/chat.js", "/static/chat.css"):
        body = await (await bot.client.get(path)).text()
        assert "http://" not in body and "https://" not in body, path
        assert "@import" not in body and "//cdn" not in body, path


@pytest.mark.parametrize("script", ["chat.js", "lib/rich.js", "lib/live.js", "lib/api.js", "lib/texts.js", "visitor.js",
                                    "demo.js"])
async def test_page_scripts_never_use_inner_html(bot: RunningBot, script: str) -> None:
    text = await (await bot.client.get(f"/static/{script}")).text()
    assert "use strict" in text or "export " in text or "import " in text  # ES modules are always strict
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in text, sink


async def test_history_gives_the_visitors_own_messages_oldest_first(bot: RunningBot, clock: FakeClock) -> None:
    user, other = visitor(), visitor()
    first = await say(bot, user, "你好")
    await clock.advance(60)
    second = await say(bot, user, "什么时候发货")
    await say(bot, other, "我的秘密问题")
    await bot.runtime.recorder.settle()
    response = await bot.client.get("/api/webchat/history", headers=visitor_headers(bot.runtime, user))
    assert response.status == 200
    messages = (await response.json())["messages"]
    assert [(m["direction"], m["text"]) for m in messages] == [
        ("in", "你好"), *(("out", text) for text in first), ("in", "什么时候发货"), *(("out", text) for text in second)]
    assert messages[0]["at"] < messages[-1]["at"] and messages[0]["at"].endswith("Z")
    stranger = visitor_headers(bot.runtime, visitor())
    assert (await (await bot.client.get("/api/webchat/history", headers=stranger)).json()) == {"messages": []}
    assert (await bot.client.get("/api/webchat/history")).status == 401  # only a proven visitor's own page
    claimed = await bot.client.get("/api/webchat/history", params={"user_id": user}, headers=stranger)
    assert claimed.status == 403


# --- the demo link (`csbot demo`) ---


async def test_demo_link_opens_the_chat_as_the_demo_customer_who_owns_the_demo_orders(bot: RunningBot) -> None:
    from bot.channels.webchat import DEMO_VISITOR
    from bot.demo import create_demo

    assert (await bot.client.get("/demo")).status == 404  # no demo shop, no door
    await create_demo(bot.runtime)
    page = await bot.client.get("/demo")
    assert page.status == 200 and page.headers["Content-Security-Policy"].startswith("default-src 'self'")
    body = await page.text()
    token = visitor_headers(bot.runtime, DEMO_VISITOR)["X-Visitor-Token"]
    assert f'<meta name="csbot-demo-token" content="{token}">' in body and "/static/demo.js" in body
    await say(bot, DEMO_VISITOR, "我要退货")
    replies = await say(bot, DEMO_VISITOR, "E2026112000102")
    assert any("售后单号AS" in reply for reply in replies), replies
    assert not any("没有查到" in reply for reply in replies), replies
