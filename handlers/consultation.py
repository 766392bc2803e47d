"""Consultations answered from the shop's templates: greetings, shop questions, and "not sure".

One template per intent (docs/rules.md R-ANSWER-1); the first reply of a visit opens with the greeting
(问候语, R-TIME-1), whichever area answers: the dispatcher puts it there (bot/dispatcher.py
`greet_visit`). Below the confidence threshold the dispatcher routes a message as `unknown`: the bot
asks what the customer needs (征询语) instead of guessing, and the second unclear message in a row
escalates to a person.
"""

from __future__ import annotations

from bot.context import Context
from bot.events import Choice, Reply
from bot.extension import Extension
from bot.intent_areas import AreaIntents
from bot.router import Router
from bot.templates import spec

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
UNCLEAR_BEFORE_ESCALATION = 2
WELCOME_PICKS = ("consultation.welcome_pick_track", "consultation.welcome_pick_shipping",
                 "consultation.welcome_pick_return")

SCRIPTS = (
    spec("consultation.greeting"),
    spec("consultation.welcome"),
    *(spec(key) for key in WELCOME_PICKS),
    spec("consultation.clarify"),
    spec("consultation.unclear_escalate"),
    spec("consultation.media_received"),
    spec("consultation.location_received"),
    *(spec(key, "order_no") for key in ANSWERS.values()),
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
    order_no = ctx.match.order_no or ""
    return Reply.say(ANSWERS[ctx.match.intent], order_no=order_no)


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
