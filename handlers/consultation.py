"""Consultations answered from the shop's templates: greetings, shop questions, and "not sure".

One template per situation (docs/rules.md R-ANSWER-1): an intent's own template, or the template of the
first of its topics (scripts_zh/topics.yaml, docs/consultation.md) whose word the message contains,
as 包邮吗 within `promotion`. The first reply of a visit opens with the greeting (问候语, R-TIME-1),
whichever area answers: the dispatcher puts it there (bot/dispatcher.py `greet_visit`). Below the
confidence threshold the dispatcher routes a message as `unknown`: the bot asks what the customer needs
(征询语) instead of guessing, and the second unclear message in a row escalates to a person.
"""

from __future__ import annotations

from pathlib import Path

from bot.context import Context
from bot.errors import TemplateError
from bot.events import Choice, Reply
from bot.extension import Extension
from bot.intent_areas import AreaIntents
from bot.router import Router
from bot.templates import spec
from handlers.topics import SHIPPED, Choices, area_data, first_choice, template_choices

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


def topics_of(directory: Path, intent: str) -> Choices:
    """The topics of one intent of ANSWERS in `directory`'s topics file: (template name, words) in order."""
    section = area_data(directory, TOPICS_AREA) or {}
    if not isinstance(section, dict):
        raise TemplateError(f"topics.yaml: {TOPICS_AREA}: expected a mapping of intents to their topics")
    return template_choices(section.get(intent), f"{TOPICS_AREA}.{intent}")


def topic_templates(directory: Path) -> list[str]:
    """Every topic's template key, each intent's topics checked (an intent must be one of ANSWERS)."""
    section = area_data(directory, TOPICS_AREA) or {}
    unknown = sorted(set(section) - ANSWERS.keys()) if isinstance(section, dict) else []
    if unknown:
        raise TemplateError(f"topics.yaml: {TOPICS_AREA}: not an intent answered here: {', '.join(unknown)}")
    return [f"consultation.{name}" for intent in ANSWERS for name, _ in topics_of(directory, intent)]


SCRIPTS = (
    spec("consultation.greeting"),
    spec("consultation.welcome"),
    *(spec(key) for key in WELCOME_PICKS),
    spec("consultation.clarify"),
    spec("consultation.unclear_escalate"),
    spec("consultation.media_received"),
    spec("consultation.location_received"),
    *(spec(key, "order_no") for key in (*ANSWERS.values(), *topic_templates(SHIPPED))),
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
    topic = first_choice(ctx.text, topics_of(ctx.services.settings.scripts_dir, intent))
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
extension = Extension("consultation", router=router, scripts=SCRIPTS, intents=INTENTS)
