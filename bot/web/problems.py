"""The one error shape of every HTTP answer: `{"error": {"code": ..., "message": ...}}`.

`code` is stable snake_case that clients branch on and the console labels in Chinese
(`GET /api/labels`); `message` is a short English explanation for developers. Handlers, guards and
middlewares raise `ApiError`; `bot.web.errors` turns it (and every other failure) into this shape.
Kept apart from `bot.web.typed` so the lowest layers (JSON reading, auth) can raise it too.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from aiohttp import web


def dumps(value: Any) -> str:
    """JSON that keeps Chinese readable (no \\u escapes)."""
    return json.dumps(value, ensure_ascii=False)


class ApiError(Exception):
    """Raise to answer `status` with `{"error": {"code": code, "message": message, **details}}`."""

    def __init__(self, status: int, code: str, message: str, headers: Mapping[str, str] | None = None,
                 **details: Any):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})
        self.details = details

    def response(self) -> web.Response:
        return error_response(self.status, self.code, self.message, self.headers, **self.details)


def error_response(status: int, code: str, message: str, headers: Mapping[str, str] | None = None,
                   **details: Any) -> web.Response:
    """`details` are what a client needs to act on this error (the phrases to remove, the allowed
    steps), kept inside the error object beside `code` and `message`."""
    body = {"error": {"code": code, "message": message, **details}}
    return web.json_response(body, status=status, headers=dict(headers or {}), dumps=dumps)
