"""Web-chat identity: the server names visitors with signed tokens; made-up ids get nowhere.

Real app on a real socket. A second client that knows (or guesses) a visitor id but not the token
can neither write as that visitor nor receive what is pushed to them; a shop's site can vouch for
its logged-in customer with an HMAC of the id, and that customer's orders then match without a phone.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import stat
from pathlib import Path

import pytest
from aiohttp import WSServerHandshakeError

from bot.clock import FakeClock
from bot.web.visitors import SECRET_FILE, TOKEN_HEADER
from models.case import AfterSalesCase
from models.message import Message
from tests.fakes.bot_app import RunningBot, make_settings, running_bot
from tests.fakes.erp_server import order_object, seed_orders

API = "/api/webchat/messages"
IDENTITY_SECRET = "the-shops-own-site-secret-42"


@pytest.fixture
async def bot(tmp_path: Path, clock: FakeClock):
    settings = make_settings(tmp_path, webchat_identity_secret=IDENTITY_SECRET)
    async with running_bot(settings, clock=clock) as running:
        yield running


async def new_visitor(bot: RunningBot, **body: str) -> dict[str, str]:
    response = await bot.client.post("/api/webchat/visitor", json=body)
    assert response.status == 200, await response.text()
    return await response.json()


async def test_the_server_issues_distinct_visitors_and_keeps_a_known_one(bot) -> None:
    first, second = await new_visitor(bot), await new_visitor(bot)
    assert first["visitor_id"] != second["visitor_id"]
    assert first["token"].startswith(first["visitor_id"] + ".")
    again = await new_visitor(bot, token=first["token"])
    assert again == first
    tag = first["token"].rpartition(".")[2]
    forged = first["visitor_id"] + "." + ("B" if tag[0] == "A" else "A") + tag[1:]  # one character changed
    assert (await new_visitor(bot, token=forged))["visitor_id"] not in (first["visitor_id"], "")


async def test_a_made_up_or_borrowed_id_cannot_write_as_the_visitor(bot) -> None:
    alice = await new_visitor(bot)
    ok = await bot.client.post(API, json={"text": "你好"}, headers={TOKEN_HEADER: alice["token"]})
    assert ok.status == 200
    for body, headers, status in (
        ({"user_id": alice["visitor_id"], "text": "冒充"}, {}, 401),
        ({"user_id": "1", "text": "随便一个id"}, {}, 401),
        ({"text": "伪造"}, {TOKEN_HEADER: alice["visitor_id"] + ".forgedforgedforgedforgedforged12"}, 403),
        ({"user_id": alice["visitor_id"], "text": "借用"}, {TOKEN_HEADER: (await new_visitor(bot))["token"]}, 403),
    ):
        response = await bot.client.post(API, json=body, headers=headers)
        assert response.status == status
        assert (await response.json())["error"]["code"].startswith("visitor_")
    assert await Message.filter(direction="in").count() == 1


async def test_a_second_client_never_receives_the_visitors_messages(bot) -> None:
    alice = await new_visitor(bot)
    for query in (f"user_id={alice['visitor_id']}", f"token={alice['visitor_id']}.{'x' * 32}"):
        with pytest.raises(WSServerHandshakeError) as refused:
            await bot.client.ws_connect(f"/ws/webchat?{query}")
        assert refused.value.status in (401, 403)
    async with bot.client.ws_connect(f"/ws/webchat?token={alice['token']}") as ws:
        await bot.runtime.outbox.send("webchat", alice["visitor_id"], ["客服的回复"])
        assert (await ws.receive_json(timeout=5))["text"] == "客服的回复"


def sign(customer_id: str, secret: str = IDENTITY_SECRET) -> str:
    return hmac.new(secret.encode(), customer_id.encode(), hashlib.sha256).hexdigest()


async def test_a_verified_shop_customer_finds_their_orders_without_a_phone(bot, clock) -> None:
    await seed_orders(order_object("E2026112200777", "webchat:shop-10086"), now=clock.now())
    customer = await new_visitor(bot, customer_id="10086", customer_sig=sign("10086"))
    assert customer["visitor_id"] == "shop-10086"
    headers = {TOKEN_HEADER: customer["token"]}
    response = await bot.client.post(API, json={"text": "订单E2026112200777申请退货"}, headers=headers)
    assert response.status == 200
    [case] = await AfterSalesCase.filter(order__order_no="E2026112200777")
    assert case.case_no in "".join((await response.json())["replies"])


async def test_an_unsigned_or_missigned_customer_id_is_refused(bot) -> None:
    for body in ({"customer_id": "10086", "customer_sig": sign("10087")},
                 {"customer_id": "10086", "customer_sig": sign("10086", "another-secret-000000")},
                 {"customer_id": "10086", "customer_sig": "not-hex"},
                 {"customer_id": "10086"}, {"customer_id": "a b", "customer_sig": sign("a b")}):
        response = await bot.client.post("/api/webchat/visitor", json=body)
        assert response.status in (400, 403), body


async def test_customer_ids_are_refused_when_the_shop_set_no_identity_secret(tmp_path, clock) -> None:
    async with running_bot(make_settings(tmp_path), clock=clock) as plain:
        response = await plain.client.post("/api/webchat/visitor",
                                           json={"customer_id": "10086", "customer_sig": sign("10086")})
        assert response.status == 403


async def test_the_secret_is_generated_once_beside_the_sqlite_database(tmp_path, clock) -> None:
    async with running_bot(make_settings(tmp_path), clock=clock) as first:
        token = (await new_visitor(first))["token"]
    path = tmp_path / SECRET_FILE
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    async with running_bot(make_settings(tmp_path), clock=clock) as restarted:
        response = await restarted.client.post(API, json={"text": "你好"}, headers={TOKEN_HEADER: token})
        assert response.status == 200


async def test_postgres_without_a_secret_refuses_visitors(tmp_path, clock, migrated_postgres_url) -> None:
    settings = make_settings(tmp_path, database_url=migrated_postgres_url, webchat_secret=None)
    async with running_bot(settings, clock=clock) as bot:
        response = await bot.client.post("/api/webchat/visitor", json={})
        assert response.status == 503
        error = (await response.json())["error"]
        assert error["code"] == "webchat_not_configured" and "WEBCHAT_SECRET" in error["message"]
