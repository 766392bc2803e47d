"""`/api/openapi.json`: one OpenAPI 3.1 document generated from every typed endpoint of the app
(bot/web/typed.py): the channels' (web chat), the extensions', the console's, login and health."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.web import typed
from bot.web.typed import Endpoint, endpoint

#: Every typed endpoint the app routes, set by `build_app`.
APP_ENDPOINTS = web.AppKey("endpoints", list[Endpoint])

SECURITY_SCHEMES = {
    "bearer": {"type": "http", "scheme": "bearer", "description": "API token of a staff member"},
    "session": {"type": "apiKey", "in": "cookie", "name": "csbot_session",
                "description": "console session; unsafe methods also need the X-CSRF-Token header"},
    "visitor": {"type": "apiKey", "in": "header", "name": "X-Visitor-Token",
                "description": "a web-chat visitor's signed token (POST /api/webchat/visitor)"},
}


def openapi_document(endpoints: list[Endpoint]) -> dict[str, Any]:
    paths, schemas = typed.openapi(endpoints)
    return {
        "openapi": "3.1.0",
        "info": {"title": "客服机器人 API", "version": "1"},
        "components": {"securitySchemes": SECURITY_SCHEMES, "schemas": dict(sorted(schemas.items()))},
        "security": [{"bearer": []}, {"session": []}],
        "paths": dict(sorted(paths.items())),
    }


@endpoint("GET", "/api/openapi.json", response=dict[str, Any], public=True, tag="meta",
          summary="This document: every JSON endpoint of the server, generated from its declarations")
async def get_openapi(request: web.Request) -> dict[str, Any]:
    return openapi_document(request.app[APP_ENDPOINTS])


ENDPOINTS = [get_openapi]
