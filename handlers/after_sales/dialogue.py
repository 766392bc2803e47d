"""The after-sales dialogue: fill in what a request lacks, check the order, file the case.

An after-sales intent starts the flow `after_sales`; its data remembers, across turns, the kind,
the order number (and whether it was verified), which item, what the customer wants instead
(exchange), photos sent before the case existed, and everything the customer said about the
problem (the case's description). Each message may answer anything, in any order: an order number,
an item by number or name, a size or colour, a photo, or a change of mind (another after-sales
intent switches the kind). 算了/取消 ends it politely, and so does "there is no order" (没有订单,
跟订单没关系) while the order number is asked. A complaint (投诉/维权) leaves the dialogue for the
complaints flow, which takes complaints with or without an order (docs/rules.md R-COMPLAINT-1..3):
the order number given and what was said go with it (`LEFT_FOR_COMPLAINT`). A message on another
topic is left to its handler and the dialogue waits.

The order must belong to the customer; otherwise the bot says it cannot find it under their account
and asks again, revealing nothing. When the order source does not answer, the request is kept in
the flow and retried by the scheduler (`RETRY_KIND`); the retry comes back through the dispatcher
as the event `after_sales_retry`, so it is answered under the conversation's lock like a message.
"""

from __future__ import annotations

import re
from datetime import timedelta
from functools import lru_cache

from bot.context import Context
from bot.events import Choice, Reply, Say
from bot.extract import compile_order_patterns, split_numbers
from bot.intent_areas import AreaIntents
from bot.templates import spec
from handlers.after_sales import logistics, lookups, policy
from handlers.after_sales.cases import open_key_of
from handlers.after_sales.desk import DESK
from handlers.after_sales.machine import KINDS
from handlers.after_sales.orders import OrderSourceUnavailable
from handlers.after_sales.settings import AfterSalesSettings
from handlers.after_sales.wording import case_fields, yuan
from models.order import Order

FLOW = "after_sales"
RETRY_KIND = "after_sales.retry"
RETRY_EVENT = "after_sales_retry"
INTENT_KINDS = {
    "after_sales.return": "return", "after_sales.exchange": "exchange", "after_sales.refund": "refund",
    "after_sales.damaged": "damaged", "after_sales.missing": "missing", "logistics.track": "track",
    "logistics.extend": "extend",
}
#: docs/rules.md R-ANSWER-5 (after-sales, then parcels, before other business) and R-ANSWER-6 (a bare case
#: number asks for its progress, a bare order number most likely for its parcel); a status keyword
#: (处理了吗, 退货*收到) makes a return/exchange/... message a progress question, not a money one.
AREA_INTENTS = AreaIntents(ranks={"after_sales.*": 2, "logistics.*": 3}, case_number="after_sales.progress",
                           order_number="logistics.track", status="after_sales.progress",
                           status_yields_to=("after_sales.refund",))
ITEM_KINDS = frozenset({"damaged", "missing", "exchange", "return", "refund"})
MONEY_KINDS = frozenset({"refund", "return"})
ESCALATIONS = {"rights": "rights_claim"}
#: The state key under which a dialogue left for a complaint hands on its order number and notes; the
#: complaints flow (handlers/complaints/dialogue.py `start`) reads it in the same turn only (`turn`).
LEFT_FOR_COMPLAINT = "after_sales_left"
#: The customer's last verified order, kept in the conversation's state once a dialogue ends (no flow
#: runs then), so that a question right after (查物流) needs no number again; only for these kinds, which
#: read and change nothing: filing a case on a remembered order would be a guess.
RECENT_ORDER = "after_sales_recent_order"
RECENT_ORDER_KINDS = frozenset({"track"})
#: "There is no order": the answer to the order question that ends it (and the complaints flow's "no order").
NO_ORDER = re.compile(r"(没有订单|没订单|不是订单的?问题|没下单|没买|没有单号|不涉及订单|[跟和]订单没关系|与订单无关)")
#: Read on the message as it came: its leading `\W*` skips punctuation and spaces (PUNCT's characters are
#: all non-word ones), so squeezing PUNCT out first, as it once did, changed no answer.
CANCEL = re.compile(r"^\W*(算了|取消|不用了|不办了|不弄了|先不用|不需要了|没事了)")
ACK = re.compile(r"^(好的?|嗯+|是的?|对的?|ok|行|可以|在吗?)$", re.IGNORECASE)
PUNCT = re.compile(r"[\s,，。.!！?？~、:：;；]+")
WANTED = re.compile(  # a size or colour: L码, 39的, 大一码, 白色
    r"([XSML]{1,4}码?|\d{2,3}(?:码|号|(?=的))|大一[码号]|小一[码号]|大码|小码"
    r"|[红橙黄绿青蓝紫黑白灰粉棕米咖藏]色)", re.IGNORECASE)
PICK = re.compile(r"^第?([1-9]|[一二三四五六七八九])(?:个|件|号|种|款|样)?$")
ALL_ITEMS = re.compile(r"(全部|都|整单|所有|一起)")
ORDINALS = "一二三四五六七八九"
#: Characters of an answer to "which item" that name no item (那个, 就是, 的, 我要).
FILLER = re.compile(r"[\W\d_a-zA-Z]|[那这哪个就是的了吧呢啊呀哦嗯我要想你们件款样种一]")
#: Answers to "which item" that name none, after which a person helps (R-ANSWER-2).
ITEM_TRIES = 2

SCRIPTS = (
    *(spec(f"after_sales.{kind}_ask") for kind in KINDS),
    *(spec(f"after_sales.filed_{kind}", "case_no", "order_no", "kind_label", "step", "next", "item", "amount")
      for kind in KINDS if kind not in ("track", "extend")),
    spec("after_sales.already_open", "case_no", "order_no", "kind_label", "step", "next"),
    spec("after_sales.order_not_found", "order_no"),
    spec("after_sales.ask_item", "order_no", "items"),
    spec("after_sales.item_line", "n", "name", "qty"),
    spec("after_sales.whole_order"),
    spec("after_sales.item_unclear", "order_no"),
    spec("after_sales.ask_wanted", "order_no", "item"),
    spec("after_sales.photo_kept"),
    spec("after_sales.dialogue_cancelled"),
    spec("after_sales.no_order"),
    spec("after_sales.order_source_busy", "order_no"),
    spec("after_sales.order_source_down", "order_no"),
)


@lru_cache(maxsize=8)
def _patterns(patterns: tuple[str, ...] | None):
    return compile_order_patterns(patterns)


def numbers(ctx: Context) -> tuple[str | None, str | None, str]:
    """(order no, case no, the rest of the text) with the shop's order-number patterns; `carry_on`
    splits a message once and hands the parts to `absorb`."""
    configured = ctx.services.settings.order_no_patterns
    return split_numbers(ctx.text, _patterns(tuple(configured) if configured else None))


async def start(ctx: Context, kind: str, parts: tuple[str | None, str | None, str] | None = None) -> Reply:
    parts = parts or numbers(ctx)
    recent = ctx.state.data.get(RECENT_ORDER) if ctx.state.flow is None else None
    ctx.state.start_flow(FLOW, kind=kind, notes=[], photos=[])
    if recent and kind in RECENT_ORDER_KINDS and not parts[0]:  # 查物流 right after giving the number
        ctx.state.data["order_no"] = recent
    absorb(ctx, parts)
    return await proceed(ctx)


def end_with(ctx: Context, order: Order) -> None:
    """End the dialogue, remembering its verified order for the next question (`RECENT_ORDER`)."""
    ctx.state.end_flow()
    ctx.state.data[RECENT_ORDER] = order.order_no


async def carry_on(ctx: Context) -> Reply | None:
    """The next message of a conversation in the dialogue; None leaves it to other handlers."""
    data, inbound, intent = ctx.state.data, ctx.inbound, ctx.match.intent
    if inbound.kind == "event":
        return await proceed(ctx) if inbound.event == RETRY_EVENT and data.get("waiting") else None
    if inbound.kind == "image":
        data["photos"].append({"url": inbound.media_url or "", "source_key": source_key(ctx)})
        reply = await proceed(ctx)
        reply.says.insert(0, Say("after_sales.photo_kept"))
        return reply
    if inbound.kind != "text":
        return None
    if CANCEL.match(ctx.text) and not ctx.match.case_no:
        ctx.state.end_flow()
        return Reply.say("after_sales.dialogue_cancelled")
    if intent in ("human", "after_sales.progress") or ctx.match.case_no:
        ctx.state.end_flow()  # a person, or another case: their handlers take it from here
        return None
    if intent == "complaint":
        leave_for_complaint(ctx)
        return None
    parts = numbers(ctx)
    if data.get("asked") == "order_no" and not parts[0] and NO_ORDER.search(ctx.text):
        ctx.state.end_flow()
        return Reply.say("after_sales.no_order")
    question = policy.topic(ctx) if data.get("asked") == "order_no" and not (parts[0] or parts[1]) else None
    if question is not None:  # 运费谁出 while the number is awaited: the policy, then the same question again
        reply = await proceed(ctx)
        reply.says.insert(0, Say(question))
        return reply
    switched = INTENT_KINDS.get(intent)
    answering = data.get("asked") in ("item", "wanted")
    if switched is None and intent != "unknown" and not parts[0] and not answering:
        return None  # another topic (an invoice, a greeting): its handler answers, the dialogue waits
    if switched and switched != data["kind"]:
        data["kind"] = switched
        data.pop("wanted", None)
    absorb(ctx, parts)
    return await proceed(ctx)


def leave_for_complaint(ctx: Context) -> None:
    """End the dialogue, keeping the order number and what was said for the complaints flow."""
    data = ctx.state.data
    carried = {"order_no": data.get("order_no"), "notes": list(data.get("notes", [])), "turn": ctx.state.turns}
    ctx.state.end_flow()
    ctx.state.data[LEFT_FOR_COMPLAINT] = carried


def absorb(ctx: Context, parts: tuple[str | None, str | None, str] | None = None) -> None:
    """Take whatever this message answers: order number, item, wanted size or colour, description
    (`parts`: the message's `numbers`, when the caller has split it already)."""
    data = ctx.state.data
    order_no, _, rest = parts or numbers(ctx)
    rest = PUNCT.sub(" ", rest).strip()
    if ctx.inbound.source_id:
        data["source_key"] = source_key(ctx)
    if order_no and order_no != data.get("order_no"):
        data["order_no"] = order_no
        data.pop("item", None)
    if data.get("asked") == "item" and data.get("items"):
        picked = pick_item(rest, data["items"])
        if picked is not None:
            data["item"] = picked
            return
        data["item_misses"] = data.get("item_misses", 0) + 1
    if data["kind"] == "exchange" and not data.get("wanted"):
        found = WANTED.search(rest)
        if found or data.get("asked") == "wanted":
            data["wanted"] = (found.group(1) if found else rest)[:64] or None
    if len(rest.replace(" ", "")) >= 2 and not ACK.match(rest):
        data["notes"].append(rest[:200])


def pick_item(text: str, names: list[str]) -> int | str | None:
    """Which item an answer names: a number (1, 第二个), all of them (都, 整单) or part of a name."""
    compact = PUNCT.sub("", text)
    found = PICK.match(compact)
    if found:
        digit = found.group(1)
        number = int(digit) if digit.isdigit() else ORDINALS.index(digit) + 1
        return number - 1 if number <= len(names) else None
    if ALL_ITEMS.search(compact):
        return "all"
    if len(compact) >= 2:
        for index, name in enumerate(names):
            if compact in name or name in compact:
                return index
    return _sharing_characters(compact, names)


def _sharing_characters(text: str, names: list[str]) -> int | None:
    """The one name sharing the most characters with the answer (盘子 → 北欧风餐盘四件套), leaving out
    words that name nothing (那个, 就是, 的); None when no name shares any or two share as many."""
    wanted = set(FILLER.sub("", text))
    scores = [len(wanted & set(name)) for name in names]
    best = max(scores, default=0)
    return scores.index(best) if best and scores.count(best) == 1 else None


async def proceed(ctx: Context) -> Reply:
    """Ask for the next missing piece, or act once everything is there."""
    data = ctx.state.data
    kind = data["kind"]
    if not data.get("order_no"):
        data["asked"] = "order_no"
        return Reply.say(f"after_sales.{kind}_ask")
    order = await verified_order(ctx)
    if isinstance(order, Reply):
        return order
    if kind in ("track", "extend"):
        end_with(ctx, order)
        return await (logistics.track if kind == "track" else logistics.extend)(ctx, order)
    if await lookups.filed(open_key_of(order.order_no, kind), data.get("source_key")) is not None:
        return await file_case(ctx, order)  # already open (or filed by this very message): said before asking more
    items = order.items or []
    data["items"] = [item["name"] for item in items]
    if kind in ITEM_KINDS and len(items) > 1 and data.get("item") is None:
        if data.get("asked") == "item" and data.get("item_misses") == ITEM_TRIES:
            ctx.state.end_flow()  # the person who helps answers from here (a flow would speak before them)
            reply = Reply.say("after_sales.item_unclear", order_no=order.order_no)
            reply.escalate = "unclear_twice"  # R-ANSWER-2
            return reply
        data["asked"] = "item"
        render = ctx.services.templates.render_safe
        lines = [render("after_sales.item_line", {"n": n, "name": i["name"], "qty": i["qty"]})
                 for n, i in enumerate(items, 1)]
        whole = render("after_sales.whole_order")  # ALL_ITEMS reads it as the whole order
        return Reply.say("after_sales.ask_item", order_no=order.order_no, items="\n".join(lines)).offer(
            *(Choice(str(n), line) for n, line in enumerate(lines, 1)), Choice(whole))
    if kind == "exchange" and not data.get("wanted"):
        data["asked"] = "wanted"
        return Reply.say("after_sales.ask_wanted", order_no=order.order_no,
                         item=item_label(ctx, chosen_item(data, order)))
    return await file_case(ctx, order)


async def verified_order(ctx: Context) -> Order | Reply:
    data = ctx.state.data
    order_no = data["order_no"]
    if data.get("verified") == order_no:
        known, _ = await lookups.order_for(order_no, ctx.identity.customer_id)
        if known is not None:
            return known
    try:
        order = await ctx.services[DESK].orders.find_owned(order_no, ctx.identity.customer_id)
    except OrderSourceUnavailable:
        return await wait_for_source(ctx, order_no)
    data.pop("waiting", None)
    if order is None:
        data.pop("order_no")
        data["asked"] = "order_no"
        return Reply.say("after_sales.order_not_found", order_no=order_no)
    data["verified"] = order_no
    return order


async def wait_for_source(ctx: Context, order_no: str) -> Reply:
    """Keep the request and try again later; the customer hears once, not on every retry."""
    data, settings = ctx.state.data, ctx.services[DESK].settings
    data["waiting"] = data.get("waiting", 0) + 1
    if data["waiting"] > settings.retry_times:
        ctx.state.end_flow()
        reply = Reply.say("after_sales.order_source_down", order_no=order_no)
        reply.escalate = "order_source_down"
        return reply
    due = ctx.services.clock.now() + timedelta(seconds=settings.retry_after_s)
    await ctx.services[DESK].scheduler.at(RETRY_KIND, ctx.inbound.conversation_key, due)
    if ctx.inbound.kind == "event":
        return Reply()
    return Reply.say("after_sales.order_source_busy", order_no=order_no)


async def file_case(ctx: Context, order: Order) -> Reply:
    data, desk = ctx.state.data, ctx.services[DESK]
    kind, customer_id = data["kind"], ctx.identity.customer_id
    item = chosen_item(data, order)
    requested = None
    if kind in MONEY_KINDS:
        requested = item["qty"] * item["price_fen"] if item else order.total_fen - order.refunded_fen
    escalation = escalation_for(desk.settings, kind, requested)
    filed_by = data.get("source_key")
    case, created = await desk.cases.file(
        order, kind, actor=f"customer:{customer_id}", customer_id=customer_id, item=item,
        description="；".join(data["notes"]), wanted=data.get("wanted"), requested_fen=requested,
        source_key=filed_by, escalation=escalation,
    )
    for photo in data.get("photos", []):
        await desk.cases.attach_photo(case, photo["url"], photo["source_key"], f"customer:{customer_id}")
    end_with(ctx, order)
    fields = case_fields(case, order.order_no, ctx.services.templates)
    if not created and not (filed_by and case.source_key == filed_by):
        return Reply.say("after_sales.already_open", **fields)
    reply = Reply.say(f"after_sales.filed_{kind}", **fields, item=item_label(ctx, item), amount=yuan(requested))
    reply.escalate = escalation  # the handoff area tells the customer when a person takes over
    return reply


def escalation_for(settings: AfterSalesSettings, kind: str, requested_fen: int | None) -> str | None:
    """Which requests go straight to a person: configured kinds, and refunds above the limit."""
    if kind in settings.human_kinds:
        return ESCALATIONS.get(kind, f"after_sales_{kind}")
    if requested_fen is not None and requested_fen > settings.refund_to_human_over_fen:
        return "refund_over_limit"
    return None


def chosen_item(data: dict, order: Order) -> dict | None:
    """The item the customer picked, the only one there is, or None for the whole order."""
    items, picked = order.items or [], data.get("item")
    if isinstance(picked, int) and picked < len(items):
        return items[picked]
    return items[0] if len(items) == 1 else None


def item_label(ctx: Context, item: dict | None) -> str:
    return item["name"] if item else ctx.services.templates.render_safe("after_sales.whole_order")


def source_key(ctx: Context) -> str:
    inbound = ctx.inbound
    return f"{inbound.channel}:{inbound.source_id or inbound.media_url}"
