"""A WebSocket that forwards what the store publishes on some topics, for as long as the page is open.

The subscription is live before the socket is accepted, so nothing published after the page shows
"connected" is lost; it works across workers because the store's pub/sub does (Redis in production).
An event of type `session.ended` (a staff member's sessions revoked, or their login disabled) is
passed on and then closes the socket, so a leaked session stops hearing customers' events at once
(a console also listens on its own session's topic, so a logout closes that browser's consoles:
bot/web/sessions.py).

Every such socket (the web chat's pages and the agents' consoles) is closed with 1012 (service restart)
when the app stops, before the server waits for what is in flight: a page then shows 重新连接中… at once
and reconnects (to another worker, or this one once it is back; static/lib/live.js reconnects on any
close) instead of showing 在线 while nobody answers, and no socket holds the stop through its grace.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

from aiohttp import WSCloseCode, WSMsgType, web

from bot.store.base import Store
from bot.store.keys import agent_topic
from bot.web.jsonbody import dumps
from bot.web.problems import ApiError

SESSION_ENDED = "session.ended"
#: Close code the page sees when its session was ended (4000-4999: the application's own).
CLOSED_SESSION_ENDED = 4401
#: The app's open event sockets, closed when it stops.
OPEN_SOCKETS = web.AppKey("open_sockets", set[web.WebSocketResponse])


def setup(app: web.Application) -> None:
    app[OPEN_SOCKETS] = set()
    app.on_shutdown.append(_close_open_sockets)


async def _close_open_sockets(app: web.Application) -> None:
    await asyncio.gather(*(ws.close(code=WSCloseCode.SERVICE_RESTART, message=b"restarting")
                           for ws in list(app[OPEN_SOCKETS])), return_exceptions=True)


async def end_sessions(store: Store, agent_id: int) -> None:
    """Close every open console of staff member `agent_id`, on any worker."""
    await publish_session_ended(store, agent_topic(agent_id))


async def publish_session_ended(store: Store, topic: str) -> None:
    """Close every socket listening on `topic`, on any worker."""
    await store.publish(topic, {"type": SESSION_ENDED})


def refuse_cross_site(request: web.Request, public_base_url: str) -> None:
    """403 unless the page opening this socket is of this site: its `Origin` names the host it was
    served from, or the configured public address. A browser always sends `Origin` with a WebSocket
    handshake; a script without one carries its own credentials and is let through."""
    origin = request.headers.get("Origin")
    if origin is None:
        return
    page = urlsplit(origin)
    public = urlsplit(public_base_url)
    if page.netloc and (page.netloc == request.host or (page.scheme, page.netloc) == (public.scheme, public.netloc)):
        return
    raise ApiError(403, "cross_site_socket", "this socket is opened only by the console's own pages")


async def forward_events(request: web.Request, store: Store, *topics: str) -> web.WebSocketResponse:
    ws = web.WebSocketResponse(heartbeat=30)
    subscription = await store.subscribe(*topics).start()
    await ws.prepare(request)
    sockets = request.app[OPEN_SOCKETS]
    sockets.add(ws)

    async def pump() -> None:
        async for event in subscription:
            await ws.send_str(dumps(event))
            if event.get("type") == SESSION_ENDED:
                await ws.close(code=CLOSED_SESSION_ENDED)
                return

    pumping = asyncio.create_task(pump())
    try:
        async for message in ws:
            if message.type == WSMsgType.ERROR:
                break
    finally:
        sockets.discard(ws)
        pumping.cancel()
        await asyncio.gather(pumping, return_exceptions=True)
        await subscription.aclose()
    return ws
