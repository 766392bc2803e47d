"""JSON in and out of the HTTP APIs: read an object body (400 with the reason otherwise), answer errors
as `{"error": ...}`, and keep Chinese readable in what is written (no \\u escapes)."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def json_error(status: type[web.HTTPException], message: str, **extra: Any) -> web.HTTPException:
    """An HTTP error to raise, with a JSON body naming what went wrong."""
    return status(text=dumps({"error": message, **extra}), content_type="application/json")


def bad_request(message: str) -> web.HTTPException:
    return json_error(web.HTTPBadRequest, message)


async def read_json(request: web.Request, required: dict[str, type | tuple[type, ...]] | None = None) -> dict[str, Any]:
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise bad_request("body must be JSON") from None
    if not isinstance(body, dict):
        raise bad_request("body must be a JSON object")
    for name, kind in (required or {}).items():
        value = body.get(name)
        if not isinstance(value, kind) or (isinstance(value, str) and not value.strip()):
            raise bad_request(f"{name} is required")
    return body
