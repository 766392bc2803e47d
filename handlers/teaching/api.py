"""Console endpoints for teaching the bot: what to review, the intent picker's labels, one-click labels.

Any staff member may label (agents see these messages anyway). The review list holds customer
messages the bot could not place and messages of conversations a person handled, newest first,
each with the bot's current guess; messages already labelled are left out. A label is stored as a
learned example (PII stripped) and every worker learns it at once (bot/learned.py).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web
from tortoise.expressions import Q

from bot.learned import Labelled, digest
from bot.runtime import RUNTIME
from bot.templates import spec
from bot.web.auth import AGENT, require
from bot.web.jsonbody import bad_request, json_error, read_json
from handlers.teaching.service import LEARNED, customer_texts
from models.learned_example import LearnedExample

REVIEW_LIMIT = 50
SCAN_LIMIT = 500  # recent messages looked at to fill one review page


def label_key(intent: str) -> str:
    return "intent_labels." + intent.replace(".", "_")


PANEL_TEXTS = ("open", "title", "hint", "guess", "asked", "handled", "confirm", "correct", "saved", "empty", "error",
               "close")
SCRIPTS = tuple(spec("teach_console." + name) for name in PANEL_TEXTS) + tuple(spec(label_key(intent)) for intent in (
    "greeting", "thanks", "goodbye", "human", "complaint", "after_sales.return", "after_sales.exchange",
    "after_sales.refund", "after_sales.damaged", "after_sales.missing", "after_sales.progress",
    "logistics.track", "logistics.extend", "shipping.when", "address.change", "product.consult",
    "promotion", "invoice", "payment", "membership", "referral", "unknown",
))  # fmt: skip


@require()
async def get_labels(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    templates = runtime.templates
    return web.json_response({
        "intents": [
            {"name": intent, "label": templates.render(label_key(intent)) if label_key(intent) in templates else intent}
            for intent in runtime.matcher.intents
        ],
        "texts": {name: templates.render("teach_console." + name) for name in PANEL_TEXTS},
    })


@require()
async def get_review(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    service = runtime.services[LEARNED]
    handled = Q(conversation__assigned_at__isnull=False)
    messages = await customer_texts().filter(Q(intent="unknown") | handled).order_by("-id").limit(SCAN_LIMIT)
    cleaned = {m.id: service.clean(m.text) for m in messages}
    known = set(await LearnedExample.filter(digest__in=[digest(t) for t in cleaned.values() if t])
                .values_list("digest", flat=True))
    items: list[dict[str, Any]] = []
    for message in messages:
        text = cleaned[message.id]
        if not text or digest(text) in known:
            continue
        known.add(digest(text))  # the same words twice need one label
        match = runtime.matcher.classify(message.text)
        items.append({"message_id": message.id, "conversation_id": message.conversation_id, "text": message.text,
                      "guess": match.intent, "confidence": round(match.confidence, 3), "decision": match.decision,
                      "asked": message.intent == "unknown"})
        if len(items) >= REVIEW_LIMIT:
            break
    return web.json_response({"items": items})


@require()
async def post_teach(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    body = await read_json(request, {"message_id": int, "intent": str})
    if body["intent"] not in runtime.matcher.intents:
        raise bad_request(f"unknown intent {body['intent']!r}")
    message = await customer_texts().get_or_none(id=body["message_id"])
    if message is None:
        raise json_error(web.HTTPNotFound, "no such customer message")
    guess = runtime.matcher.classify(message.text).intent
    result = await runtime.services[LEARNED].teach([Labelled(message.text, body["intent"], guess)], source="console",
                                                   agent=request[AGENT].name)
    match = runtime.matcher.classify(message.text)
    return web.json_response({"added": result.added, "relabelled": result.relabelled, "unchanged": result.unchanged,
                              "intent": match.intent, "decision": match.decision})


ROUTES = [
    web.get("/api/intents/labels", get_labels),
    web.get("/api/intents/review", get_review),
    web.post("/api/intents/teach", post_teach),
]

_ERRORS = {"401": {"description": "not logged in"}}
OPENAPI_PATHS: dict[str, Any] = {
    "/api/intents/labels": {"get": {
        "summary": "Intent names with their Chinese labels, and the teach panel's texts (scripts_zh)",
        "responses": {"200": {"description": "ok"}, **_ERRORS},
    }},
    "/api/intents/review": {"get": {
        "summary": "Recent customer messages the bot asked about or a person handled, not yet labelled, "
                   "with the bot's guess (intent, confidence, decision)",
        "responses": {"200": {"description": "ok"}, **_ERRORS},
    }},
    "/api/intents/teach": {"post": {
        "summary": "Confirm or correct the intent of a customer message: stored as a learned example (PII "
                   "stripped) and learned by every worker at once",
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["message_id", "intent"],
            "properties": {"message_id": {"type": "integer"}, "intent": {"type": "string"}}}}}},
        "responses": {"200": {"description": "ok"}, "400": {"description": "unknown intent or bad body"},
                      "404": {"description": "no such customer message"}, **_ERRORS},
    }},
}
