"""Consultations answered from the shop's templates: greetings, shop questions, and "not sure".

One template per situation (docs/rules.md R-ANSWER-1): an intent's own template, or the template of the
first of its topics (scripts_zh/topics.yaml, docs/consultation.md) whose word the message contains,
as 包邮吗 within `promotion`. The first reply of a visit opens with the greeting (问候语, R-TIME-1),
whichever area answers: the dispatcher puts it there (bot/dispatcher.py `greet_visit`). Below the
confidence threshold the dispatcher routes a message as `unknown`: the bot asks what the customer needs
(征询语) instead of guessing, and the second unclear message in a row escalates to a person.
"""

from __future__ import annotations

from typing import Any

from bot.context import Context
from bot.errors import TemplateError
from bot.events import Choice, Reply
from bot.extension import Extension
from bot.intent_areas import AreaIntents
from bot.router import Router
from bot.templates import spec
from handlers import topics
from handlers.topics import Choices, first_choice, template_choices

router = Router("consultation")

#: Intents answered by one template each, keyed by intent; the template may use {order_no}.
ANSWERS = {
    "thanks": "consultation.thanks",
    "goodbye": "consultation.goodbye",
    "shipping.when": "consultation.shipping_when",
    "address.change": "consultation.address_change",
    "product.consult": "consultation.product",
    "promotion": "consultation.promotion",
    "invoice": "consultation.invoice",
    "payment": "consultation.payment",
    "membership": "consultation.membership",
}
#: The section of scripts_zh/topics.yaml with the intents' topics (their templates are in consultation.yaml).
TOPICS_AREA = "consultation"
UNCLEAR_BEFORE_ESCALATION = 2
WELCOME_PICKS = ("consultation.welcome_pick_track", "consultation.welcome_pick_shipping",
                 "consultation.welcome_pick_return")


def topic_templates(section: Any) -> list[str]:
    """Every topic's template key in the section (a mapping of intents of ANSWERS to their topics, or
    None); TemplateError naming the entry when it has another shape."""
    if section is None:
        return []
    if not isinstance(section, dict):
        raise TemplateError(f"topics.yaml: {TOPICS_AREA}: expected a mapping of intents to their topics")
    unknown = sorted(map(str, set(section) - ANSWERS.keys()))
    if unknown:
        raise TemplateError(f"topics.yaml: {TOPICS_AREA}: not an intent answered here: {', '.join(unknown)}")
    return [f"consultation.{name}" for choices in topics_by_intent(section).values() for name, _ in choices]


def topics_by_intent(section: Any) -> dict[str, Choices]:
    """Each intent's topics in the section (checked by `topic_templates`)."""
    return {intent: template_choices(listed, f"{TOPICS_AREA}.{intent}") for intent, listed in (section or {}).items()}


topics.register(TOPICS_AREA, topic_templates)

#: The templates the shipped topics name (a shop's own directory is checked against its templates by `topics.check`).
SHIPPED_TOPICS = topic_templates(topics.section(topics.SHIPPED, TOPICS_AREA))
SCRIPTS = (
    spec("consultation.greeting"),
    spec("consultation.welcome"),
    *(spec(key) for key in WELCOME_PICKS),
    spec("consultation.clarify"),
    spec("consultation.unclear_escalate"),
    spec("consultation.media_received"),
    spec("consultation.location_received"),
    *(spec(key, "order_no") for key in (*ANSWERS.values(), *SHIPPED_TOPICS)),
)


@router.intent("greeting")
async def greet(ctx: Context) -> Reply:
    return Reply.say("consultation.greeting")


@router.event("subscribe", "enter_session")
async def welcome(ctx: Context) -> Reply:
    """The welcome's text names what the bot does; where the channel has buttons, the commonest
    questions are one tap away (each is exactly what the customer would type)."""
    render = ctx.services.templates.render_safe
    picks = (Choice(render(key)) for key in WELCOME_PICKS)
    return Reply.say("consultation.welcome").tagged("greeting").offer(*picks)


@router.intent(*ANSWERS)
async def answer(ctx: Context) -> Reply:
    intent = ctx.match.intent
    services = ctx.services
    by_intent = topics.area_data(services.settings.scripts_dir, TOPICS_AREA, services.templates, topics_by_intent)
    topic = first_choice(ctx.text, by_intent.get(intent, ()))
    key = f"consultation.{topic}" if topic else ANSWERS[intent]
    return Reply.say(key, order_no=ctx.match.order_no or "")


@router.intent("unknown")
async def unclear(ctx: Context) -> Reply:
    ctx.state.unknown_streak += 1
    if ctx.state.unknown_streak >= UNCLEAR_BEFORE_ESCALATION:
        ctx.state.unknown_streak = 0
        reply = Reply.say("consultation.unclear_escalate")
        reply.escalate = "unclear_twice"
        return reply
    return Reply.say("consultation.clarify")


@router.media("image", "voice", "video", "shortvideo", "link", "file")
async def media(ctx: Context) -> Reply:
    return Reply.say("consultation.media_received").tagged("media")


@router.media("location")
async def location(ctx: Context) -> Reply:
    return Reply.say("consultation.location_received").tagged("location")


#: docs/rules.md R-ANSWER-5: social words come after every business intent, and yield to a business
#: part of the same message; `unknown` comes last.
INTENTS = AreaIntents(ranks={"goodbye": 5, "thanks": 6, "greeting": 7, "unknown": 8},
                      social=("greeting", "thanks", "goodbye"))
extension = Extension("consultation", router=router, scripts=SCRIPTS, intents=INTENTS, data_check=topics.check)
