"""Console endpoints for teaching the bot: what to review, the intent picker's labels, one-click labels.

Typed endpoints (bot/web/typed.py); intent labels come from scripts_zh/intent_labels.yaml through
bot/labels.py, the same words `GET /api/labels` serves in its `intent` group.

Those who serve customers teach (docs/intents.md "Teaching the bot"): an agent labels messages of
the conversations they handled (held, or were assigned, transferred or reassigned, even once handed
back), supervisors and admins any; product accounts do not. The review
list holds customer messages the bot could not place and messages of conversations a person
handled, newest first, each with the bot's current guess, as the PII-stripped text a label stores;
messages already labelled are left out, and so are customers whose archive secrecy the reader is not
cleared for (R-ARCHIVE-6: the archive decides and logs the read as part `messages`). A label is
stored as a learned example (PII stripped) and every worker learns it at once (bot/learned.py).
"""

from __future__ import annotations

from aiohttp import web
from pydantic import BaseModel, Field
from tortoise.expressions import Q, Subquery
from tortoise.queryset import QuerySet

from bot.extension import area_service, shared_services
from bot.labels import intent_label, intent_label_key, label_specs
from bot.learned import Labelled, digest
from bot.templates import spec
from bot.web.auth import AGENT
from bot.web.typed import ApiError, endpoint
from handlers.archive import audit
from handlers.archive.service import ARCHIVE, Reader
from handlers.teaching.service import LEARNED, customer_texts
from models.agent import SUPERVISORS, Agent
from models.handoff import SlaEvent
from models.learned_example import LearnedExample
from models.message import Message

#: Who teaches: those who serve customers (product accounts do not).
TEACHERS = ("agent", *SUPERVISORS)
#: The archive part a review reads (the customer's own words), as the read log names it.
PART = "messages"
REVIEW_LIMIT = 50
SCAN_LIMIT = 500  # recent messages looked at to fill one review page


PANEL_TEXTS = ("tab", "title", "hint", "asked", "handled", "confirm", "correct", "empty", "error")
#: Error codes of this API (labelled in scripts_zh/labels.yaml).
ERRORS = ("unknown_intent", "no_such_message", "access_denied")
INTENTS = (
    "greeting", "thanks", "goodbye", "human", "complaint", "after_sales.return", "after_sales.exchange",
    "after_sales.refund", "after_sales.damaged", "after_sales.missing", "after_sales.progress",
    "logistics.track", "logistics.extend", "shipping.when", "address.change", "product.consult",
    "promotion", "invoice", "payment", "membership", "referral", "unknown",
)  # fmt: skip
SCRIPTS = (*label_specs("error", ERRORS), *(spec("teach_console." + name) for name in PANEL_TEXTS),
           spec("teach_console.guess", "intent", "percent"), spec("teach_console.saved", "intent"),
           *(spec(intent_label_key(intent)) for intent in INTENTS))


class IntentLabel(BaseModel):
    name: str
    label: str


class TeachLabelsOut(BaseModel):
    intents: list[IntentLabel] = Field(description="every intent the bot knows, in the matcher's order")


class ReviewItem(BaseModel):
    message_id: int
    conversation_id: int
    text: str
    guess: str
    confidence: float
    decision: str | None
    asked: bool = Field(description="the bot asked the customer (unknown); else a person handled it")


class ReviewOut(BaseModel):
    items: list[ReviewItem]


class TeachIn(BaseModel):
    message_id: int = Field(strict=True)
    intent: str


class TeachOut(BaseModel):
    added: int
    relabelled: int
    unchanged: int
    intent: str = Field(description="the bot's answer for the message now")
    decision: str | None


@endpoint("GET", "/api/intents/labels", response=TeachLabelsOut, tag="teaching",
          summary="Intent names with their Chinese labels (scripts_zh)")
async def get_labels(request: web.Request) -> TeachLabelsOut:
    services = shared_services(request)
    templates, matcher = services.templates, services[LEARNED].matcher
    return TeachLabelsOut(
        intents=[IntentLabel(name=intent, label=intent_label(templates, intent)) for intent in matcher.intents],
    )


def _reader(request: web.Request) -> Reader:
    return Reader(request[AGENT], audit.via(request), "teaching")


def _reviewable(agent: Agent) -> QuerySet[Message]:
    """The customer messages `agent` may label: those of the conversations an agent handled, everyone's for
    supervisors. Handled: held by them now, or named with them by an SLA event (assigned, transferred to
    them, reassigned or handed back from them, ...): a hand-back or an idle release clears the holder, and
    the agent keeps the conversations they served. The events are read once, as a subquery; the messages by
    their conversation (the leading column of message's unique index)."""
    texts = customer_texts()
    if agent.role in SUPERVISORS:
        return texts
    served = SlaEvent.filter(agent_id=agent.id).values("conversation_id")
    return texts.filter(Q(conversation__assignee_id=agent.id) | Q(conversation_id__in=Subquery(served)))


@endpoint("GET", "/api/intents/review", response=ReviewOut, tag="teaching", roles=TEACHERS,
          summary="Recent customer messages the bot asked about or a person handled, not yet labelled, with the "
                  "bot's guess (intent, confidence, decision)")
async def get_review(request: web.Request) -> ReviewOut:
    service, archive, reader = area_service(request, LEARNED), area_service(request, ARCHIVE), _reader(request)
    handled = Q(conversation__assigned_at__isnull=False)
    messages = await _reviewable(reader.agent).filter(Q(intent="unknown") | handled).order_by("-id").limit(
        SCAN_LIMIT).prefetch_related("conversation")
    grants = await archive.duty_grants(reader, {m.conversation.customer_id for m in messages}, PART, "teaching")
    refused = {customer_id for customer_id, (_, grant) in grants.items() if grant is None}
    messages = [m for m in messages if m.conversation.customer_id not in refused]
    cleaned = {m.id: service.clean(m.text) for m in messages}
    known = set(await LearnedExample.filter(digest__in=[digest(t) for t in cleaned.values() if t])
                .values_list("digest", flat=True))
    items: list[ReviewItem] = []
    shown: list[int | None] = []
    for message in messages:
        text = cleaned[message.id]
        if not text or digest(text) in known:
            continue
        known.add(digest(text))  # the same words twice need one label
        match = service.matcher.classify(message.text)
        items.append(ReviewItem(message_id=message.id, conversation_id=message.conversation_id, text=text,
                                guess=match.intent, confidence=round(match.confidence, 3), decision=match.decision,
                                asked=message.intent == "unknown"))
        shown.append(message.conversation.customer_id)
        if len(items) >= REVIEW_LIMIT:
            break
    await archive.log_duty(reader, PART, [grants[customer_id] for customer_id in shown if customer_id in grants],
                          listed=True)
    return ReviewOut(items=items)


@endpoint("POST", "/api/intents/teach", body=TeachIn, response=TeachOut, tag="teaching", roles=TEACHERS,
          errors={400: "unknown intent (unknown_intent)", 403: "record not cleared (access_denied)",
                  404: "no such customer message of the caller's (no_such_message)"},
          summary="Confirm or correct the intent of a customer message: stored as a learned example (PII "
                  "stripped) and learned by every worker at once")
async def post_teach(request: web.Request, body: TeachIn) -> TeachOut:
    service = area_service(request, LEARNED)
    if body.intent not in service.matcher.intents:
        raise ApiError(400, "unknown_intent", f"unknown intent {body.intent!r}")
    message = await _reviewable(request[AGENT]).get_or_none(id=body.message_id).prefetch_related("conversation")
    if message is None:
        raise ApiError(404, "no_such_message", "no such customer message")
    await area_service(request, ARCHIVE).require_for_duty(_reader(request), message.conversation.customer_id, PART,
                                                          "teaching")
    guess = service.matcher.classify(message.text).intent
    result = await service.teach([Labelled(message.text, body.intent, guess)], source="console",
                                 agent=request[AGENT].name)
    match = service.matcher.classify(message.text)
    return TeachOut(added=result.added, relabelled=result.relabelled, unchanged=result.unchanged,
                    intent=match.intent, decision=match.decision)


ENDPOINTS = [get_labels, get_review, post_teach]
