"""Staff session endpoints: log in, log out, who am I. Every area's staff API builds on these."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.web.auth import AGENT, login, logout, require, set_session_cookie
from bot.web.jsonbody import read_json
from models.agent import Agent


def agent_json(agent: Agent) -> dict[str, Any]:
    return {
        "id": agent.id,
        "name": agent.name,
        "role": agent.role,
        "presence": agent.presence,
        "capacity": agent.capacity,
    }


async def post_login(request: web.Request) -> web.Response:
    body = await read_json(request, {"name": str, "password": str})
    agent, session_id, csrf = await login(request, body["name"], body["password"])
    response = web.json_response({"agent": agent_json(agent), "csrf_token": csrf})
    set_session_cookie(request, response, session_id)
    return response


@require()
async def post_logout(request: web.Request) -> web.Response:
    await logout(request)
    response = web.json_response({"ok": True})
    response.del_cookie("csbot_session", path="/")
    return response


@require()
async def get_me(request: web.Request) -> web.Response:
    return web.json_response({"agent": agent_json(request[AGENT])})


ROUTES = [
    web.post("/api/agent/login", post_login),
    web.post("/api/agent/logout", post_logout),
    web.get("/api/agent/me", get_me),
]

_AGENT_SCHEMA = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "role": {"type": "string", "enum": ["agent", "supervisor", "admin"]},
        "presence": {"type": "string"},
        "capacity": {"type": "integer"},
    },
}
OPENAPI_PATHS = {
    "/api/agent/login": {
        "post": {
            "summary": "Log in; sets the session cookie and returns the CSRF token for unsafe requests",
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["name", "password"],
                            "properties": {"name": {"type": "string"}, "password": {"type": "string"}},
                        }
                    }
                },
            },
            "responses": {
                "200": {
                    "description": "logged in",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {"agent": _AGENT_SCHEMA, "csrf_token": {"type": "string"}},
                            }
                        }
                    },
                },
                "401": {"description": "wrong name or password"},
                "429": {"description": "too many failures"},
            },
            "security": [],
        }
    },
    "/api/agent/logout": {"post": {"summary": "End the session", "responses": {"200": {"description": "ok"}}}},
    "/api/agent/me": {
        "get": {
            "summary": "The logged-in staff member",
            "responses": {
                "200": {
                    "description": "ok",
                    "content": {
                        "application/json": {"schema": {"type": "object", "properties": {"agent": _AGENT_SCHEMA}}}
                    },
                },
                "401": {"description": "not logged in"},
            },
        }
    },
}
