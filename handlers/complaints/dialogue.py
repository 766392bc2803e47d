"""The complaint dialogue in the chat: soothe, collect, check the order, register (docs/rules.md R-COMPLAINT-1..4).

The `complaint` intent (or a staff member marking the conversation) starts the flow `complaint`;
a complaint said in an after-sales dialogue brings along the order number and what the customer
said there (handlers/after_sales/dialogue.py `LEFT_FOR_COMPLAINT`).
The bot soothes first (an apology only when the words show the shop's own fault, R-WORDS-3), then
asks for what is still missing, in this order: what happened, which order (or none), the outcome
the customer wants, how to reach them. One message may answer several at once and in any order;
算了/不投诉了 cancels. The order must exist and belong to the customer; otherwise the bot says it
cannot find it under their account and asks again once, revealing nothing (找不到了/不知道 then mean
no order), and after a second wrong number goes on without one. A refusal of calls (别再打了, or
不想留 when asked for a phone) is the contact `NO_PHONE`: the chat only. Once everything is there the
complaint is registered (`ComplaintDesk.register`), the customer hears its number and when they
will hear back, and the conversation goes to a person (escalation `complaint`). Whether a person
holds the conversation is the handoff area's holder, read with the state (no query per message).

While the flow runs, words that make a complaint major (media, 12315, protest, a demand to return)
are noted and passed to the desk with the registration.
"""

from __future__ import annotations

from functools import lru_cache

from bot.context import Context
from bot.events import Reply, Say
from bot.extract import compile_order_patterns, split_numbers
from bot.phones import normal_phone
from bot.templates import spec
from handlers.after_sales.dialogue import LEFT_FOR_COMPLAINT, NO_ORDER
from handlers.after_sales.orders import owned_order
from handlers.complaints.desk import COMPLAINTS, Draft
from handlers.complaints.service import NO_PHONE
from handlers.complaints.words import (
    ACK,
    CANCEL,
    CONTACT_REFUSED,
    ORDER_UNKNOWN,
    OUTCOME,
    OUTCOME_ALONE,
    PHONE,
    SAME_CONTACT,
    TRIGGER,
    category_of,
    major_reasons,
    only_refuses_calls,
    refuses_calls,
    shop_at_fault,
)
from handlers.handoff.service import HANDOFF
from models.agent import Agent
from models.customer import Customer
from models.order import Order

FLOW = "complaint"
MIN_CONTENT_CHARS = 4
ASKS = ("content", "order", "outcome", "contact")
#: Wrong order numbers (not found, or not the customer's) after which the complaint goes on without one.
ORDER_TRIES = 2

SCRIPTS = (
    spec("complaints.soothe"),
    spec("complaints.soothe_sorry"),
    *(spec(f"complaints.ask_{slot}") for slot in ASKS),
    spec("complaints.order_not_found", "order_no"),
    spec("complaints.order_skipped", "order_no"),
    spec("complaints.registered", "number", "reply_by"),
    spec("complaints.registered_no_call", "number", "reply_by"),
    spec("complaints.added", "number", "reply_by"),
    spec("complaints.cancelled"),
)


@lru_cache(maxsize=8)
def _patterns(patterns: tuple[str, ...] | None):
    return compile_order_patterns(patterns)


def start_data() -> dict:
    return {"notes": [], "texts": []}


def opening(at_fault: bool) -> Say:
    return Say("complaints.soothe_sorry" if at_fault else "complaints.soothe")


async def start(ctx: Context) -> Reply:
    carried = ctx.state.data.get(LEFT_FOR_COMPLAINT) if ctx.state.flow is None else None
    ctx.state.start_flow(FLOW, **start_data())
    if carried and carried.get("turn") == ctx.state.turns:  # said in an after-sales dialogue just left
        ctx.state.data["notes"].extend(carried["notes"])
        if carried["order_no"]:
            ctx.state.data["order_no"] = carried["order_no"]
    absorb(ctx)
    reply = await proceed(ctx)
    reply.says.insert(0, opening(shop_at_fault(ctx.text)))
    return reply.tagged("complaint")


async def carry_on(ctx: Context) -> Reply | None:
    """The next message of a conversation in the dialogue; None leaves it to other handlers."""
    if ctx.inbound.kind != "text":
        return None
    holder = await ctx.services[HANDOFF].queue.holder(ctx.inbound.conversation_key, ctx.stored)
    if holder is not None and holder.status == "handoff":  # a person holds it now: they take it from here
        ctx.state.end_flow()
        return None
    if ctx.match.intent == "human" and not refuses_calls(ctx.text):  # 别再打了 is an answer, not a call for one
        return None  # the handoff answers; the dialogue waits
    if CANCEL.search(ctx.text):
        ctx.state.end_flow()
        return Reply.say("complaints.cancelled").tagged("complaint")
    absorb(ctx)
    return (await proceed(ctx)).tagged("complaint")


def absorb(ctx: Context) -> None:
    """Take whatever this message answers: order number, phone, desired outcome, what happened."""
    data = ctx.state.data
    configured = ctx.services.settings.order_no_patterns
    order_no, _, rest = split_numbers(ctx.text, _patterns(tuple(configured) if configured else None))
    data["texts"].append(ctx.text[:500])
    if ctx.inbound.source_id:
        data["source_key"] = f"{ctx.inbound.channel}:{ctx.inbound.source_id}"
    if order_no and PHONE.fullmatch(order_no):  # +8613800138000 reads as an order number: it is the phone
        rest, order_no = f"{rest} {order_no}", None
    if order_no:
        data["order_no"] = order_no
    elif NO_ORDER.search(rest):
        data["order_no"] = ""
        rest = NO_ORDER.sub(" ", rest)
    elif data.get("asked") == "order" and ORDER_UNKNOWN.match(rest):
        data["order_no"] = ""
        rest = ""
    phone, same_contact = PHONE.search(rest), SAME_CONTACT.search(rest)
    if phone:
        data["contact"] = normal_phone(phone.group(0))
        rest = rest.replace(phone.group(0), " ")
    elif refuses_calls(rest):  # the customer refused calls: the chat only, whatever they gave before
        data["contact"] = NO_PHONE
        # their words are kept as written; only a refusal alone ("我要投诉，别给我打电话") tells nothing that happened
        rest = "" if only_refuses_calls(TRIGGER.sub(" ", rest)) else rest
    elif data.get("asked") == "contact" and CONTACT_REFUSED.match(rest):
        data["contact"] = NO_PHONE
        rest = ""
    elif same_contact or (data.get("asked") == "contact" and ACK.match(rest.strip())):
        data["contact"] = ctx.inbound.channel
        rest = SAME_CONTACT.sub(" ", rest)
    outcome = OUTCOME.search(rest)
    if outcome and not data.get("outcome"):
        data["outcome"] = outcome.group(0).strip()[:200]
        rest = rest.replace(outcome.group(0), " ")
    elif OUTCOME_ALONE.match(rest) and not data.get("outcome"):
        data["outcome"] = rest.strip()[:200]
        rest = ""
    elif data.get("asked") == "outcome" and len(rest.strip()) >= 2 and not data.get("outcome") \
            and not ((phone or same_contact) and len(rest.strip()) < MIN_CONTENT_CHARS):
        # ... but not the few characters a contact leaves behind (电话是 of 电话是138…, a 里聊)
        data["outcome"] = rest.strip()[:200]
        rest = ""
    rest = TRIGGER.sub(" ", rest).strip()
    if len(rest) >= MIN_CONTENT_CHARS and not ACK.match(rest):
        data["notes"].append(rest[:500])


async def proceed(ctx: Context) -> Reply:
    data = ctx.state.data
    if sum(len(note) for note in data["notes"]) < MIN_CONTENT_CHARS:
        data["asked"] = "content"
        return Reply.say("complaints.ask_content")
    if "order_no" not in data:
        data["asked"] = "order"
        return Reply.say("complaints.ask_order")
    order = None
    if data["order_no"]:
        order = await owned_order(data["order_no"], ctx.identity.customer_id)
        if order is None:
            missing = data.pop("order_no")
            data["order_misses"] = data.get("order_misses", 0) + 1
            if data["order_misses"] < ORDER_TRIES:
                data["asked"] = "order"
                return Reply.say("complaints.order_not_found", order_no=missing)
            data["order_no"] = ""  # asked again once: recorded without an order (a later number still counts)
            reply = await proceed(ctx)
            reply.says.insert(0, Say("complaints.order_skipped", {"order_no": missing}))
            return reply
    if not data.get("outcome"):
        data["asked"] = "outcome"
        return Reply.say("complaints.ask_outcome")
    if not data.get("contact"):
        data["asked"] = "contact"
        return Reply.say("complaints.ask_contact")
    return await register(ctx, order)


async def register(ctx: Context, order: Order | None) -> Reply:
    data, desk = ctx.state.data, ctx.services[COMPLAINTS]
    customer_id = ctx.identity.customer_id
    content = "；".join(data["notes"])
    category = category_of(content)
    accused = await accused_agent(customer_id, category)
    complaint, created = await desk.register(Draft(
        customer_id=customer_id, channel=ctx.inbound.channel, actor=f"customer:{customer_id}", content=content,
        contact=data["contact"], desired_outcome=data["outcome"], order=order, category=category,
        conversation_id=ctx.identity.conversation_id, accused_agent_id=accused, source_key=data.get("source_key"),
        major_reasons=major_reasons(" ".join(data["texts"])),
    ))
    ctx.state.end_flow()
    retried = complaint.source_key is not None and complaint.source_key == data.get("source_key")
    key = "complaints.registered" if created or retried else "complaints.added"
    if data["contact"] == NO_PHONE and key == "complaints.registered":
        key = "complaints.registered_no_call"
    reply = Reply.say(key, number=complaint.number, reply_by=desk.local(complaint.reply_by))
    reply.escalate = "complaint"  # the handoff area says who takes it, or when someone will
    return reply


async def accused_agent(customer_id: int, category: str) -> int | None:
    """A service complaint is about the person who served the customer last, if any."""
    if category != "service":
        return None
    last_agent_id = await Customer.get(id=customer_id).values_list("last_agent_id", flat=True)
    if last_agent_id is None or not await Agent.filter(id=last_agent_id).exists():
        return None
    return last_agent_id
