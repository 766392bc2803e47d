"""The web chat's WebSockets as the worker stops: closed at once with 1012 (service restart), which the
page takes as "reconnect" (bot/web/static/lib/live.js: 重新连接中…), instead of staying open, the page
showing 在线 while nobody answers, and the stop held through its grace. A real socket on the real app."""

from __future__ import annotations

import asyncio

import pytest
from aiohttp import WSCloseCode, WSMsgType

from tests.fakes.bot_app import make_settings, running_bot
from tests.test_webchat import socket_url, visitor

pytestmark = pytest.mark.timeout(60)


async def test_the_app_closes_the_open_web_chat_sockets_with_service_restart_when_it_stops(tmp_path, clock):
    async with running_bot(make_settings(tmp_path), clock=clock) as bot:
        user = visitor()
        async with bot.client.ws_connect(socket_url(bot, user)) as ws:
            assert await bot.runtime.outbox.send("webchat", user, ["在吗"]) == ["sent"]
            assert await ws.receive_json(timeout=5) == {"text": "在吗"}
            closing = asyncio.create_task(ws.receive())
            async with asyncio.timeout(5):  # a bound on failure only: not held through the server's grace (60 s)
                await bot.server.close()  # the app's shutdown: what a deploy's stop runs
                message = await closing
            assert (message.type, message.data) == (WSMsgType.CLOSE, WSCloseCode.SERVICE_RESTART)
