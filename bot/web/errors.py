"""One error middleware for every route: whatever goes wrong, the answer is JSON in one shape,
`{"error": {"code": ..., "message": ...}}` (bot/web/problems.py), and the caller's mistakes are 4xx
rather than 500.

- `ApiError`, raised by a handler, a guard or the typed endpoints' validation: its status, code and
  headers.
- An HTTP error raised by aiohttp itself (404, 405, 413, ...) on an `/api/` path: its status and
  headers (Allow, Retry-After) kept, the code named after the status (`not_found`,
  `method_not_allowed`, ...). Pages (`/console`, `/r/...`) keep aiohttp's plain answers.
- A value the database refuses (an id beyond its integer type, text too long for its column or
  holding NUL: asyncpg's `DataError`; SQLite's `OverflowError`; tortoise's `ValidationError`) is the
  request's fault: 400 `invalid_value`. A unique key already taken: 409 `conflict`.
- Anything else is our fault: logged with its traceback (method and route, never the body) and
  answered 500 `internal_error`.
WebSocket handlers are left alone: once upgraded, the socket is the answer.
"""

from __future__ import annotations

import logging
import re

import asyncpg
from aiohttp import hdrs, web
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


@web.middleware
async def json_errors(request: web.Request, handler: web.RequestHandler) -> web.StreamResponse:
    try:
        return await handler(request)
    except ApiError as exc:
        return exc.response()
    except web.HTTPException as exc:
        if exc.status < 400 or not request.path.startswith("/api/"):
            raise
        return _as_json(exc)
    except Exception as exc:
        if request.headers.get(hdrs.UPGRADE, "").lower() == "websocket":
            raise
        refused = client_fault(exc)
        if refused is not None:
            log.info("%s %s refused (%d): %s", request.method, route_of(request), refused.status,
                     type(exc).__name__)
            return refused
        log.exception("%s %s failed", request.method, route_of(request))
        return error_response(500, "internal_error", "internal error")


def route_of(request: web.Request) -> str:
    """The route's pattern (`/api/cases/{case_no}`), so no id or name typed by a client is logged."""
    info = request.match_info.route.resource
    return info.canonical if info is not None else "(no route)"
