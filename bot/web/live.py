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

    async def pump() -> bool:
        """Pass events on; True once one ended the session."""
        async for event in subscription:
            await ws.send_str(dumps(event))
            if event.get("type") == SESSION_ENDED:
                return True
        return False

    async def listen() -> None:
        async for message in ws:
            if message.type == WSMsgType.ERROR:
                break

    pumping, listening = asyncio.create_task(pump()), asyncio.create_task(listen())
    try:
        await asyncio.wait((pumping, listening), return_when=asyncio.FIRST_COMPLETED)
    finally:
        sockets.discard(ws)
        for task in (pumping, listening):
            task.cancel()
        await asyncio.gather(pumping, listening, return_exceptions=True)
        await subscription.aclose()
    if not pumping.cancelled() and pumping.exception() is None and pumping.result():
        # closed here, with nothing else reading: the page's close frame is read before the connection
        # ends, so the page sees 4401 (closed from another task, aiohttp cuts the connection: 1006)
        await ws.close(code=CLOSED_SESSION_ENDED)
    return ws
