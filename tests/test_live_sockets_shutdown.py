"""The app's event sockets as the worker stops: the web chat's pages and the agents' consoles are closed at
once with 1012 (service restart), which a page takes as "reconnect" (bot/web/static/lib/live.js:
重新连接中…), instead of staying open, the page showing 在线 while nobody answers, and the stop held
through its grace. Real sockets on the real app."""

from __future__ import annotations

import asyncio

import pytest
from aiohttp import WSCloseCode, WSMsgType

from bot.web.auth import create_agent, issue_api_token
from tests.fakes.bot_app import make_settings, running_bot
from tests.test_webchat import socket_url, visitor

pytestmark = pytest.mark.timeout(60)


async def test_the_app_closes_every_open_page_and_console_with_service_restart_when_it_stops(tmp_path, clock):
    async with running_bot(make_settings(tmp_path), clock=clock) as bot:
        user = visitor()
        agent = await create_agent("amy", "agent", "secret-pass-123")
        staff = {"Authorization": f"Bearer {await issue_api_token(agent)}"}
        async with bot.client.ws_connect(socket_url(bot, user)) as page, \
                bot.client.ws_connect("/ws/agent", headers=staff) as console:
            assert await bot.runtime.outbox.send("webchat", user, ["在吗"]) == ["sent"]
            assert (await page.receive_json(timeout=5))["text"] == "在吗"
            closing = [asyncio.create_task(ws.receive()) for ws in (page, console)]
            async with asyncio.timeout(5):  # a bound on failure only: not held through the server's grace (60 s)
                await bot.server.close()  # the app's shutdown: what a deploy's stop runs
                messages = await asyncio.gather(*closing)
            assert [(message.type, message.data) for message in messages] == \
                [(WSMsgType.CLOSE, WSCloseCode.SERVICE_RESTART)] * 2
