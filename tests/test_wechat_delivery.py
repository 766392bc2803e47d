"""What goes out through WeChat's customer-service API: late answers, long answers, refusals, tokens.

The bot talks to `FakeWeChat` over real HTTP; the fake counts token calls and records every send.
"""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from bot.channels.wechat import WeChatChannel
from bot.channels.wechat_api import WeChatAPI, WeChatAPIError, http_session
from bot.errors import DeliveryFailed
from bot.store.memory import MemoryStore
from models.message import Message
from tests.fakes.wechat_server import UNKNOWN_PATH_ERRCODE, FakeWeChat
from tests.fakes.wechat_user import Probe, probe_bot, probe_router, wechat_channel

pytestmark = pytest.mark.timeout(30)


@pytest.fixture
def probe() -> Probe:
    return probe_router()


async def until(condition, what: str = "condition") -> None:
    for _ in range(5000):
        if condition():
            return
        await asyncio.sleep(0.001)
    raise AssertionError(f"timed out waiting for {what}")


async def outbound() -> list[Message]:
    return await Message.filter(channel="wechat", direction="out").order_by("id")


def sentences(n: int) -> list[str]:
    return [f"这是第{i:03d}句，用来测试长回复的拆分与顺序。" for i in range(1, n + 1)]


# --- late answers ---


async def test_late_answer_is_success_then_sent_via_kf(tmp_path, clock, probe) -> None:
    async with probe_bot(tmp_path, clock, probe) as bot:
        user = bot.user()
        pending = asyncio.create_task(user.say("slow:让您久等了"))
        await until(probe.entered.is_set, "the handler to start")
        await clock.advance(bot.settings.wechat_passive_budget_s)
        reply = await pending
        assert reply.is_success and reply.body == "success"
        assert bot.wechat.sent == []
        probe.gate.set()
        await wechat_channel(bot).settle()
        assert bot.wechat.texts_to(user.openid) == ["让您久等了"]
        [row] = await outbound()
        assert row.delivery_status == "sent" and row.sent_at is not None


async def test_answer_just_inside_the_budget_is_passive(tmp_path, clock, probe) -> None:
    async with probe_bot(tmp_path, clock, probe) as bot:
        user = bot.user()
        pending = asyncio.create_task(user.say("slow:刚好赶上"))
        await until(probe.entered.is_set, "the handler to start")
        await clock.advance(bot.settings.wechat_passive_budget_s - 0.01)
        probe.gate.set()
        assert (await pending).content == "刚好赶上"
        await wechat_channel(bot).settle()
        assert bot.wechat.sent == []


# --- long answers ---


async def test_long_answer_first_part_passive_rest_via_kf_in_order(tmp_path, clock, probe) -> None:
    async with probe_bot(tmp_path, clock, probe) as bot:
        user = bot.user()
        reply = await user.say("long:150")
        await wechat_channel(bot).settle()
        parts = [reply.content, *bot.wechat.texts_to(user.openid)]
        assert len(parts) >= 3
        assert all(len(part.encode("utf-8")) <= 2000 for part in parts)
        assert "".join(parts) == "".join(sentences(150))
        rows = await outbound()
        assert [row.text for row in rows] == parts
        assert all(row.delivery_status == "sent" for row in rows)


async def test_late_long_answer_goes_entirely_via_kf_in_order(tmp_path, clock, probe) -> None:
    async with probe_bot(tmp_path, clock, probe) as bot:
        user = bot.user()
        pending = asyncio.create_task(user.say("slow:" + "".join(sentences(120))))
        await until(probe.entered.is_set, "the handler to start")
        await clock.advance(5)
        assert (await pending).is_success
        probe.gate.set()
        await wechat_channel(bot).settle()
        parts = bot.wechat.texts_to(user.openid)
        assert len(parts) >= 2 and "".join(parts) == "".join(sentences(120))
        assert all(len(part.encode("utf-8")) <= 2000 for part in parts)


# --- refusals ---


@pytest.mark.parametrize(("errcode", "reason"), [(45015, "outside_48h_window"), (45047, "over_send_cap")])
async def test_refused_kf_send_is_recorded_undeliverable_and_not_retried(
    tmp_path, clock, probe, errcode, reason
) -> None:
    async with probe_bot(tmp_path, clock, probe) as bot:
        user = bot.user()
        bot.wechat.fail_for(user.openid, errcode)
        reply = await user.say("long:120")
        await wechat_channel(bot).settle()
        assert reply.xml is not None  # the passive part still went out
        rows = await outbound()
        assert rows[0].delivery_status == "sent"
        tail = rows[1:]
        assert tail and all(row.delivery_status == "undeliverable" for row in tail)
        assert {row.failure_reason for row in tail} == {reason}
        attempts = [sent.content for sent in bot.wechat.sent]
        assert attempts == [row.text for row in tail]  # one attempt each, in order, never retried
        assert bot.wechat.token_calls == 1


async def test_push_raises_delivery_failed_with_the_reason(tmp_path, clock, probe) -> None:
    async with probe_bot(tmp_path, clock, probe) as bot:
        channel = wechat_channel(bot)
        bot.wechat.fail_for("o_gone", 45015)
        with pytest.raises(DeliveryFailed) as refused:
            await channel.push("o_gone", "您的订单已发货")
        assert refused.value.reason == "outside_48h_window" and not refused.value.retryable
        outcomes = await bot.runtime.outbox.send("wechat", "o_gone", ["人工客服回复"], author="agent:7")
        assert outcomes == ["outside_48h_window"]
        [row] = await outbound()
        assert row.delivery_status == "undeliverable" and row.failure_reason == "outside_48h_window"


@pytest.mark.parametrize("expire", ["invalidate_tokens", "expire_tokens"], ids=["40001", "42001"])
async def test_refused_token_is_refreshed_once_and_the_send_retried_once(tmp_path, clock, probe, expire) -> None:
    async with probe_bot(tmp_path, clock, probe) as bot:
        channel = wechat_channel(bot)
        await channel.push("o_customer", "第一条")
        getattr(bot.wechat, expire)()
        await channel.push("o_customer", "第二条")
        assert bot.wechat.token_calls == 2
        assert [(sent.content, sent.errcode, sent.access_token) for sent in bot.wechat.sent] == [
            ("第一条", 0, "TOKEN-1"), ("第二条", 40001 if expire == "invalidate_tokens" else 42001, "TOKEN-1"),
            ("第二条", 0, "TOKEN-2"),
        ]


async def test_token_refused_twice_gives_up_after_one_retry(tmp_path, clock, probe) -> None:
    async with probe_bot(tmp_path, clock, probe) as bot:
        bot.wechat.fail_next("o_customer", 40001, times=5)
        with pytest.raises(DeliveryFailed) as refused:
            await wechat_channel(bot).push("o_customer", "你好")
        assert refused.value.reason == "errcode_40001"
        assert len(bot.wechat.sent) == 2 and bot.wechat.token_calls == 2


async def test_send_timeout_is_delivery_failed(tmp_path, clock, probe) -> None:
    # The budget covers the token fetch below too: 0.05 s failed it on a machine at load 17.
    async with probe_bot(tmp_path, clock, probe, wechat_http_timeout_s=0.3) as bot:
        await wechat_channel(bot).api.access_token()  # type: ignore[union-attr]
        bot.wechat.hold_sends = asyncio.Event()
        with pytest.raises(DeliveryFailed) as refused:
            await wechat_channel(bot).push("o_customer", "你好")
        assert refused.value.reason == "timeout"
        bot.wechat.hold_sends.set()


async def test_unreachable_api_is_delivery_failed(tmp_path, clock, probe) -> None:
    async with FakeWeChat() as gone:
        dead_url = gone.url
    async with probe_bot(tmp_path, clock, probe, wechat_api_base=dead_url) as bot:
        with pytest.raises(DeliveryFailed) as refused:
            await wechat_channel(bot).push("o_customer", "你好")
        assert refused.value.reason == "network"


# --- the access token ---


def api_client(wechat: FakeWeChat, store, clock, session: aiohttp.ClientSession) -> WeChatAPI:
    return WeChatAPI(appid=wechat.appid, appsecret=wechat.secret, base_url=wechat.url, timeout_s=5.0,
                     store=store, clock=clock, session=session)


async def test_concurrent_refresh_by_two_workers_makes_one_token_call(open_stores, clock) -> None:
    async with FakeWeChat() as wechat, aiohttp.ClientSession() as one, aiohttp.ClientSession() as two:
        wechat.hold_tokens = asyncio.Event()
        worker_a = api_client(wechat, open_stores(), clock, one)
        worker_b = api_client(wechat, open_stores(), clock, two)
        sends = [asyncio.create_task(worker.send_text(f"o_user_{n}", "您好"))
                 for n, worker in enumerate([worker_a, worker_b, worker_a, worker_b])]
        await until(lambda: wechat.token_calls == 1, "the first refresh to reach WeChat")
        for _ in range(20):
            await asyncio.sleep(0.001)  # give a second refresh every chance to start
        wechat.hold_tokens.set()
        await asyncio.gather(*sends)
        assert wechat.token_calls == 1
        assert len(wechat.delivered()) == 4 and {sent.access_token for sent in wechat.sent} == {"TOKEN-1"}


class StaleTokenServer:
    """`cgi-bin/token` over plain HTTP/1.1. The first connection's first request is answered and the
    connection kept; its next request takes `spent` seconds of the client's clock and the connection then
    closes unanswered (a stale keep-alive). aiohttp repeats a GET once on a new connection: that one closes
    unanswered at once. A request on any later connection (the client's own resend) is never answered
    (`resent` set when it arrives)."""

    def __init__(self, clock, spent: float) -> None:
        self.clock, self.spent = clock, spent
        self.connections = 0
        self.resent = asyncio.Event()
        self.done = asyncio.Event()

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        number = self.connections
        try:
            await reader.readuntil(b"\r\n\r\n")
            if number == 1:
                body = b'{"access_token": "TOKEN-1", "expires_in": 7200}'
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
                             % (len(body), body))
                await writer.drain()
                await reader.readuntil(b"\r\n\r\n")
                await self.clock.advance(self.spent)
            elif number > 2:
                self.resent.set()
                await self.done.wait()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        writer.transport.abort()


@pytest.mark.parametrize("spent", [0.75, 1.0], ids=["part of the call's time", "all of it"])
async def test_a_token_refresh_sent_again_after_a_stale_connection_stays_within_one_timeout(clock, spent) -> None:
    """The refresh runs under the token's lock, whose lease is two timeouts. Its request on a connection
    WeChat had closed while idle is sent again on a fresh one; the resend had a whole timeout of its own,
    so a refresh could last two timeouts and its store round trips, past the lease, and another worker
    took the lock and refreshed too. The resend now has what is left of the call's timeout, and none when
    it is spent (`network`: the stale request reached nobody). Its time is the client's clock's."""
    server = StaleTokenServer(clock, spent)
    listener = await asyncio.start_server(server.serve, "127.0.0.1", 0)
    try:
        async with http_session() as session:
            api = WeChatAPI(appid="wx0123456789abcdef", appsecret="fake-app-secret", timeout_s=1.0,
                            base_url=f"http://127.0.0.1:{listener.sockets[0].getsockname()[1]}",
                            store=MemoryStore(clock), clock=clock, session=session)
            token = await api.access_token()
            refreshing = asyncio.ensure_future(api.access_token(rejected=token))
            if spent < 1.0:  # the resend goes, with a quarter of the timeout (a whole one, 1 s, before)
                resent = asyncio.ensure_future(server.resent.wait())
                await asyncio.wait([refreshing, resent], return_when=asyncio.FIRST_COMPLETED)
                assert resent.done() and not refreshing.done()
                await clock.advance(1.0 - spent - 0.01)
                assert not refreshing.done()
                await clock.advance(0.01)
                assert refreshing.done()
            with pytest.raises(WeChatAPIError) as failed:
                await refreshing
    finally:
        server.done.set()
        listener.close()
    if spent < 1.0:
        assert (failed.value.reason, server.connections) == ("timeout", 3)
    else:
        assert (failed.value.reason, server.connections) == ("network", 2)


async def test_token_is_cached_in_the_store_until_it_expires(store, clock) -> None:
    async with FakeWeChat(expires_in=7200) as wechat, aiohttp.ClientSession() as session:
        api = api_client(wechat, store, clock, session)
        assert await api.access_token() == "TOKEN-1"
        assert await api.access_token() == "TOKEN-1"
        other = api_client(wechat, store, clock, session)
        assert await other.access_token() == "TOKEN-1"
        assert wechat.token_calls == 1
        await clock.advance(7200 - 300 + 1)  # refreshed five minutes before WeChat expires it
        assert await api.access_token() == "TOKEN-2"
        assert wechat.token_calls == 2


async def test_api_errors_carry_the_errcode(store, clock) -> None:
    async with FakeWeChat() as wechat, aiohttp.ClientSession() as session:
        api = api_client(wechat, store, clock, session)
        with pytest.raises(WeChatAPIError) as unknown:
            await api.call("/cgi-bin/no/such/api", {})
        assert unknown.value.errcode == UNKNOWN_PATH_ERRCODE
        qrcode = await api.create_qrcode("ref_1001", expire_seconds=3600)
        assert qrcode["ticket"].startswith("TICKET-")
        assert await api.send_template("o_user", "TEMPLATE_ID", {"first": {"value": "您好"}}) > 0
        wrong = WeChatAPI(appid=wechat.appid, appsecret="wrong", base_url=wechat.url, timeout_s=5.0,
                          store=store, clock=clock, session=session)
        await store.delete(store.keys("wechat", "token", wechat.appid))
        with pytest.raises(WeChatAPIError) as refused:
            await wrong.access_token()
        assert refused.value.errcode == 40125


async def test_stop_waits_for_pending_background_sends(tmp_path, clock, probe) -> None:
    wechat = FakeWeChat()
    async with wechat:
        async with probe_bot(tmp_path, clock, probe, wechat=wechat) as bot:
            user = bot.user()
            pending = asyncio.create_task(user.say("slow:关机前送达"))
            await until(probe.entered.is_set, "the handler to start")
            await clock.advance(5)
            assert (await pending).is_success
            probe.gate.set()  # the kf send is still to happen when the app shuts down
        assert wechat.texts_to(user.openid) == ["关机前送达"]


def test_channel_needs_its_settings(tmp_path) -> None:
    from bot.errors import ConfigError
    from tests.fakes.bot_app import make_settings

    with pytest.raises(ConfigError, match="WECHAT_TOKEN"):
        WeChatChannel(make_settings(tmp_path))
    with pytest.raises(ConfigError, match="WECHAT_APPID"):
        WeChatChannel(make_settings(tmp_path, wechat_token="t", wechat_aes_key="a" * 43))
