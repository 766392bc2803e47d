"""The guards that protect the server as a whole, whatever the route, as one middleware with the
JSON errors of bot/web/errors.py (`request_guards`: one coroutine per request rather than five layers,
each a partial, a coroutine and an await on every request, the webhook's included; docs/performance.md):

- `unavailable_as_503`: when the store (or the database connection) cannot serve for now, the
  client gets 503 with `Retry-After` instead of a server error. The web chat's page retries; WeChat
  retries any non-200 by itself, so nothing it sent is lost.
- `body_deadline`: a request body that has not fully arrived within `http_body_timeout_s` gets 408
  and the connection is closed, so clients trickling bodies cannot hold connections for ever. Slow
  or idle headers are bounded by the server's keep-alive timeout (`server_options`).
- `metrics_guard`: `/metrics` is for the shop's monitoring, not the public: with `METRICS_TOKEN` set
  it needs `Authorization: Bearer <token>`; without it only loopback clients not relayed by a proxy.
- the body limit (`bot.web.limits.BodyLimit`): 413 for a body over the limit.
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import logging
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler

from bot.config import Settings
from bot.outages import outages
from bot.store.base import StoreBusy
from bot.web.errors import json_error, route_of
from bot.web.limits import BodyLimit
from bot.web.problems import ApiError, error_response

log = logging.getLogger("csbot.web")

METRICS_PATH = "/metrics"
PROXY_HEADERS = ("Forwarded", "X-Forwarded-For", "X-Real-IP")


def server_options(settings: Settings) -> dict[str, Any]:
    """aiohttp server arguments: idle connections, and requests whose headers never finish arriving,
    are closed after `http_idle_timeout_s` (aiohttp's keep-alive timer runs from the connection's
    start until a complete request has been read)."""
    return {"keepalive_timeout": settings.http_idle_timeout_s}


def request_guards(settings: Settings, store_of: Any, body_limit: BodyLimit) -> Any:
    """`store_of(app)` gives the running store (it opens after the middlewares are built), asked only
    when something was raised. In order: `/metrics` kept private, an oversized body refused, the body's
    deadline armed; then, from what the handler raised, the body's 408, the body limit's 413, the
    unavailable service's 503; whatever else was raised, by a guard or the handler, as bot/web/errors.py
    answers it (JSON). One middleware for both, the errors' and the guards' (each layer is a partial, a
    coroutine and an await on every request: docs/performance.md, twelfth round)."""
    timeout_s = settings.http_body_timeout_s

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            if request.path == METRICS_PATH:
                metrics_guard(request, settings.metrics_token)
            refused = body_limit.refuse(request)
            if refused is not None:
                return refused
            timer = body_deadline(request, timeout_s)
            try:
                return await handler(request)
            except BodyTimeout:
                log.info("%s %s: body not received within %.0f s", request.method, route_of(request), timeout_s)
                return error_response(408, "body_timeout", "request body not received in time",
                                      {"Connection": "close"})
            except (web.HTTPRequestEntityTooLarge, ApiError) as exc:
                too_large = body_limit.refused(request, exc)
                if too_large is None:
                    raise
                return too_large
            except outages(store_of(request.app)) as exc:
                return unavailable_as_503(request, exc, settings.retry_after_s)
            finally:
                if timer is not None:
                    timer.cancel()
        except Exception as exc:
            answer = json_error(request, exc)
            if answer is None:
                raise
            return answer

    return middleware


def unavailable_as_503(request: web.Request, exc: Exception, retry_after_s: int) -> web.Response:
    """When the store (or the database connection) cannot serve for now, the client gets 503 with
    `Retry-After` instead of a server error, unless its own connection went away (nobody to answer)."""
    if request.transport is None or request.transport.is_closing():
        raise exc
    log.warning("%s %s answered 503: %s", request.method, route_of(request), type(exc).__name__)
    retry = {"Retry-After": str(retry_after_s)}
    if isinstance(exc, StoreBusy):
        return error_response(503, "server_busy", "server busy, try again shortly", retry)
    return error_response(503, "service_unavailable", "a backing service is unavailable, try again shortly", retry)


class BodyTimeout(Exception):
    """The request body did not arrive in time."""


def body_deadline(request: web.Request, timeout_s: float) -> asyncio.TimerHandle | None:
    """A timer failing the body's reads once `timeout_s` is over; None when there is no body or all of
    it came with the headers (every WeChat call)."""
    content = request.content
    if not request.body_exists or content.is_eof():
        return None

    def expire() -> None:
        if not content.is_eof():
            content.set_exception(BodyTimeout())

    return asyncio.get_running_loop().call_later(timeout_s, expire)


def metrics_guard(request: web.Request, token: str | None) -> None:
    """Refuse `/metrics` to a client without the token (or, without one set, a non-loopback client)."""
    if not _may_read_metrics(request, token):
        if token:
            raise ApiError(401, "metrics_token_required", "metrics need a token", {"WWW-Authenticate": "Bearer"})
        raise ApiError(403, "metrics_loopback_only", "metrics need a token or a loopback client")


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
