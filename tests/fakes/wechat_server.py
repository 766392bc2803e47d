"""`FakeWeChat`: WeChat's API as a real aiohttp server on 127.0.0.1:0, for tests and the benchmark.

It serves the endpoints the bot calls, the way WeChat answers them (HTTP 200 and a JSON body with
`errcode` on failure), and records every request:

- `GET /cgi-bin/token`: checks appid/secret, issues a fresh token with `expires_in`, counts calls;
- `POST /cgi-bin/message/custom/send`: checks `access_token` (40001 unknown or invalidated, 42001
  expired), records the message, and fails on demand per openid (45015 outside the 48 h window,
  45047 over the send cap, or any errcode) either always or for the next N sends. It enforces
  WeChat's quota for every follower it has seen act (`customer_action`, called by `WeChatUser` as
  it posts): at most 5 messages within 48 h of a customer message, 3 within 1 minute of a
  subscribe, menu click or QR scan; each action resets the allowance (it does not accumulate);
  beyond it 45047, after the window 45015. Followers never seen act are not limited (tests that
  drive the API client alone);
- `POST /cgi-bin/message/template/send`, `POST /cgi-bin/qrcode/create`: minimal answers;
- anything else: errcode 99404, which no real API returns, so a wrong path shows up at once.

    async with FakeWeChat() as wx:
        settings = make_settings(tmp_path, wechat_api_base=wx.url, wechat_appid=wx.appid, ...)
        wx.fail_for("o_user", 45015)
        ...
        assert wx.texts_to("o_user") == [...]
"""

from __future__ import annotations

import asyncio
import itertools
import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.clock import Clock, SystemClock

UNKNOWN_PATH_ERRCODE = 99404
#: (messages allowed, window in seconds) after a customer's message, and after an event that opens
#: the short window.
MESSAGE_QUOTA, EVENT_QUOTA = (5, 48 * 3600.0), (3, 60.0)
SHORT_WINDOW_EVENTS = frozenset({"subscribe", "click", "scan"})


@dataclass
class Quota:
    """What one follower's last action allows: `left` messages until `ends`."""

    left: int
    ends: float


@dataclass
class SentMessage:
    """One `message/custom/send` request as the fake saw it, with what it answered."""

    openid: str
    msgtype: str
    content: str
    access_token: str
    errcode: int
    payload: dict[str, Any] = field(default_factory=dict)


class FakeWeChat:
    def __init__(self, *, appid: str = "wx0123456789abcdef", secret: str = "fake-app-secret",
                 expires_in: int = 7200, clock: Clock | None = None) -> None:
        self.clock: Clock = clock or SystemClock()
        self.quotas: dict[str, Quota] = {}
        self.appid = appid
        self.secret = secret
        self.expires_in = expires_in
        self.token_calls = 0
        self.sent: list[SentMessage] = []
        self.requests: list[tuple[str, str]] = []  # (method, path) of every request
        self._tokens: dict[str, str] = {}  # token -> "valid", "invalid" or "expired"
        self._serial = itertools.count(1)
        self._always_fail: dict[str, int] = {}
        self._fail_next: dict[str, list[int]] = {}
        #: When set, `message/custom/send` waits for it before answering (to test client timeouts).
        self.hold_sends: asyncio.Event | None = None
        #: When set, `cgi-bin/token` waits for it before answering (to line up concurrent refreshes).
        self.hold_tokens: asyncio.Event | None = None
        self._server: TestServer | None = None

    # --- scripting ---
    def fail_for(self, openid: str, errcode: int) -> None:
        """Every send to `openid` fails with `errcode` (45015: outside 48 h, 45047: over the cap)."""
        self._always_fail[openid] = errcode

    def fail_next(self, openid: str, errcode: int, times: int = 1) -> None:
        self._fail_next.setdefault(openid, []).extend([errcode] * times)

    def invalidate_tokens(self) -> None:
        """Every token issued so far answers 40001 (as after another app refreshed the token)."""
        self._tokens = {token: "invalid" for token in self._tokens}

    def expire_tokens(self) -> None:
        """Every token issued so far answers 42001."""
        self._tokens = {token: "expired" for token in self._tokens}

    def customer_action(self, openid: str, msg_type: str, event: str | None = None) -> None:
        """A follower wrote (or subscribed, clicked a menu, scanned): their allowance starts over."""
        if msg_type == "event":
            if (event or "").lower() not in SHORT_WINDOW_EVENTS:
                return
            allowance, window = EVENT_QUOTA
        else:
            allowance, window = MESSAGE_QUOTA
        self.quotas[openid] = Quota(allowance, self.clock.time() + window)

    # --- inspection ---
    def delivered(self) -> list[SentMessage]:
        return [sent for sent in self.sent if sent.errcode == 0]

    def texts_to(self, openid: str) -> list[str]:
        return [sent.content for sent in self.delivered() if sent.openid == openid]

    # --- server ---
    @property
    def url(self) -> str:
        assert self._server is not None, "FakeWeChat not started"
        return str(self._server.make_url("")).rstrip("/")

    async def start(self) -> FakeWeChat:
        app = web.Application()
        app.router.add_get("/cgi-bin/token", self._token)
        app.router.add_post("/cgi-bin/message/custom/send", self._custom_send)
        app.router.add_post("/cgi-bin/message/template/send", self._template_send)
        app.router.add_post("/cgi-bin/qrcode/create", self._qrcode)
        app.router.add_route("*", "/{tail:.*}", self._unknown)
        self._server = TestServer(app, host="127.0.0.1", port=0)
        await self._server.start_server()
        return self

    async def close(self) -> None:
        if self.hold_sends is not None:
            self.hold_sends.set()
        if self._server is not None:
            await self._server.close()
            self._server = None

    async def __aenter__(self) -> FakeWeChat:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    # --- endpoints ---
    async def _token(self, request: web.Request) -> web.Response:
        self.requests.append((request.method, request.path))
        self.token_calls += 1
        if self.hold_tokens is not None:
            await self.hold_tokens.wait()
        query = request.query
        if query.get("grant_type") != "client_credential":
            return _error(40002, "invalid grant_type")
        if query.get("appid") != self.appid:
            return _error(40013, "invalid appid")
        if query.get("secret") != self.secret:
            return _error(40125, "invalid appsecret")
        token = f"TOKEN-{next(self._serial)}"
        self._tokens[token] = "valid"
        return web.json_response({"access_token": token, "expires_in": self.expires_in})

    def _token_errcode(self, request: web.Request) -> int:
        state = self._tokens.get(request.query.get("access_token", ""))
        if state == "expired":
            return 42001
        return 0 if state == "valid" else 40001

    async def _custom_send(self, request: web.Request) -> web.Response:
        self.requests.append((request.method, request.path))
        if self.hold_sends is not None:
            await self.hold_sends.wait()
        try:
            payload = json.loads(await request.read())
        except ValueError:
            return _error(47001, "data format error")
        openid = str(payload.get("touser", ""))
        msgtype = str(payload.get("msgtype", ""))
        content = str((payload.get(msgtype) or {}).get("content", "")) if msgtype == "text" else ""
        token = request.query.get("access_token", "")
        errcode = self._send_errcode(request, openid, msgtype, content)
        self.sent.append(SentMessage(openid, msgtype, content, token, errcode, payload))
        if errcode:
            return _error(errcode, _ERRMSG.get(errcode, "fake failure"))
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    def _send_errcode(self, request: web.Request, openid: str, msgtype: str, content: str) -> int:
        refused = self._token_errcode(request)
        if refused:
            return refused
        if not openid or msgtype != "text":
            return 40003 if not openid else 40008
        if len(content.encode("utf-8")) > 2048:
            return 45002
        scripted = self._fail_next.get(openid)
        if scripted:
            return scripted.pop(0)
        if openid in self._always_fail:
            return self._always_fail[openid]
        return self._spend_quota(openid)

    def _spend_quota(self, openid: str) -> int:
        quota = self.quotas.get(openid)
        if quota is None:
            return 0
        if self.clock.time() >= quota.ends:
            return 45015
        if quota.left <= 0:
            return 45047
        quota.left -= 1
        return 0

    async def _template_send(self, request: web.Request) -> web.Response:
        self.requests.append((request.method, request.path))
        refused = self._token_errcode(request)
        if refused:
            return _error(refused, _ERRMSG[refused])
        return web.json_response({"errcode": 0, "errmsg": "ok", "msgid": next(self._serial)})

    async def _qrcode(self, request: web.Request) -> web.Response:
        self.requests.append((request.method, request.path))
        refused = self._token_errcode(request)
        if refused:
            return _error(refused, _ERRMSG[refused])
        ticket = f"TICKET-{next(self._serial)}"
        return web.json_response(
            {"ticket": ticket, "expire_seconds": 2592000, "url": f"http://weixin.qq.com/q/{ticket}"})

    async def _unknown(self, request: web.Request) -> web.Response:
        self.requests.append((request.method, request.path))
        return _error(UNKNOWN_PATH_ERRCODE, f"fake wechat: no such API {request.path}")


_ERRMSG = {
    40001: "invalid credential, access_token is invalid or not latest",
    42001: "access_token expired",
    45015: "response out of time limit or subscription is canceled",
    45047: "out of response count limit",
    45002: "content size out of limit",
}


def _error(errcode: int, errmsg: str) -> web.Response:
    return web.json_response({"errcode": errcode, "errmsg": errmsg})
