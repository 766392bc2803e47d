"""Read a JSON object body and check its fields' types, answering 400 with the reason otherwise."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web


def bad_request(message: str) -> web.HTTPBadRequest:
    return web.HTTPBadRequest(text=json.dumps({"error": message}), content_type="application/json")


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
