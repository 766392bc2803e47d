"""JSON in and out of the HTTP APIs: read an object body (400 with the reason otherwise), answer errors
as `{"error": ...}`, and keep Chinese readable in what is written (no \\u escapes).

Whatever a client can put in JSON is checked here once for every API: bodies nested too deep for the
parser, integers too long to convert, and text no database column can hold (NUL, unpaired
surrogates) are refused with 400 instead of failing later inside a handler or a shared commit.
"""

from __future__ import annotations

import json
import re
from typing import Any

from aiohttp import web

#: NUL (PostgreSQL text cannot hold it) and UTF-16 surrogates (never valid on their own in text).
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def json_error(status: type[web.HTTPException], message: str, **extra: Any) -> web.HTTPException:
    """An HTTP error to raise, with a JSON body naming what went wrong."""
    return status(text=dumps({"error": message, **extra}), content_type="application/json")


def bad_request(message: str) -> web.HTTPException:
    return json_error(web.HTTPBadRequest, message)


def storable(text: str) -> bool:
    return UNSTORABLE.search(text) is None


def check_storable(value: Any) -> None:
    """400 when any string in `value` (keys included) holds NUL or an unpaired surrogate.

    Iterative, so a body nested as deep as the parser allows cannot exhaust the stack here.
    """
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if not storable(item):
                raise bad_request("text must not contain NUL characters or unpaired surrogates")
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)


async def read_json(request: web.Request, required: dict[str, type | tuple[type, ...]] | None = None) -> dict[str, Any]:
    try:
        body = await request.json()
    except (ValueError, UnicodeDecodeError):  # not JSON, or an integer over Python's 4,300 digits
        raise bad_request("body must be JSON") from None
    except RecursionError:
        raise bad_request("body is nested too deeply") from None
    if not isinstance(body, dict):
        raise bad_request("body must be a JSON object")
    check_storable(body)
    for name, kind in (required or {}).items():
        value = body.get(name)
        if not isinstance(value, kind) or (isinstance(value, str) and not value.strip()):
            raise bad_request(f"{name} is required")
    return body
