"""`/api/openapi.json`: one OpenAPI 3.1 document merged from the core's and every extension's paths."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.runtime import RUNTIME
from bot.web import panels, staff, typed
from bot.web.typed import Endpoint

SECURITY_SCHEMES = {
    "bearer": {"type": "http", "scheme": "bearer", "description": "API token of a staff member"},
    "session": {"type": "apiKey", "in": "cookie", "name": "csbot_session",
                "description": "console session; unsafe methods also need the X-CSRF-Token header"},
}


def openapi_document(extension_paths: list[dict[str, Any]], endpoints: list[Endpoint]) -> dict[str, Any]:
    paths: dict[str, Any] = dict(staff.OPENAPI_PATHS)
    for extra in extension_paths:
        for path, item in extra.items():
            paths.setdefault(path, {}).update(item)
    typed_paths, schemas = typed.openapi(endpoints)
    for path, item in typed_paths.items():
        paths.setdefault(path, {}).update(item)
    return {
        "openapi": "3.1.0",
        "info": {"title": "客服机器人 staff API", "version": "1"},
        "components": {"securitySchemes": SECURITY_SCHEMES, "schemas": dict(sorted(schemas.items()))},
        "security": [{"bearer": []}, {"session": []}],
        "paths": dict(sorted(paths.items())),
    }


async def get_openapi(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    endpoints = [*panels.ENDPOINTS, *(item for extension in runtime.extensions for item in extension.endpoints)]
    document = openapi_document([dict(extension.openapi_paths) for extension in runtime.extensions], endpoints)
    return web.json_response(document)


ROUTES = [web.get("/api/openapi.json", get_openapi)]
