"""The WeChat webhook over real HTTP: signatures, both modes, every message type, every bad input.

The real application runs on a socket with the shop's handlers behind a probe router
(tests/fakes/wechat_user.py); `WeChatUser` signs and encrypts like WeChat does.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import xmltodict
from wechatpy.replies import TextReply

from bot.channels import wechat_protocol as protocol
from bot.clock import FakeClock
from models.message import Message
from tests.fakes.wechat_user import (
    AES_KEY,
    PROBE_TEMPLATES,
    Probe,
    WeChatUser,
    probe_router,
    scripts_with,
    sign,
    wechat_bot,
)
from tests.tcp_proxy import proxied

pytestmark = pytest.mark.timeout(30)


@pytest.fixture
def probe() -> Probe:
    return probe_router()


def bot_in(tmp_path: Path, clock: FakeClock, probe: Probe, *, safe_mode: bool = False, **settings):
    return wechat_bot(tmp_path, clock=clock, routers=[probe.router], safe_mode=safe_mode,
                      scripts_dir=scripts_with(tmp_path, PROBE_TEMPLATES), **settings)


async def inbound_rows(**filters) -> list[Message]:
    return await Message.filter(channel="wechat", direction="in", **filters)


# --- URL verification and signatures ---


@pytest.mark.parametrize("safe_mode", [False, True], ids=["plaintext", "safe"])
async def test_get_echoes_echostr_when_signed(tmp_path, clock, probe, safe_mode) -> None:
    async with bot_in(tmp_path, clock, probe, safe_mode=safe_mode) as bot:
        assert await bot.user().verify_url("7263518290641") == (200, "7263518290641")


async def test_get_refuses_bad_or_missing_signature(tmp_path, clock, probe) -> None:
    async with bot_in(tmp_path, clock, probe) as bot:
        status, _ = await bot.user().verify_url("echo", signature="0" * 40)
        assert status == 403
        async with bot.session.get(bot.url, params={"echostr": "echo"}) as response:
            assert response.status == 403
        ts, nonce = str(int(clock.time())), "123"
        async with bot.session.get(bot.url, params={"echostr": "e", "timestamp": ts, "nonce": nonce,
                                                    "signature": sign("wrong-token", ts, nonce)}) as response:
            assert response.status == 403


async def test_post_refuses_bad_or_missing_signature_without_writing(tmp_path, clock, probe) -> None:
    async with bot_in(tmp_path, clock, probe) as bot:
        user = bot.user()
        request = user.signed(user.text("echo:hi"))
        forged = dict(request.params, signature="f" * 40)
        for params in (forged, {}, {k: v for k, v in request.params.items() if k != "nonce"}):
            async with bot.session.post(bot.url, params=params, data=request.body) as response:
                assert response.status == 403
        assert probe.calls == []
        assert await inbound_rows() == []


# --- text in both modes ---


@pytest.mark.parametrize("safe_mode", [False, True], ids=["plaintext", "safe"])
async def test_text_gets_a_passive_reply(tmp_path, clock, probe, safe_mode) -> None:
    async with bot_in(tmp_path, clock, probe, safe_mode=safe_mode) as bot:
        user = bot.user()
        reply = await user.say("echo:您好，请问什么时候发货？")
        assert reply.status == 200
        if safe_mode:
            assert "<Encrypt>" in reply.body and "您好" not in reply.body
        assert reply.xml is not None
        assert reply.xml["MsgType"] == "text"
        assert reply.content == "您好，请问什么时候发货？"
        assert reply.xml["ToUserName"] == user.openid
        assert reply.xml["FromUserName"] == user.account
        assert int(reply.xml["CreateTime"]) == int(clock.time())
        [row] = await inbound_rows()
        assert row.kind == "text" and row.text == "echo:您好，请问什么时候发货？"
        await bot.runtime.channels["wechat"].settle()  # type: ignore[attr-defined]
        [out] = await Message.filter(channel="wechat", direction="out")
        assert out.delivery_status == "sent" and out.sent_at is not None


async def test_shop_handlers_answer_through_wechat(tmp_path, clock, probe) -> None:
    async with bot_in(tmp_path, clock, probe) as bot:
        reply = await bot.user().say("你好")
        assert "您好" in reply.content


# --- replay window (both modes), nonce cache and bad ciphertext ---


@pytest.mark.parametrize("safe_mode", [False, True], ids=["plaintext", "safe"])
async def test_timestamps_outside_five_minutes_are_refused(tmp_path, clock, probe, safe_mode) -> None:
    async with bot_in(tmp_path, clock, probe, safe_mode=safe_mode) as bot:
        user = bot.user()
        now = int(clock.time())
        for stale in (now - 301, now + 301, now - 600, now - 30 * 24 * 3600):
            reply = await user.post(user.text("echo:old"), timestamp=stale)
            assert reply.status == 403
        assert probe.calls == [] and await inbound_rows() == []
        reply = await user.post(user.text("echo:fresh"), timestamp=now - 290)
        assert reply.content == "fresh"


@pytest.mark.parametrize("safe_mode", [False, True], ids=["plaintext", "safe"])
async def test_repeat_inside_window_is_a_retry(tmp_path, clock, probe, safe_mode) -> None:
    async with bot_in(tmp_path, clock, probe, safe_mode=safe_mode) as bot:
        user = bot.user()
        request = user.signed(user.text("echo:只处理一次"))
        first = await user.send(request)
        await clock.advance(120)
        second = await user.send(request)
        assert first.content == second.content == "只处理一次"
        assert probe.calls == ["echo:只处理一次"]
        assert len(await inbound_rows()) == 1


@pytest.mark.parametrize("safe_mode", [False, True], ids=["plaintext", "safe"])
async def test_a_signed_query_string_is_good_for_one_body_only(tmp_path, clock, probe, safe_mode) -> None:
    """A captured request's signature replayed with another message, or for another follower, is refused."""
    async with bot_in(tmp_path, clock, probe, safe_mode=safe_mode) as bot:
        user, victim = bot.user(), bot.user("o_victim_openid_0001")
        captured = user.signed(user.text("echo:原消息"))
        assert (await user.send(captured)).content == "原消息"
        await clock.advance(60)
        forged = victim.signed(victim.text("echo:伪造"), timestamp=int(captured.params["timestamp"]),
                               nonce=captured.params["nonce"])
        assert forged.params["signature"] == captured.params["signature"]
        assert (await victim.send(forged)).status == 403
        other_body = user.signed(user.text("echo:另一条"), timestamp=int(captured.params["timestamp"]),
                                 nonce=captured.params["nonce"])
        assert (await user.send(other_body)).status == 403
        assert probe.calls == ["echo:原消息"]
        assert len(await inbound_rows()) == 1


async def test_openid_parameter_must_name_the_sender(tmp_path, clock, probe) -> None:
    async with bot_in(tmp_path, clock, probe) as bot:
        user = bot.user()
        request = user.signed(user.text("echo:x"))
        async with bot.session.post(bot.url, params=dict(request.params, openid="o_someone_else"),
                                    data=request.body) as response:
            assert response.status == 403
        assert probe.calls == []


async def test_a_replay_after_the_dedupe_ttl_is_refused(tmp_path, clock, probe) -> None:
    """The delivery dedupe forgets a message after DEDUPE_TTL_S; by then the timestamp is stale."""
    async with bot_in(tmp_path, clock, probe) as bot:
        user = bot.user()
        request = user.signed(user.text("echo:一次"))
        assert (await user.send(request)).content == "一次"
        await clock.advance(bot.settings.dedupe_ttl_s + 1)
        assert (await user.send(request)).status == 403
        assert probe.calls == ["echo:一次"]
        assert bot.wechat.sent == []


async def test_safe_mode_needs_a_valid_msg_signature(tmp_path, clock, probe) -> None:
    async with bot_in(tmp_path, clock, probe, safe_mode=True) as bot:
        user = bot.user()
        request = user.signed(user.text("echo:x"))
        missing = {k: v for k, v in request.params.items() if k != "msg_signature"}
        forged = dict(request.params, msg_signature="0" * 40)
        for params in (missing, forged):
            async with bot.session.post(bot.url, params=params, data=request.body) as response:
                assert response.status == 403
        assert probe.calls == []


async def test_safe_mode_undecryptable_body_is_400(tmp_path, clock, probe) -> None:
    async with bot_in(tmp_path, clock, probe, safe_mode=True) as bot:
        stranger = WeChatUser(bot.session, bot.url, appid=bot.settings.wechat_appid or "", clock=clock,
                              aes_key=AES_KEY[::-1])  # right token, wrong EncodingAESKey
        assert (await stranger.say("echo:x")).status == 400
        other_app = WeChatUser(bot.session, bot.url, appid="wx_someone_else", aes_key=AES_KEY, clock=clock)
        assert (await other_app.say("echo:x")).status == 400
        user = bot.user()
        ts, nonce = str(int(clock.time())), "42"
        garbage = "bm90IGEgY2lwaGVydGV4dA=="
        params = {"signature": sign(user.token, ts, nonce), "timestamp": ts, "nonce": nonce,
                  "encrypt_type": "aes", "msg_signature": sign(user.token, ts, nonce, garbage)}
        body = f"<xml><ToUserName>gh</ToUserName><Encrypt><![CDATA[{garbage}]]></Encrypt></xml>"
        async with bot.session.post(bot.url, params=params, data=body.encode()) as response:
            assert response.status == 400
        params["msg_signature"] = sign(user.token, ts, nonce, "")
        async with bot.session.post(bot.url, params=params, data=b"<xml><ToUserName>gh</ToUserName></xml>") as r:
            assert r.status == 400
        assert probe.calls == [] and await inbound_rows() == []


# --- every message type ---


async def test_every_message_type_gets_200_and_maps_to_an_inbound(tmp_path, clock, probe) -> None:
    async with bot_in(tmp_path, clock, probe) as bot:
        user = bot.user()
        cases = [
            (user.image(), "image", True),
            (user.voice(), "voice", True),
            (user.video(), "video", True),
            (user.video("shortvideo"), "shortvideo", True),
            (user.location(), "location", True),
            (user.link(), "link", True),
            (user.xml("miniprogrampage", {"Title": "小程序", "AppId": "wxapp"}), "miniprogrampage", True),
            (user.xml("hologram", {"Beam": "on"}), "hologram", True),  # a type WeChat may add one day
        ]
        for xml, kind, answered in cases:
            reply = await user.post(xml)
            assert reply.status == 200, kind
            assert (reply.xml is not None) if answered else reply.is_success, kind
        by_kind = {inbound.kind: inbound for inbound in probe.seen}
        assert {kind for _, kind, _ in cases} - {"hologram"} <= by_kind.keys()
        image = by_kind["image"]
        assert image.channel == "wechat" and image.user_id == user.openid
        assert image.media_url == "http://mmbiz.qpic.cn/pic.jpg" and image.extra == {"media_id": "media_image_1"}
        assert image.source_id and image.source_id.isdigit() and image.received_at == clock.now()
        assert by_kind["voice"].extra == {"media_id": "media_voice_1", "format": "amr"}
        assert by_kind["location"].extra["label"] == "广州市天河区"
        assert by_kind["location"].extra["latitude"] == "23.134521"
        assert by_kind["link"].extra["url"] == "https://shop.example/item/1"
        rows = await inbound_rows()
        assert sorted(row.kind for row in rows) == sorted(kind for _, kind, _ in cases)


async def test_recognised_voice_becomes_text(tmp_path, clock, probe) -> None:
    async with bot_in(tmp_path, clock, probe) as bot:
        user = bot.user()
        reply = await user.post(user.voice(recognition="echo:语音转文字"))
        assert reply.content == "语音转文字"
        [row] = await inbound_rows()
        assert row.kind == "text" and row.text == "echo:语音转文字"
        reply = await user.post(user.voice(recognition="我的快递什么时候发货"))
        assert reply.status == 200 and reply.xml is not None
        [voice] = [inbound for inbound in probe.seen if inbound.extra.get("voice")]
        assert voice.kind == "text" and voice.text == "我的快递什么时候发货"


@pytest.mark.parametrize(
    ("event", "key", "fields", "welcomed"),
    [
        ("subscribe", None, {}, True),
        ("subscribe", "qrscene_ref_1001", {"Ticket": "TICKET1"}, True),
        ("unsubscribe", None, {}, False),
        ("SCAN", "ref_1001", {"Ticket": "TICKET1"}, False),
        ("LOCATION", None, {"Latitude": "23.137466", "Longitude": "113.352425", "Precision": "119.385040"}, False),
        ("CLICK", "MENU_ORDERS", {}, False),
        ("VIEW", "https://shop.example/", {"MenuId": "1"}, False),
        ("some_future_event", "k", {}, False),
    ],
)
async def test_events(tmp_path, clock, probe, event, key, fields, welcomed) -> None:
    async with bot_in(tmp_path, clock, probe) as bot:
        user = bot.user()
        reply = await user.post(user.event(event, key, **fields))
        assert reply.status == 200
        if welcomed:
            assert "感谢关注" in reply.content
        else:
            assert reply.is_success
        [inbound] = probe.seen
        assert inbound.kind == "event" and inbound.event == event.lower()
        assert inbound.event_key == key
        assert inbound.source_id.startswith(f"{int(clock.time())}:{event.lower()}")  # + a digest of its key
        if event == "LOCATION":
            assert inbound.extra == {"latitude": "23.137466", "longitude": "113.352425", "precision": "119.385040"}
        [row] = await inbound_rows()
        assert row.kind == "event" and row.source_id == inbound.source_id


# --- bad input ---

XXE = """<?xml version="1.0"?>
<!DOCTYPE xml [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<xml><ToUserName>gh</ToUserName><FromUserName>o_attacker</FromUserName><CreateTime>1</CreateTime>
<MsgType>text</MsgType><Content>&secret;</Content><MsgId>1</MsgId></xml>"""
LAUGHS = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
          + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
          + ']><xml><FromUserName>o_x</FromUserName><MsgType>text</MsgType><Content>&lol9;</Content></xml>')


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"", 400),
        (b"   \n", 400),
        (b"<xml><FromUserName>o_x</FromUserName><MsgType>text", 400),
        (b"not xml at all", 400),
        (b"\xff\xfe<\x00x\x00", 400),
        (XXE.encode(), 400),
        (XXE.replace("DOCTYPE", "doctype").encode(), 400),
        (LAUGHS.encode(), 400),
        (b"<xml><ToUserName>gh</ToUserName><MsgType>text</MsgType><Content>hi</Content><MsgId>1</MsgId></xml>",
         400),
        (b"<xml><ToUserName>gh</ToUserName><FromUserName>o_x</FromUserName><Content>hi</Content></xml>", 400),
        (b"<xml><FromUserName><a>nested</a></FromUserName><MsgType>text</MsgType></xml>", 400),
        (b"<other><FromUserName>o_x</FromUserName><MsgType>text</MsgType></other>", 400),
        (b"<xml/>", 400),
        (b"<xml><FromUserName>o_x</FromUserName><MsgType>text</MsgType><MsgId>1; DROP</MsgId></xml>", 400),
        (b"<xml><FromUserName>o x]]></FromUserName><MsgType>text</MsgType><MsgId>1</MsgId></xml>", 400),
        (b"<xml><FromUserName>o_x</FromUserName><MsgType>event</MsgType><CreateTime>1</CreateTime></xml>", 400),
    ],
    ids=["empty", "blank", "truncated", "not-xml", "utf16", "xxe", "xxe-lowercase", "billion-laughs",
         "no-from", "no-msgtype", "nested-from", "wrong-root", "empty-root", "bad-msgid", "bad-openid",
         "event-without-name"],
)
async def test_bad_bodies_are_refused_with_nothing_written(tmp_path, clock, probe, body, status) -> None:
    async with bot_in(tmp_path, clock, probe) as bot:
        reply = await bot.user().post(body)
        assert reply.status == status
        assert probe.calls == [] and probe.seen == []
        assert await Message.all().count() == 0


async def test_a_body_that_cannot_be_decoded_is_400_not_500(tmp_path, clock, probe) -> None:
    """A compressed body that is not what its Content-Encoding says fails inside aiohttp's reader:
    the sender's fault, answered 400 like any unreadable body, with nothing written."""
    async with bot_in(tmp_path, clock, probe) as bot:
        user = bot.user()
        request = user.signed(user.text("echo:hi"))
        async with user.session.post(user.url, params=request.params, data=b"not gzip at all",
                                     headers={"Content-Type": "text/xml", "Content-Encoding": "gzip"}) as response:
            assert response.status == 400
            assert (await response.json())["error"]["code"] == "invalid_body"
            assert response.headers.get("Connection", "").lower() == "close"  # the rest of the body not read again
        assert probe.calls == [] and await Message.all().count() == 0


async def test_entity_declarations_inside_the_ciphertext_are_refused(tmp_path, clock, probe) -> None:
    async with bot_in(tmp_path, clock, probe, safe_mode=True) as bot:
        assert (await bot.user().post(XXE)).status == 400
        assert (await bot.user().post(LAUGHS)).status == 400
        assert await Message.all().count() == 0


async def test_body_over_one_mebibyte_is_413(tmp_path, clock, probe) -> None:
    async with bot_in(tmp_path, clock, probe) as bot:
        user = bot.user()
        reply = await user.post(user.text("echo:" + "长" * 400_000))  # 1.2 MB of UTF-8
        assert reply.status == 413
        reply = await user.post(user.text("echo:" + "长" * 300_000))  # 0.9 MB is accepted
        assert reply.status == 200
        assert probe.calls == ["echo:" + "长" * 300_000]


async def test_customer_text_never_reaches_the_log(tmp_path, clock, probe, caplog) -> None:
    """Our loggers (csbot.*) and the access log; the ORM's DEBUG SQL echo is off in production."""
    for name in ("csbot", "aiohttp"):
        caplog.set_level(logging.DEBUG, logger=name)
    async with bot_in(tmp_path, clock, probe) as bot:
        user = bot.user()
        await user.say("echo:我的手机号是13812345678")
        await user.post(user.voice(recognition="住在幸福路88号"))
        await user.post(b"<xml><Content>\xe7\xa7\x98\xe5\xaf\x86</Content></xml>")
    assert caplog.records, "the channel logs ids and types"
    for secret in ("13812345678", "幸福路", "秘密"):
        assert secret not in caplog.text


# --- reply rendering ---


def test_wechatpy_does_not_escape_cdata_so_we_do() -> None:
    raw = TextReply(source="gh", target="o", content="a]]>b", time=1).render()
    with pytest.raises(Exception):  # noqa: B017 - expat's error type is not the point
        xmltodict.parse(raw)
    message = protocol.parse("<xml><ToUserName>gh</ToUserName><FromUserName>o_1</FromUserName>"
                             "<CreateTime>1</CreateTime><MsgType>text</MsgType><MsgId>9</MsgId></xml>")
    for text in ("a]]>b", "]]>", "]]]]>>", "x]]><y/>&amp;", "控制\x01字符"):
        rendered = protocol.render_text(message, text, 1700000000)
        assert xmltodict.parse(rendered)["xml"]["Content"] == text.replace("\x01", "")


@pytest.mark.parametrize("safe_mode", [False, True], ids=["plaintext", "safe"])
async def test_cdata_terminator_in_a_reply_is_escaped(tmp_path, clock, probe, safe_mode) -> None:
    async with bot_in(tmp_path, clock, probe, safe_mode=safe_mode) as bot:
        reply = await bot.user().say("echo:价格<100>]]>&amp; 立即 ]]]]> 购买")
        assert reply.content == "价格<100>]]>&amp; 立即 ]]]]> 购买"


def test_dedupe_ids_include_the_sender() -> None:
    def parse(fields: str) -> protocol.WeChatMessage:
        return protocol.parse(f"<xml><ToUserName>gh</ToUserName><FromUserName>o_1</FromUserName>{fields}</xml>")

    text = parse("<CreateTime>5</CreateTime><MsgType>text</MsgType><Content>x</Content><MsgId>77</MsgId>")
    assert text.dedupe_ids() == ("o_1", "77") and text.source_id == "77"
    event = parse("<CreateTime>5</CreateTime><MsgType>event</MsgType><Event>CLICK</Event>")
    assert event.dedupe_ids() == ("o_1", "5", "click") and event.source_id == "5:click"


@pytest.mark.parametrize("body", [XXE, LAUGHS, XXE.replace("<!DOCTYPE", "<! DOCTYPE")], ids=["xxe", "laughs", "spaced"])
async def test_entity_declarations_are_refused_before_parsing(tmp_path, clock, probe, body) -> None:
    async with bot_in(tmp_path, clock, probe) as bot:
        reply = await bot.user().post(body)
        assert reply.status == 400 and "DOCTYPE" in reply.body


async def test_a_message_while_the_store_is_unavailable_gets_503_not_500(
        tmp_path, clock, probe, redis_url) -> None:
    """Redis goes away as the message's conversation is to be held (through a proxy cut there): a service
    down for now answers 503, which WeChat retries, not a 500 logged as our own fault; back, the retry is
    answered."""
    async with proxied(redis_url) as (url, proxy), bot_in(tmp_path, clock, probe, redis_url=url,
                                                          redis_pool_wait_s=0.2) as bot:
        lock = bot.runtime.store.keys("lock", "wechat:o_down").encode()
        proxy.cut_at(lambda request: lock in request)
        reply = await bot.user("o_down").say("echo:在吗", msg_id=4242)
        assert reply.status == 503 and not bot.wechat.texts_to("o_down")
        await proxy.start()
        again = await bot.user("o_down").say("echo:在吗", msg_id=4242)  # WeChat's retry of the same message
        assert again.content == "在吗"
