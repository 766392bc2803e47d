"""The aiohttp application: channels' routes, the runtime opened before the port, health checks.

`bot/cli.py` (the composition root) passes the handlers' extensions in, so the rest of `bot/` never
imports `handlers/`. Request bodies are capped at 1 MiB: 413 before reading when the declared length
is over it (`bot.web.limits`); the one middleware of `bot.web.guards` answers an unavailable store with
503, bounds body uploads in time, keeps `/metrics` private and answers every other API error as JSON
(`bot.web.errors`).
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
from bot.web import console_page, guards, health, labels, limits, live, openapi, pages, panels, staff, typed

MAX_BODY_BYTES = 1024 * 1024
#: Net container allocations between two young collections once the heap is frozen (CPython's default
#: is 700). A message's work leaves no cycles to collect, yet at 700 the young collection ran every few
#: messages over what the message had alive, about 4% of a loaded worker's CPU; at 10,000 it is under
#: 0.5% and one pause of a few milliseconds every few thousand messages (docs/performance.md, eighth round).
YOUNG_COLLECTION_EVERY = 10_000


def default_channels(settings: Settings) -> list[Channel]:
    channels: list[Channel] = [WebChatChannel()]
    if settings.wechat_enabled:
        from bot.channels.wechat import WeChatChannel

        channels.append(WeChatChannel(settings))
    if settings.wecom_corp_id:
        from bot.channels.wecom import WeComChannel

        channels.append(WeComChannel(settings))
    return channels


def freeze_loaded_heap() -> None:
    """Once the runtime is open: jieba's dictionary and the matcher's index are hundreds of thousands
    of objects that live as long as the process; moved out of the collector's sight, full collections
    stop pausing requests."""
    gc.collect()
    gc.freeze()


def collect_young_less_often() -> None:
    """Young collections every `YOUNG_COLLECTION_EVERY` allocations, the older generations' ratios kept."""
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_COLLECTION_EVERY, middle, old)


def build_app(
    settings: Settings, extensions: Iterable[Extension | Router], *, clock: Clock | None = None,
    channels: list[Channel] | None = None,
) -> web.Application:
    uploads = settings.after_sales_photo_max_bytes + MAX_BODY_BYTES  # a photo and the form's other fields
    app = web.Application(client_max_size=MAX_BODY_BYTES, handler_args=limits.HANDLER_ARGS, middlewares=[
        guards.request_guards(settings, lambda app: app[RUNTIME].store if RUNTIME in app else None,
                              limits.BodyLimit(MAX_BODY_BYTES, uploads)),
    ])
    channels = default_channels(settings) if channels is None else channels
    extensions = tuple(as_extension(item) for item in extensions)

    async def runtime_ctx(app: web.Application) -> AsyncIterator[None]:
        runtime = await Runtime.open(settings, extensions, channels, clock)
        app[RUNTIME] = runtime
        freeze_loaded_heap()
        collect_young_less_often()
        yield
        await runtime.close()

    app.cleanup_ctx.append(runtime_ctx)
    live.setup(app)
    pages.setup(app)
    endpoints = [*(item for channel in channels for item in channel.endpoints()),
                 *(item for extension in extensions for item in extension.endpoints),
                 *panels.ENDPOINTS, *labels.ENDPOINTS, *staff.ENDPOINTS, *health.ENDPOINTS, *openapi.ENDPOINTS]
    app[openapi.APP_ENDPOINTS] = endpoints
    for channel in channels:
        app.router.add_routes(channel.routes())
    for extension in extensions:
        app.router.add_routes(extension.routes)
    app.router.add_routes(typed.routes(endpoints))
    app.router.add_routes(panels.ROUTES)
    app.router.add_routes(console_page.ROUTES)
    return app
