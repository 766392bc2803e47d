"""Middlewares that protect the server as a whole, whatever the route.

- `unavailable_as_503`: when the store (or the database connection) cannot serve for now, the
  client gets 503 with `Retry-After` instead of a server error. The web chat's page retries; WeChat
  retries any non-200 by itself, so nothing it sent is lost.
- `body_deadline`: a request body that has not fully arrived within `http_body_timeout_s` gets 408
  and the connection is closed, so clients trickling bodies cannot hold connections for ever. Slow
  or idle headers are bounded by the server's keep-alive timeout (`server_options`).
- `metrics_guard`: `/metrics` is for the shop's monitoring, not the public: with `METRICS_TOKEN` set
  it needs `Authorization: Bearer <token>`; without it only loopback clients not relayed by a proxy.
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import logging
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler
from tortoise.exceptions import DBConnectionError

from bot.config import Settings
from bot.store.base import Store, StoreBusy
from bot.web.problems import ApiError, error_response

log = logging.getLogger("csbot.web")

METRICS_PATH = "/metrics"
PROXY_HEADERS = ("Forwarded", "X-Forwarded-For", "X-Real-IP")
DATABASE_UNAVAILABLE = (DBConnectionError, ConnectionError)


def server_options(settings: Settings) -> dict[str, Any]:
    """aiohttp server arguments: idle connections, and requests whose headers never finish arriving,
    are closed after `http_idle_timeout_s` (aiohttp's keep-alive timer runs from the connection's
    start until a complete request has been read)."""
    return {"keepalive_timeout": settings.http_idle_timeout_s}


def unavailable_as_503(settings: Settings, store_of: Any) -> Any:
    """`store_of(app)` gives the running store (it opens after the middlewares are built)."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        store: Store | None = store_of(request.app)
        unavailable = store.unavailable if store is not None else ()
        try:
            return await handler(request)
        except (*unavailable, *DATABASE_UNAVAILABLE) as exc:
            if request.transport is None or request.transport.is_closing():
                raise  # the client's own connection went away: nobody to answer
            busy = isinstance(exc, StoreBusy)
            log.warning("%s %s answered 503: %s", request.method, request.path, type(exc).__name__)
            retry = {"Retry-After": str(settings.retry_after_s)}
            if busy:
                return error_response(503, "server_busy", "server busy, try again shortly", retry)
            return error_response(503, "service_unavailable", "a backing service is unavailable, try again shortly",
                                  retry)

    return middleware


class BodyTimeout(Exception):
    """The request body did not arrive in time."""


def body_deadline(settings: Settings) -> Any:
    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        content = request.content
        if not request.body_exists or content.is_eof():  # no body, or all of it came with the headers
            return await handler(request)

        def expire() -> None:
            if not content.is_eof():
                content.set_exception(BodyTimeout())

        timer = asyncio.get_running_loop().call_later(settings.http_body_timeout_s, expire)
        try:
            return await handler(request)
        except BodyTimeout:
            log.info("%s %s: body not received within %.0f s", request.method, request.path,
                     settings.http_body_timeout_s)
            return error_response(408, "body_timeout", "request body not received in time", {"Connection": "close"})
        finally:
            timer.cancel()

    return middleware


def metrics_guard(settings: Settings) -> Any:
    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path == METRICS_PATH and not _may_read_metrics(request, settings.metrics_token):
            if settings.metrics_token:
                raise ApiError(401, "metrics_token_required", "metrics need a token", {"WWW-Authenticate": "Bearer"})
            raise ApiError(403, "metrics_loopback_only", "metrics need a token or a loopback client")
        return await handler(request)

    return middleware


def _may_read_metrics(request: web.Request, token: str | None) -> bool:
    if token:
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())
    if any(header in request.headers for header in PROXY_HEADERS):
        return False
    try:
        return ipaddress.ip_address(request.remote or "").is_loopback
    except ValueError:
        return False
