"""The errors of every route: whatever goes wrong, the answer is JSON in one shape,
`{"error": {"code": ..., "message": ...}}` (bot/web/problems.py), and the caller's mistakes are 4xx
rather than 500.

- `ApiError`, raised by a handler, a guard or the typed endpoints' validation: its status, code and
  headers.
- An HTTP error raised by aiohttp itself (404, 405, 413, ...) on an `/api/` path: its status and
  headers (Allow, Retry-After) kept, the code named after the status (`not_found`,
  `method_not_allowed`, ...). Pages (`/console`, `/r/...`) keep aiohttp's plain answers.
- A value the database refuses (an id beyond its integer type, text too long for its column or
  holding NUL: asyncpg's `DataError`; SQLite's `OverflowError`; tortoise's `ValidationError`) is the
  request's fault: 400 `invalid_value`. A unique key already taken: 409 `conflict`. A body aiohttp
  cannot decode (gzip that is not gzip: `RequestPayloadError`): 400 `invalid_body`.
- Anything else is our fault: logged with its traceback (method and route, never the body) and
  answered 500 `internal_error`.
WebSocket handlers are left alone: once upgraded, the socket is the answer.
"""

from __future__ import annotations

import logging
import re

import asyncpg
from aiohttp import hdrs, web
from aiohttp.web_protocol import RequestPayloadError
from tortoise.exceptions import IntegrityError, ValidationError

from bot.web.problems import ApiError, error_response

log = logging.getLogger("csbot.web")

KEPT_HEADERS = (hdrs.ALLOW, hdrs.RETRY_AFTER, hdrs.WWW_AUTHENTICATE, hdrs.CONNECTION)


def _causes(exc: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def client_fault(exc: BaseException) -> web.Response | None:
    """The 4xx answer for an exception caused by what the client sent, or None."""
    chain = _causes(exc)
    if any(isinstance(cause, RequestPayloadError) for cause in chain):  # a body its encoding does not decode
        # the connection closed: aiohttp would read the rest of the broken body again after the answer
        return error_response(400, "invalid_body", "the body could not be read as its encoding says",
                              {"Connection": "close"})
    if any(isinstance(cause, asyncpg.exceptions.DataError | ValidationError | OverflowError) for cause in chain):
        return error_response(400, "invalid_value", "a value is out of range, too long or not allowed")
    if any(isinstance(cause, IntegrityError | asyncpg.exceptions.UniqueViolationError) for cause in chain):
        return error_response(409, "conflict", "conflicts with an existing record")
    return None


def status_code_name(exc: web.HTTPException) -> str:
    """`Method Not Allowed` -> `method_not_allowed`: a stable code for aiohttp's own errors."""
    return re.sub(r"[^a-z0-9]+", "_", exc.reason.lower()).strip("_") or "http_error"


def _as_json(exc: web.HTTPException) -> web.Response:
    headers = {name: exc.headers[name] for name in KEPT_HEADERS if name in exc.headers}
    return error_response(exc.status, status_code_name(exc), exc.text or exc.reason, headers)


def json_error(request: web.Request, exc: Exception) -> web.StreamResponse | None:
    """The JSON answer for what a handler (or a guard before it) raised, or None when `exc` is to go on
    up to aiohttp as it is (an HTTP error off `/api/`, a WebSocket's failure). Called by the one
    middleware of bot/web/guards.py from its `except`, so each request pays one middleware, not two."""
    if isinstance(exc, ApiError):
        return exc.response()
    if isinstance(exc, web.HTTPException):
        if exc.status < 400 or not request.path.startswith("/api/"):
            return None
        return _as_json(exc)
    if request.headers.get(hdrs.UPGRADE, "").lower() == "websocket":
        return None
    refused = client_fault(exc)
    if refused is not None:
        log.info("%s %s refused (%d): %s", request.method, route_of(request), refused.status, type(exc).__name__)
        return refused
    log.exception("%s %s failed", request.method, route_of(request))
    return error_response(500, "internal_error", "internal error")


def route_of(request: web.Request) -> str:
    """The route's pattern (`/api/cases/{case_no}`), so no id or name typed by a client is logged."""
    info = request.match_info.route.resource
    return info.canonical if info is not None else "(no route)"
