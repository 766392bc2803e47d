"""The after-sales part of `/api/openapi.json` (OpenAPI 3.1 path items), kept beside `api.py`."""

from __future__ import annotations

from typing import Any

from handlers.after_sales.machine import KINDS, OUTCOMES_BY_KIND, REFUND_METHODS, STATES

OUTCOMES = sorted({o for outcomes in OUTCOMES_BY_KIND.values() for o in outcomes})
_TS = {"type": ["string", "null"], "format": "date-time"}
_FEN = {"type": ["integer", "null"], "description": "fen (1/100 yuan)"}
CASE = {
    "type": "object",
    "properties": {
        "case_no": {"type": "string", "examples": ["AS20261123-0001"]},
        "order_no": {"type": "string"},
        "kind": {"type": "string", "enum": list(KINDS)},
        "state": {"type": "string", "enum": list(STATES)},
        "next_states": {"type": "array", "items": {"type": "string", "enum": list(STATES)},
                        "description": "the steps staff may take from here"},
        "item": {"type": ["object", "null"]}, "description": {"type": "string"}, "wanted": {"type": ["string", "null"]},
        "requested_fen": _FEN, "outcome": {"type": ["string", "null"]},
        "refund_method": {"type": ["string", "null"], "enum": [*REFUND_METHODS, None]},
        "amount_fen": _FEN, "approved_fen": _FEN, "reject_reason": {"type": ["string", "null"]},
        "immediate_review": {"type": "boolean"}, "escalation": {"type": ["string", "null"]},
        "assignee_id": {"type": ["integer", "null"]}, "customer_id": {"type": ["integer", "null"]},
        "created_at": _TS, "touched_at": _TS, "resolved_at": _TS,
        "satisfaction_due_at": {**_TS, "description": "satisfaction follow-up due (set on resolve)"},
    },
}
CASE_DETAIL = {"allOf": [CASE, {"type": "object", "properties": {
    "photos": {"type": "array", "items": {"type": "object", "properties": {"url": {"type": "string"},
                                                                          "created_at": _TS}}},
    "events": {"type": "array", "items": {"type": "object", "properties": {
        "action": {"type": "string"}, "from": {"type": ["string", "null"]}, "to": {"type": ["string", "null"]},
        "actor": {"type": "string"}, "reason": {"type": "string"}, "data": {"type": "object"}, "at": _TS}}},
}}]}
ERROR = {"type": "object", "properties": {"error": {"type": "string"}, "message": {"type": "string"},
                                          "allowed": {"type": "array", "items": {"type": "string"}}}}
CASE_NO = [{"name": "case_no", "in": "path", "required": True, "schema": {"type": "string"}}]


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}}


def _post(summary: str, body: dict[str, Any], extra: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"post": {
        "summary": summary, "parameters": CASE_NO, "requestBody": {"required": True, **_json(body)},
        "responses": {"200": {"description": "the case after the change", **_json(CASE_DETAIL)},
                      "400": {"description": "bad body", **_json(ERROR)}, "401": {"description": "not logged in"},
                      "403": {"description": "role not allowed", **_json(ERROR)},
                      "404": {"description": "no such case"}, **(extra or {})}}}


OPENAPI_PATHS: dict[str, Any] = {
    "/api/cases": {"get": {
        "summary": "List after-sales cases, most recently touched first",
        "parameters": [
            {"name": "state", "in": "query", "schema": {"type": "string"},
             "description": "'open' or states, comma-separated"},
            {"name": "kind", "in": "query", "schema": {"type": "string", "enum": list(KINDS)}},
            {"name": "order_no", "in": "query", "schema": {"type": "string"}},
            {"name": "assignee", "in": "query", "schema": {"type": "string", "enum": ["me"]}},
            {"name": "stale", "in": "query", "schema": {"type": "boolean"},
             "description": "open cases nobody touched today (yesterday's leftovers)"},
            {"name": "limit", "in": "query", "schema": {"type": "integer", "maximum": 200}},
            {"name": "offset", "in": "query", "schema": {"type": "integer"}},
        ],
        "responses": {"200": {"description": "cases", **_json({"type": "object", "properties": {
            "cases": {"type": "array", "items": CASE}}})}, "401": {"description": "not logged in"}},
    }},
    "/api/cases/{case_no}": {"get": {
        "summary": "One case with its photos and event log", "parameters": CASE_NO,
        "responses": {"200": {"description": "the case", **_json(CASE_DETAIL)}, "404": {"description": "no such case"},
                      "401": {"description": "not logged in"}},
    }},
    "/api/cases/{case_no}/transitions": _post(
        "Move the case to an allowed next step; the customer is told in their channel",
        {"type": "object", "required": ["to"], "properties": {
            "to": {"type": "string", "enum": list(STATES)},
            "reason": {"type": "string", "description": "why; required for rejected (the customer is told)"},
            "outcome": {"type": "string", "enum": OUTCOMES, "description": "required for resolved"},
            "refund_method": {"type": "string", "enum": list(REFUND_METHODS)},
            "amount_fen": {"type": "integer", "minimum": 1,
                           "description": "refunds above the supervisor limit need a supervisor or a prior approval"},
        }},
        {"409": {"description": "not an allowed next step (see allowed)", **_json(ERROR)}},
    ),
    "/api/cases/{case_no}/flag": _post(
        "初步鉴定: the photos show a problem the customer did not cause; report it up at once and allow "
        "resolving without a return",
        {"type": "object", "required": ["reason"], "properties": {"reason": {"type": "string"}}},
        {"409": {"description": "the case is closed", **_json(ERROR)}},
    ),
    "/api/cases/{case_no}/assign": _post(
        "Who handles the case (agents may only take or drop it themselves)",
        {"type": "object", "properties": {"agent_id": {"type": ["integer", "null"]}}},
    ),
    "/api/cases/{case_no}/approval": _post(
        "A supervisor approves a refund or compensation above the limit beforehand (supervisor, admin)",
        {"type": "object", "required": ["amount_fen", "reason"], "properties": {
            "amount_fen": {"type": "integer", "minimum": 1}, "reason": {"type": "string"}}},
        {"409": {"description": "the case is closed", **_json(ERROR)}},
    ),
    "/api/orders/{order_no}": {"get": {
        "summary": "An order as the order source reported it, with its after-sales cases",
        "parameters": [{"name": "order_no", "in": "path", "required": True, "schema": {"type": "string"}}],
        "responses": {"200": {"description": "the order"}, "404": {"description": "no such order"},
                      "401": {"description": "not logged in"}},
    }},
    "/api/after-sales/photos": {"post": {
        "summary": "Web chat: a customer in an after-sales request sends a photo (docs/webchat.md)",
        "security": [],
        "parameters": [{"name": "X-Visitor-Token", "in": "header", "required": True, "schema": {"type": "string"},
                        "description": "the visitor token from POST /api/webchat/visitor"}],
        "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
            "type": "object", "required": ["file"], "properties": {
                "user_id": {"type": "string", "description": "optional; must be the token's visitor"},
                "client_msg_id": {"type": "string"},
                "file": {"type": "string", "contentMediaType": "image/*"}}}}}},
        "responses": {"200": {"description": "the bot's replies", **_json({"type": "object", "properties": {
            "replies": {"type": "array", "items": {"type": "string"}}}})},
            "401": {"description": "no visitor token", **_json(ERROR)},
            "403": {"description": "forged token, or no after-sales request open", **_json(ERROR)},
            "413": {"description": "photo too large"}, "415": {"description": "not an image", **_json(ERROR)},
            "429": {"description": "too many photos today", **_json(ERROR)},
            "507": {"description": "photo storage full", **_json(ERROR)}},
    }},
    "/api/after-sales/photos/{name}": {"get": {
        "summary": "A photo a customer sent (staff only)",
        "parameters": [{"name": "name", "in": "path", "required": True, "schema": {"type": "string"}}],
        "responses": {"200": {"description": "the image"}, "404": {"description": "no such photo"},
                      "401": {"description": "not logged in"}},
    }},
}
