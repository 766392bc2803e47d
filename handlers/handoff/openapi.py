"""OpenAPI path items for the agent console API (merged into `/api/openapi.json`)."""

from __future__ import annotations

from typing import Any

CONVERSATION_ID = {"name": "conversation_id", "in": "path", "required": True, "schema": {"type": "integer"}}
ERRORS = {"401": {"description": "not logged in"}, "403": {"description": "role or holder does not allow it"}}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}}


def _op(
    summary: str, *, body: dict[str, Any] | None = None, path_id: bool = False, extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "summary": summary,
        "responses": {"200": {"description": "ok"}, **ERRORS, **(extra or {})},
    }
    if body is not None:
        operation["requestBody"] = {"required": True, **_json(body)}
    if path_id:
        operation["parameters"] = [CONVERSATION_ID]
    return operation


def _object(**properties: Any) -> dict[str, Any]:
    return {"type": "object", "properties": properties}


STRING, INTEGER, BOOLEAN = {"type": "string"}, {"type": "integer"}, {"type": "boolean"}
BASE = "/api/agent/conversations/{conversation_id}"

OPENAPI_PATHS: dict[str, Any] = {
    "/api/agent/presence": {
        "post": _op(
            "Set presence (online / away / offline); going offline hands conversations on",
            body=_object(presence={"type": "string", "enum": ["online", "away", "offline"]}),
        )
    },
    "/api/agent/typing": {"post": _op("The agent is at the console (typing): proof of presence, away becomes online")},
    "/api/agent/profile": {
        "post": _op("Set the display name (昵称) customers see", body=_object(display_name=STRING),
                    extra={"400": {"description": "empty or longer than 32 characters"}})
    },
    "/api/agent/labels": {"get": _op("Reason codes in Chinese, as the console shows them")},
    "/api/agent/queue": {"get": _op("Conversations waiting for a person, VIPs first, then first come")},
    "/api/agent/conversations": {"get": _op("Conversations I hold (supervisors: all held), with SLA deadlines")},
    BASE: {"get": _op("A conversation's whole history, bot's part included, and its handover notes", path_id=True)},
    f"{BASE}/take": {
        "post": _op(
            "Take a queued conversation", path_id=True, extra={"409": {"description": "taken already, or at capacity"}}
        )
    },
    f"{BASE}/messages": {
        "post": _op(
            "Send a message to the customer (split when long); 409 lists forbidden phrases unless confirm is true",
            path_id=True,
            body=_object(text=STRING, confirm=BOOLEAN),
            extra={
                "409": {
                    "description": "forbidden language",
                    **_json(_object(error=STRING, phrases={"type": "array", "items": STRING})),
                }
            },
        )
    },
    f"{BASE}/hand-back": {"post": _op("Hand the conversation back to the bot", path_id=True)},
    f"{BASE}/transfer": {
        "post": _op(
            "Transfer to another agent or to a supervisor, with a note",
            path_id=True,
            body=_object(to_agent_id=INTEGER, to_supervisor=BOOLEAN, note=STRING),
            extra={"409": {"description": "nobody available; it stays with you"}},
        )
    },
    f"{BASE}/notes": {
        "post": _op("Add a handover note (交接记录)", path_id=True, body=_object(open_questions=STRING, pending=STRING))
    },
    "/api/agent/canned": {"get": _op("Canned replies (快捷短语) with variables filled in")},
    "/api/agent/agents": {"get": _op("Staff with presence, load and capacity")},
    "/api/agent/supervisor": {"get": _op("Queue length, agents online, near-breach conversations, today's SLA")},
    "/metrics": {
        "get": {
            "summary": "Prometheus metrics of the response-time promise",
            "security": [],
            "responses": {"200": {"description": "text exposition format"}},
        }
    },
}
