"""The aiohttp application: channels' routes, the runtime opened before the port, and a health check.

`main.py` passes the handlers' extensions in, so `bot/` never imports `handlers/`. Request bodies are
capped at 1 MiB (aiohttp answers 413 above it).
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Iterable

from aiohttp import web

from bot.channels.base import Channel
from bot.channels.webchat import WebChatChannel
from bot.clock import Clock
from bot.config import Settings
from bot.extension import Extension
from bot.router import Router
from bot.runtime import RUNTIME, Runtime, as_extension
from bot.web import openapi, staff

MAX_BODY_BYTES = 1024 * 1024


def default_channels(settings: Settings) -> list[Channel]:
    channels: list[Channel] = [WebChatChannel()]
    if settings.wechat_enabled:
        from bot.channels.wechat import WeChatChannel

        channels.append(WeChatChannel(settings))
    if settings.wecom_corp_id:
        from bot.channels.wecom import WeComChannel

        channels.append(WeComChannel(settings))
    return channels


def build_app(
    settings: Settings, extensions: Iterable[Extension | Router], *, clock: Clock | None = None,
    channels: list[Channel] | None = None,
) -> web.Application:
    app = web.Application(client_max_size=MAX_BODY_BYTES)
    channels = default_channels(settings) if channels is None else channels
    extensions = tuple(as_extension(item) for item in extensions)

    async def runtime_ctx(app: web.Application) -> AsyncIterator[None]:
        runtime = await Runtime.open(settings, extensions, channels, clock)
        app[RUNTIME] = runtime
        # jieba's dictionary and the matcher's index are hundreds of thousands of objects that live as
        # long as the process: moved out of the collector's sight, full collections stop pausing requests.
        gc.collect()
        gc.freeze()
        yield
        await runtime.close()

    app.cleanup_ctx.append(runtime_ctx)
    for channel in channels:
        app.router.add_routes(channel.routes())
    for extension in extensions:
        app.router.add_routes(extension.routes)
    app.router.add_routes(staff.ROUTES)
    app.router.add_routes(openapi.ROUTES)
    app.router.add_get("/healthz", healthz)
    return app


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"ok": True})
