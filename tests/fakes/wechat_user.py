"""A WeChat follower as WeChat's servers present them to our webhook, over real HTTP.

`WeChatUser` builds the XML WeChat pushes for each message type, signs the URL exactly as WeChat
does (sha1 of the sorted token, timestamp, nonce), in safe mode encrypts the body with wechatpy's
`WeChatCrypto` and adds `msg_signature`, POSTs it, and reads the passive reply back (checking the
reply's own signature and decrypting it in safe mode). Nonce, timestamp, MsgId and CreateTime are
controllable, so a test can send the very same request twice (a WeChat retry) or an old one (a replay).

`wechat_bot(...)` starts the real application (optionally with extra test routers in front of the
shop's extensions) on a real socket, wired to a `FakeWeChat`.
"""

from __future__ import annotations

import io
import itertools
import uuid
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import aiohttp
import xmltodict
from aiohttp.test_utils import TestServer
from wechatpy.crypto import WeChatCrypto
from wechatpy.utils import WeChatSigner

from bot.app import RUNTIME, build_app
from bot.clock import Clock, FakeClock, SystemClock
from bot.config import Settings
from bot.router import Router
from bot.runtime import Runtime
from tests.fakes.bot_app import make_settings
from tests.fakes.wechat_server import FakeWeChat

TOKEN = "csbot-test-token"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"  # 43 characters, as WeChat's admin page gives
ACCOUNT = "gh_0123456789ab"
_MSG_IDS = itertools.count(23_000_000_000_000_001)  # like WeChat's: unique across followers
_NONCES = itertools.count(1_000_001)  # shared by every follower: WeChat never reuses a nonce (the bot refuses it)


def sign(*parts: str) -> str:
    signer = WeChatSigner()
    signer.add_data(*parts)
    return signer.signature


@dataclass(frozen=True)
class SignedRequest:
    """One POST exactly as WeChat would send it; send it again to play a retry."""

    params: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class PassiveReply:
    status: int
    body: str
    xml: dict[str, Any] | None  # the (decrypted) reply's fields, when it is XML

    @property
    def is_success(self) -> bool:
        return self.status == 200 and self.body in ("success", "")

    @property
    def content(self) -> str:
        assert self.xml is not None, f"not an XML reply: {self.status} {self.body[:200]!r}"
        return self.xml["Content"]


class WeChatUser:
    def __init__(
        self, session: aiohttp.ClientSession, url: str, *, token: str = TOKEN, appid: str = "",
        aes_key: str | None = None, openid: str = "o6_bmjrPTlm6_2sgVt7hMZOPfL2M", account: str = ACCOUNT,
        clock: Clock | None = None, first_msg_id: int | None = None, wechat: FakeWeChat | None = None,
    ) -> None:
        self.wechat = wechat  # told of each message, as WeChat's servers know what a follower did
        self.session = session
        self.url = url
        self.token = token
        self.openid = openid
        self.account = account
        self.clock = clock or SystemClock()
        self.crypto = WeChatCrypto(token, aes_key, appid) if aes_key else None
        self._msg_ids = _MSG_IDS if first_msg_id is None else itertools.count(first_msg_id)
        self._nonces = _NONCES

    def as_user(self, openid: str) -> WeChatUser:
        """Another follower of the same account, sharing this one's session and MsgId sequence."""
        other = WeChatUser.__new__(WeChatUser)
        other.__dict__.update(self.__dict__)
        other.openid = openid
        return other

    # --- the XML WeChat pushes ---
    def xml(self, msg_type: str, fields: dict[str, Any], *, msg_id: int | str | None = -1,
            create_time: int | None = None, sender: str | None = None) -> str:
        """A pushed message; `msg_id=-1` takes the next MsgId, None leaves it out (events)."""
        head = {"ToUserName": self.account, "FromUserName": self.openid if sender is None else sender,
                "CreateTime": int(self.clock.time()) if create_time is None else create_time,
                "MsgType": msg_type}
        if msg_id == -1:
            msg_id = next(self._msg_ids)
        tail = {} if msg_id is None else {"MsgId": msg_id}
        nodes = []
        for name, value in {**head, **fields, **tail}.items():
            if isinstance(value, int | float):
                nodes.append(f"<{name}>{value}</{name}>")
            else:
                nodes.append(f"<{name}><![CDATA[{str(value).replace(']]>', ']]]]><![CDATA[>')}]]></{name}>")
        return "<xml>" + "".join(nodes) + "</xml>"

    def text(self, content: str, **kw: Any) -> str:
        return self.xml("text", {"Content": content}, **kw)

    def image(self, pic_url: str = "http://mmbiz.qpic.cn/pic.jpg", **kw: Any) -> str:
        return self.xml("image", {"PicUrl": pic_url, "MediaId": "media_image_1"}, **kw)

    def voice(self, recognition: str | None = None, **kw: Any) -> str:
        fields = {"MediaId": "media_voice_1", "Format": "amr"}
        if recognition is not None:
            fields["Recognition"] = recognition
        return self.xml("voice", fields, **kw)

    def video(self, kind: str = "video", **kw: Any) -> str:
        return self.xml(kind, {"MediaId": "media_video_1", "ThumbMediaId": "thumb_1"}, **kw)

    def location(self, x: float = 23.134521, y: float = 113.358803, label: str = "广州市天河区", **kw: Any) -> str:
        return self.xml("location", {"Location_X": x, "Location_Y": y, "Scale": 20, "Label": label}, **kw)

    def link(self, title: str = "商品链接", url: str = "https://shop.example/item/1", **kw: Any) -> str:
        return self.xml("link", {"Title": title, "Description": "desc", "Url": url}, **kw)

    def event(self, name: str, key: str | None = None, create_time: int | None = None, **fields: Any) -> str:
        body: dict[str, Any] = {"Event": name}
        if key is not None:
            body["EventKey"] = key
        body.update(fields)
        return self.xml("event", body, msg_id=None, create_time=create_time)

    # --- signing and sending ---
    def signed(self, xml: str | bytes, *, timestamp: int | None = None, nonce: str | None = None) -> SignedRequest:
        ts = str(int(self.clock.time()) if timestamp is None else timestamp)
        nonce = nonce or str(next(self._nonces))
        params = {"signature": sign(self.token, ts, nonce), "timestamp": ts, "nonce": nonce,
                  "openid": self.openid}
        if self.crypto is None:
            return SignedRequest(params, xml.encode("utf-8") if isinstance(xml, str) else xml)
        envelope = xmltodict.parse(self.crypto.encrypt_message(xml, nonce, ts))["xml"]
        params.update(encrypt_type="aes", msg_signature=envelope["MsgSignature"])
        body = (f"<xml><ToUserName><![CDATA[{escape(self.account)}]]></ToUserName>"
                f"<Encrypt><![CDATA[{envelope['Encrypt']}]]></Encrypt></xml>")
        return SignedRequest(params, body.encode("utf-8"))

    async def send(self, request: SignedRequest) -> PassiveReply:
        data: bytes | io.BytesIO = request.body
        if len(data) > 256 * 1024:  # aiohttp warns about large raw bytes bodies
            data = io.BytesIO(request.body)
        async with self.session.post(self.url, params=request.params, data=data,
                                     headers={"Content-Type": "text/xml"}) as response:
            body = await response.text()
            return PassiveReply(response.status, body, self._read_reply(response.status, body))

    async def post(self, xml: str | bytes, **kw: Any) -> PassiveReply:
        if self.wechat is not None:
            try:
                fields = xmltodict.parse(xml)["xml"] or {}
            except Exception:  # a malformed body on purpose: WeChat would never have delivered it
                fields = {}
            if isinstance(fields, dict) and fields.get("FromUserName") == self.openid:
                self.wechat.customer_action(self.openid, fields.get("MsgType", ""), fields.get("Event"))
        return await self.send(self.signed(xml, **kw))

    async def say(self, content: str, **kw: Any) -> PassiveReply:
        return await self.post(self.text(content, **kw))

    async def verify_url(self, echostr: str, *, signature: str | None = None) -> tuple[int, str]:
        ts, nonce = str(int(self.clock.time())), str(next(self._nonces))
        params = {"signature": signature or sign(self.token, ts, nonce), "timestamp": ts, "nonce": nonce,
                  "echostr": echostr}
        async with self.session.get(self.url, params=params) as response:
            return response.status, await response.text()

    def _read_reply(self, status: int, body: str) -> dict[str, Any] | None:
        if status != 200 or not body.lstrip().startswith("<"):
            return None
        reply = xmltodict.parse(body)["xml"]
        if self.crypto is not None:  # checks the reply's MsgSignature too
            plain = self.crypto.decrypt_message(body, reply["MsgSignature"], reply["TimeStamp"], reply["Nonce"])
            reply = xmltodict.parse(plain)["xml"]
        return dict(reply)


@dataclass
class WeChatBot:
    """The running bot, its runtime, the fake WeChat API it calls, and a way to make followers."""

    runtime: Runtime
    server: TestServer
    session: aiohttp.ClientSession
    wechat: FakeWeChat
    settings: Settings
    clock: Clock

    @property
    def url(self) -> str:
        return str(self.server.make_url("/wechat"))

    def user(self, openid: str = "o6_bmjrPTlm6_2sgVt7hMZOPfL2M", **kw: Any) -> WeChatUser:
        return WeChatUser(self.session, self.url, token=self.settings.wechat_token or "",
                          appid=self.settings.wechat_appid or "", aes_key=self.settings.wechat_aes_key,
                          openid=openid, clock=self.clock, wechat=self.wechat, **kw)


@asynccontextmanager
async def wechat_bot(
    tmp_path: Path, *, clock: Clock | None = None, routers: Iterable[Router] = (), safe_mode: bool = False,
    wechat: FakeWeChat | None = None, **settings: Any,
) -> AsyncIterator[WeChatBot]:
    """The real app with the WeChat channel on, `routers` in front of the shop's, on a real socket."""
    from handlers import EXTENSIONS

    clock = clock or SystemClock()
    async with FakeWeChat(clock=clock) if wechat is None else _started(wechat) as fake:
        values: dict[str, Any] = dict(wechat_token=TOKEN, wechat_appid=fake.appid, wechat_appsecret=fake.secret,
                                      wechat_aes_key=AES_KEY if safe_mode else None, wechat_api_base=fake.url)
        values.update(settings)
        config = make_settings(tmp_path, **values)
        app = build_app(config, [*routers, *EXTENSIONS], clock=clock)
        server = TestServer(app, host="127.0.0.1", port=0)
        await server.start_server()
        try:
            async with aiohttp.ClientSession() as session:
                yield WeChatBot(app[RUNTIME], server, session, fake, config, clock)
        finally:
            await server.close()


@asynccontextmanager
async def _started(fake: FakeWeChat) -> AsyncIterator[FakeWeChat]:
    yield fake  # already started (and closed) by the caller


def scripts_with(tmp_path: Path, templates: dict[str, str]) -> Path:
    """A copy of scripts_zh plus `test.yaml` holding `templates` (keys `test.<name>`), for test routers.

    One copy per distinct `templates` per run (under pytest's base temp directory, beside
    `tmp_path`): nothing writes to a scripts directory, and the same directory lets every runtime
    share the process's intent matcher (`IntentMatcher.shared` is keyed by the file), instead of
    rebuilding it (half a second) for each test."""
    import hashlib
    import shutil

    import yaml

    from bot.config import PROJECT_ROOT

    text = yaml.safe_dump(templates, allow_unicode=True)
    base = tmp_path.parent  # the run's base temp directory
    target = base / f"scripts_zh-{hashlib.sha256(text.encode()).hexdigest()[:12]}"
    if not target.exists():
        staging = base / f"{target.name}.{uuid.uuid4().hex[:8]}"
        shutil.copytree(PROJECT_ROOT / "scripts_zh", staging)
        (staging / "test.yaml").write_text(text, encoding="utf-8")
        staging.rename(target)
    return target


#: Templates the probe router renders (see `scripts_with`).
PROBE_TEMPLATES = {"echo": "{text}"}


@dataclass
class Probe:
    """A test router placed in front of the shop's, answering text messages with a prefix:

    - `echo:<text>` answers `<text>`;
    - `slow:<text>` waits for `gate` (set by the test), then answers `<text>`;
    - `long:<n>` answers n sentences (numbered, so order is checkable), split by the dispatcher;
    - `fail:<text>` raises the first `fail_times` times, then answers `<text>`.

    Every other message (and every event) is recorded in `seen` and left to the shop's handlers. The probe's
    answers are verbatim: no greeting opens them.
    `calls` lists the texts the probe answered, once per handler run.
    """

    router: Router
    gate: Any
    calls: list[str]
    seen: list[Any]
    entered: Any
    fail_times: int = 1


def probe_router() -> Probe:
    import asyncio

    from bot.events import Reply

    router = Router("probe")
    probe = Probe(router, asyncio.Event(), [], [], asyncio.Event())

    @router.event("subscribe", "unsubscribe", "scan", "location", "click", "view", "some_future_event")
    async def see_event(ctx: Any) -> None:
        probe.seen.append(ctx.inbound)

    @router.media("text", "image", "voice", "video", "shortvideo", "location", "link", "miniprogrampage")
    async def answer(ctx: Any) -> Reply | None:
        text = ctx.inbound.text
        prefix, _, rest = text.partition(":")
        if ctx.inbound.kind != "text" or prefix not in ("echo", "slow", "long", "fail"):
            probe.seen.append(ctx.inbound)
            return None
        probe.calls.append(text)
        if prefix == "slow":
            probe.entered.set()
            await probe.gate.wait()
        if prefix == "fail" and probe.fail_times > 0:
            probe.fail_times -= 1
            raise RuntimeError("probe failure")
        if prefix == "long":
            rest = "".join(f"这是第{n:03d}句，用来测试长回复的拆分与顺序。" for n in range(1, int(rest) + 1))
        # verbatim, as the transport tests compare it: tagged as a greeting, so the dispatcher puts none in
        # front of a visit's first answer (bot/dispatcher.py `greet_visit`; tests/test_visit_greeting.py)
        return Reply.say("test.echo", text=rest).tagged("greeting")

    return probe


class RecordingClock(FakeClock):
    """A FakeClock that remembers every sleep asked of it, so a test knows who is waiting."""

    def __init__(self) -> None:
        super().__init__()
        self.sleeps: list[float] = []

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        await super().sleep(seconds)


def probe_bot(tmp_path: Path, clock: FakeClock, probe: Probe, **settings: Any):
    """A WeChat bot whose only router is `probe`'s, with the probe's templates."""
    return wechat_bot(tmp_path, clock=clock, routers=[probe.router],
                      scripts_dir=scripts_with(tmp_path, PROBE_TEMPLATES), **settings)


def wechat_channel(bot: WeChatBot):
    from bot.channels.wechat import WeChatChannel

    channel = bot.runtime.channels["wechat"]
    assert isinstance(channel, WeChatChannel)
    return channel
