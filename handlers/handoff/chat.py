"""The chat side of the handoff: asking for a person, VIPs, messages while a person holds the
conversation, and the message a customer leaves (留言) when nobody can take it now. Complaints are
registered by the complaints area first, which then escalates them here (docs/rules.md R-COMPLAINT-3).

A bare 取消 means what the conversation's state makes cancellable: in a dialogue, that dialogue's own
cancel (its flow answers first); waiting in the queue (or offered a 留言 there), leaving the queue, with
a confirmation; with nothing pending, a question what to cancel (a refund or return, or a complaint),
acting on nothing. Other words to leave the queue (不排了, 不等了, 取消转人工) count only while queued, and only
as the whole message (polite words aside); in a longer message they are part of a request or a 留言.

A 留言 is taken only where the bot offered one (nobody online, outside staffed hours, a long wait: docs/rules.md
R-TIME-7), and only for a message for the staff: one the bot has no answer for, or one the customer marks
as a 留言 (`MARKED_MESSAGE`). A question the bot answers is answered, the customer keeps their place in the
queue and the offer stands (the queue messages promise 等待期间有问题也可以先问我). The offer lapses after
`OFFER_LAPSES_AFTER_S` of silence in the conversation (docs/handoff-sla.md)."""

from __future__ import annotations

import re

from bot.context import Context
from bot.events import SESSION_ENDED_BY_PERSON, Reply
from bot.router import Router
from bot.templates import spec
from handlers.handoff.service import HANDOFF, LEAVE_MESSAGE
from models.message import Message

router = Router("handoff")
#: A customer who writes only this to the holder is done: the conversation wraps up (takes no place).
CLOSING_INTENTS = frozenset({"thanks", "goodbye"})
#: 取消 and nothing else: what it cancels depends on the state.
CANCEL_ALONE = re.compile(r"^\W*(我要|我想|帮我|请)?(取消|撤销)(一下|吧|了|掉)?\W*$")
#: Leaving the queue in so many words (read only while queued), as the whole message: "物流太慢了我不等了，
#: 帮我登记退款" is a request, not the command.
LEAVE_QUEUE = re.compile(r"^\W*(算了|好吧|那|那就|还是)?\W*(我)?(取消排队|不排了|不排队了|不等了|取消转人工|"
                         r"不用转人工了?|不转人工了|不要人工了)(吧|了|啊|呀|哈|哦)?\W*(谢谢)?\W*$")

#: A 留言 offer lapses once the conversation was silent this long (neither the customer nor anyone to them:
#: `_offer_lapsed`): a message after that is answered as any other, not filed for the staff.
OFFER_LAPSES_AFTER_S = 30 * 60
#: A message the customer writes as a 留言 in so many words ("留言：…", "给客服留言，…"), with something after it:
#: taken as the 留言 whatever else it names (while the offer stands).
MARKED_MESSAGE = re.compile(r"^\W*(我要|我想|帮我|请)?(给(客服|人工|你们)?)?留(个|一下|一条)?言"
                            r"(\s*[:：,，。、!！~]\s*|\s+)\S")

SCRIPTS = (
    spec("handoff.queued", "position", "wait_minutes"),
    spec("handoff.assigned", "agent_name"),
    spec("handoff.closed_hours", "back_at"),
    spec("handoff.offer_message", "reply_by"),
    spec("handoff.message_taken", "reply_by"),
    spec("handoff.auto_greeting", "agent_name"),
    spec("handoff.holding"),
    spec("handoff.closing_ack"),
    spec("handoff.reassigning", "agent_name"),
    spec("handoff.nobody_online", "reply_by"),
    spec("handoff.nobody_free", "reply_by"),
    spec("handoff.default_nickname"),
    spec("handoff.handed_back"),
    spec("handoff.closed_idle"),
    spec("handoff.transferred", "agent_name"),
    spec("handoff.queue_cancelled"),
    spec("handoff.cancel_what"),
)


def escalate(reason: str, reply: Reply | None = None) -> Reply:
    reply = reply or Reply()
    reply.escalate = reason
    return reply


@router.flow(LEAVE_MESSAGE)
async def leave_message(ctx: Context) -> Reply | None:
    handoff = ctx.services[HANDOFF]
    holder = await handoff.queue.holder(ctx.inbound.conversation_key, ctx.stored)
    if holder is not None and holder.status == "handoff":  # a person took it meanwhile: they answer
        ctx.state.end_flow()
        return None
    if await _offer_lapsed(ctx):  # an ordinary message now
        ctx.state.end_flow()
        return None
    if ctx.inbound.kind != "text" or ctx.match.intent == "human":
        return None
    if _leaves_queue(ctx.text):  # not a 留言: the customer gives up waiting
        ctx.state.end_flow()
        return await _leave_queue(ctx)
    if ctx.match.intent != "unknown" and not MARKED_MESSAGE.match(ctx.text):
        return None  # a question the bot answers: answered; the place in the queue and the offer are kept
    promised = await handoff.leave_message(ctx, ctx.text)
    ctx.state.end_flow()
    return Reply.say("handoff.message_taken", reply_by=handoff.local(promised)).tagged("leave_message")


@router.every_message()
async def person_holds_or_vip(ctx: Context) -> Reply | None:
    """While a person holds the conversation the bot stays quiet and starts the reply clock."""
    if ctx.inbound.event == SESSION_ENDED_BY_PERSON:
        return None  # not the customer writing: `ended_by_person` below
    handoff = ctx.services[HANDOFF]
    holder = await handoff.queue.holder(ctx.inbound.conversation_key, ctx.stored)
    if holder is not None and holder.status == "handoff":
        closing = ctx.inbound.kind == "text" and ctx.match.intent in CLOSING_INTENTS
        await handoff.customer_wrote(holder.conversation_id, ctx.text or ctx.inbound.kind, ctx.once_recorded.append,
                                     closing=closing)
        return Reply().tagged("handoff")
    if holder is None and ctx.state.turns == 0 and ctx.identity.vip and ctx.services.settings.vip_to_human:
        return escalate("vip")
    if ctx.inbound.kind == "text" and ctx.state.flow is None:
        if holder is not None and _leaves_queue(ctx.text):
            return await _leave_queue(ctx)
        if holder is None and CANCEL_ALONE.match(ctx.text):
            return Reply.say("handoff.cancel_what").tagged("cancel")
    return None


async def _offer_lapsed(ctx: Context) -> bool:
    """Whether the conversation was silent `OFFER_LAPSES_AFTER_S`: the customer wrote nothing
    (`ConversationState.seen_at`) and nothing was said to them (a timer's offer, a person's last answer
    before a reassignment's offer) for that long. The database is asked only after the customer's silence."""
    now = ctx.services.clock.time()
    silence = ctx.state.silent_for(now)
    if silence is None or silence < OFFER_LAPSES_AFTER_S:
        return False
    said = await Message.filter(conversation_id=ctx.identity.conversation_id, direction="out").order_by(
        "-id").first().values_list("created_at", flat=True)
    return said is None or now - said.timestamp() >= OFFER_LAPSES_AFTER_S


def _leaves_queue(text: str) -> bool:
    return bool(CANCEL_ALONE.match(text) or LEAVE_QUEUE.match(text))


async def _leave_queue(ctx: Context) -> Reply:
    """The customer cancels the transfer they are waiting for: back to the bot, the consoles told; when it
    was no longer queued (taken meanwhile, or never), what to cancel is asked instead."""
    queue = ctx.services[HANDOFF].queue
    left = await queue.leave_queue(ctx.identity.conversation_id)
    if left is None:
        return Reply.say("handoff.cancel_what").tagged("cancel")
    await queue.left_queue(left)
    return Reply.say("handoff.queue_cancelled").tagged("handoff.cancelled")


@router.event(SESSION_ENDED_BY_PERSON)
async def ended_by_person(ctx: Context) -> Reply:
    """The person who served the customer outside the bot ended the session: back to the bot, quietly
    (the platform has told the customer; docs/rules.md R-HANDOFF-7)."""
    await ctx.services[HANDOFF].ended_elsewhere(ctx.inbound.conversation_key)
    return Reply().tagged("handoff")


@router.intent("human")
async def to_human(ctx: Context) -> Reply:
    return escalate("human_requested")

