"""WeChat's marketing APIs in the fake, and the whole bot (every extension) wired to it.

`MarketingWeChat` is a `FakeWeChat` that also remembers what the referral area asks of WeChat:
- `POST /cgi-bin/qrcode/create`: the payload (scene, temporary or permanent), answering a ticket and
  the `url` a QR image encodes, as WeChat does (or `qrcode_errcode` when set);
- `POST /cgi-bin/message/template/send`: the payload per openid, failing on demand like the
  customer-service send (`fail_templates_for`).

`marketing_bot(...)` starts the real application with all of `handlers.EXTENSIONS` (so the referral
area's start-up, pages and APIs are there, unlike `wechat_bot`, which mounts routers only) with the
WeChat channel pointed at the fake.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.app import RUNTIME, build_app
from bot.clock import Clock
from tests.fakes.bot_app import make_settings
from tests.fakes.wechat_server import FakeWeChat, _error
from tests.fakes.wechat_user import TOKEN, WeChatBot


class MarketingWeChat(FakeWeChat):
    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.qrcodes: list[dict[str, Any]] = []
        #: When set, `qrcode/create` answers this errcode (48001: an account without the QR code API).
        self.qrcode_errcode = 0
        self.templates: list[dict[str, Any]] = []
        self._template_failures: dict[str, int] = {}

    def fail_templates_for(self, openid: str, errcode: int) -> None:
        self._template_failures[openid] = errcode

    def templates_to(self, openid: str) -> list[dict[str, Any]]:
        return [payload for payload in self.templates if payload["touser"] == openid]

    async def _template_send(self, request: web.Request) -> web.Response:
        self.requests.append((request.method, request.path))
        refused = self._token_errcode(request)
        if refused:
            return _error(refused, "token refused")
        payload = json.loads(await request.read())
        errcode = self._template_failures.get(payload.get("touser", ""), 0)
        if errcode:
            return _error(errcode, "fake template failure")
        self.templates.append(payload)
        return web.json_response({"errcode": 0, "errmsg": "ok", "msgid": len(self.templates)})

    async def _qrcode(self, request: web.Request) -> web.Response:
        self.requests.append((request.method, request.path))
        refused = self._token_errcode(request)
        if refused:
            return _error(refused, "token refused")
        if self.qrcode_errcode:
            return _error(self.qrcode_errcode, "qrcode refused")
        payload = json.loads(await request.read())
        self.qrcodes.append(payload)
        ticket = f"TICKET-{len(self.qrcodes)}"
        answer: dict[str, Any] = {"ticket": ticket, "url": f"http://weixin.qq.com/q/{ticket}"}
        if "expire_seconds" in payload:
            answer["expire_seconds"] = payload["expire_seconds"]
        return web.json_response(answer)


@asynccontextmanager
async def marketing_bot(tmp_path: Path, *, clock: Clock, **settings: Any) -> AsyncIterator[WeChatBot]:
    """The real app with every extension and the WeChat channel on, against a `MarketingWeChat`."""
    from handlers import EXTENSIONS

    async with MarketingWeChat() as fake:
        values: dict[str, Any] = dict(wechat_token=TOKEN, wechat_appid=fake.appid, wechat_appsecret=fake.secret,
                                      wechat_api_base=fake.url)
        values.update(settings)
        config = make_settings(tmp_path, **values)
        app = build_app(config, EXTENSIONS, clock=clock)
        server = TestServer(app, host="127.0.0.1", port=0)
        await server.start_server()
        try:
            async with aiohttp.ClientSession() as session:
                yield WeChatBot(app[RUNTIME], server, session, fake, config, clock)
        finally:
            await server.close()
