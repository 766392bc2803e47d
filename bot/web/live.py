"""A WebSocket that forwards what the store publishes on some topics, for as long as the page is open.

The subscription is live before the socket is accepted, so nothing published after the page shows
"connected" is lost; it works across workers because the store's pub/sub does (Redis in production).
"""

from __future__ import annotations

import asyncio

from aiohttp import WSMsgType, web

from bot.store.base import Store
from bot.web.jsonbody import dumps


async def forward_events(request: web.Request, store: Store, *topics: str) -> web.WebSocketResponse:
    ws = web.WebSocketResponse(heartbeat=30)
    subscription = await store.subscribe(*topics).start()
    await ws.prepare(request)

    async def pump() -> None:
        async for event in subscription:
            await ws.send_str(dumps(event))

    pumping = asyncio.create_task(pump())
    try:
        async for message in ws:
            if message.type == WSMsgType.ERROR:
                break
    finally:
        pumping.cancel()
        await asyncio.gather(pumping, return_exceptions=True)
        await subscription.aclose()
    return ws
