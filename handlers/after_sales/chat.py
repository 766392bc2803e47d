"""The after-sales router: which messages start or continue the dialogue, progress questions, photos.

- After-sales and logistics intents start the dialogue (`dialogue.start`); the flow gets the next
  message first (`dialogue.carry_on`). An order number alone asks where that parcel is (R-ANSWER-6),
  and a 查件 right after it needs no number again (`dialogue.RECENT_ORDER`).
- A policy question within returns and exchanges (七天无理由吗) is answered with the shop's policy and
  an offer to start the request (`policy`); a request or an order number starts it as before.
- `after_sales.progress` and "售后单 AS…" answer with the case's step and what happens next; without a
  case number, the cases of the order named, or the customer's open cases. "取消 AS…" cancels a case
  the customer owns while that is still allowed (before the goods are back with the shop). A case
  number in any after-sales request (取消 AS… reads as a refund) is the case acted on, before any
  other answer; one that is not the customer's is "not found".
- A photo outside the dialogue attaches to the open case that asked for photos and has none yet
  (PHOTO_KINDS); when several do, it is kept on the most recently touched of them and the bot asks
  whether it belongs to another (flow `after_sales_photo`: a number or a case number moves it; no
  message loses it); when none does, to the most recently touched open case. With no open case the
  consultation area answers it.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from bot.context import Context
from bot.events import Choice, Reply
from bot.router import Router
from bot.templates import spec
from handlers.after_sales import dialogue, lookups, policy
from handlers.after_sales.desk import DESK
from handlers.after_sales.machine import OPEN_STATES, TransitionError
from handlers.after_sales.orders import owned_by
from handlers.after_sales.wording import case_fields
from models.case import AfterSalesCase, CasePhoto

router = Router("after_sales")

#: A case named with a cancelling verb is cancelled (取消 AS…); 不要了, 不用了 and 算了 cancel only when they
#: are all the message says beside the case number: in "AS… 东西我不要了 退款什么时候到账" they are about the item.
CANCEL_CASE = re.compile(r"取消|撤销|撤回")
WITHDRAWN_ALONE = re.compile(r"(这个|这单|那个|售后单?|申请)?我?(不要了|不用了|算了|不办了)(吧|哈|啊|呀|哦)?")
MAX_LISTED = 3
#: What may stand beside an order number sent alone: nothing, or words that only name it (我的订单号是).
ORDER_WORDS = re.compile(r"((我的|这个|我)?(订单|单号|订单号|订单编号)(是|为)?)?")
#: The kinds whose filing asks the customer for photos (scripts_zh/after_sales.yaml `filed_damaged`).
PHOTO_KINDS = frozenset({"damaged"})
#: Waiting for "is this photo for another case" when several cases wait for photos (the photos are kept
#: on the most recently touched one meanwhile); an answer later than PHOTO_QUESTION_TTL is not taken as
#: one (a customer back the next day says something new).
PHOTO_FLOW = "after_sales_photo"
PHOTO_QUESTION_TTL = timedelta(hours=2)
CASE = ("case_no", "order_no", "kind_label", "step", "next")

SCRIPTS = (
    spec("after_sales.progress", *CASE),
    spec("after_sales.progress_line", *CASE),
    spec("after_sales.progress_list", "count", "lines"),
    spec("after_sales.progress_ask"),
    spec("after_sales.case_not_found", "case_no"),
    spec("after_sales.case_cancelled", *CASE),
    spec("after_sales.case_cancel_late", *CASE),
    spec("after_sales.photo_attached", *CASE),
    spec("after_sales.photo_which", "lines", *CASE),
    spec("after_sales.photo_case_line", "n", *CASE),
    spec("after_sales.photo_which_again", *CASE),
    spec("after_sales.photo_which_remind", *CASE),
)


@router.flow(dialogue.FLOW)
async def in_dialogue(ctx: Context) -> Reply | None:
    return await dialogue.carry_on(ctx)


@router.intent(*dialogue.INTENT_KINDS)
async def request(ctx: Context) -> Reply:
    kind = dialogue.INTENT_KINDS[ctx.match.intent]
    parts = dialogue.numbers(ctx)
    if parts[1]:  # "取消 AS…", "AS… 退款怎么还没到": that case, whoever's words fit the request
        return await _named_case(ctx, parts[1])
    question = policy.answer(ctx, parts[0], parts[1])
    if question is not None:  # 七天无理由吗: the shop's policy and an offer, not a filing
        return question
    if kind == "refund" and not parts[0]:
        open_money = [c for c in await ctx.services[DESK].cases.open_cases(ctx.identity.customer_id)
                      if c.kind in dialogue.MONEY_KINDS]
        if open_money:  # "退款怎么还没到" with a return or refund already under way: where it stands
            return _describe(ctx, open_money[0]).tagged("after_sales.progress")
    return await dialogue.start(ctx, kind, parts)


@router.every_message()
async def order_number_alone(ctx: Context) -> Reply | None:
    """R-ANSWER-6: an order number sent alone (or as 订单号 E…) outside any dialogue asks where that
    parcel is. The matcher keeps such a message below the threshold on purpose (inside a dialogue it
    answers the order question), so it comes here as `unknown`; anything else passes on. Right after a
    policy answer offered a return or an exchange (`policy.take_offer`), the number starts that instead."""
    offered = policy.take_offer(ctx)
    if ctx.match.intent != "unknown" or not ctx.match.order_no or ctx.state.flow is not None:
        return None
    parts = dialogue.numbers(ctx)
    if not parts[0] or not ORDER_WORDS.fullmatch(dialogue.PUNCT.sub("", parts[2])):
        return None
    if offered:
        return (await dialogue.start(ctx, offered, parts)).tagged(f"after_sales.{offered}")
    return (await dialogue.start(ctx, "track", parts)).tagged("logistics.track")


@router.intent("after_sales.progress")
async def progress(ctx: Context) -> Reply:
    desk, customer_id = ctx.services[DESK], ctx.identity.customer_id
    order_no, case_no, _ = dialogue.numbers(ctx)
    if case_no:
        return await _named_case(ctx, case_no)
    order = await lookups.owned_order(order_no, customer_id) if order_no else None
    if order is not None:
        cases = await lookups.order_cases(order.id)
    else:
        cases = await desk.cases.open_cases(customer_id)
    if not cases:
        return Reply.say("after_sales.progress_ask")
    if len(cases) == 1:
        return _describe(ctx, cases[0])
    templates = ctx.services.templates
    lines = [templates.render_safe("after_sales.progress_line", case_fields(c, c.order.order_no, templates))
             for c in cases[:MAX_LISTED]]
    return Reply.say("after_sales.progress_list", count=len(cases), lines="\n".join(lines))


@router.media("image")
async def photo(ctx: Context) -> Reply | None:
    cases = await ctx.services[DESK].cases.open_cases(ctx.identity.customer_id)
    if not cases:
        return None
    waiting = await _waiting_for_photos(cases)
    if len(waiting) > 1 and ctx.state.flow is None:  # kept at once on the most recently touched, then asked
        # whether it is another's; inside another dialogue (a complaint half told) it is only kept, since
        # the question would replace that dialogue
        listed, kept = waiting[:MAX_LISTED], waiting[0]
        photo = _photo_of(ctx)
        await _keep(ctx, kept, [photo])
        ctx.state.start_flow(PHOTO_FLOW, kept=kept.case_no, cases=[c.case_no for c in listed],
                             photos=[photo["source_key"]], asked_at=ctx.services.clock.now().isoformat())
        return _ask_which_case(ctx, kept, listed)
    return await _attach(ctx, (waiting or cases)[0], [_photo_of(ctx)])


@router.flow(PHOTO_FLOW)
async def which_case(ctx: Context) -> Reply | None:
    """The answer to "is this photo for another case": a number from the list or a case number moves
    the photos there. The photos are on the most recently touched case already, so nothing is lost
    whatever comes: another photo joins them; a first message that picks nothing and is no question
    of its own gets one reminder; anything after that, another question, or any message once the
    question is older than PHOTO_QUESTION_TTL ends the question and is answered as usual."""
    data, inbound, desk = ctx.state.data, ctx.inbound, ctx.services[DESK]
    if "kept" not in data:  # asked before photos were kept at once (they waited in the state): keep them now
        await _keep_waiting(ctx, data)
    kept = await desk.cases.get(data["kept"])
    asked_at = datetime.fromisoformat(data["asked_at"])
    if kept is None or ctx.services.clock.now() - asked_at > PHOTO_QUESTION_TTL:
        ctx.state.end_flow()
        return None
    if inbound.kind == "image":
        photo = _photo_of(ctx)
        await _keep(ctx, kept, [photo])
        data["photos"].append(photo["source_key"])
        return Reply.say("after_sales.photo_which_again", **_fields(ctx, kept)).tagged("after_sales.photo")
    if inbound.kind != "text":
        return None
    case_no = dialogue.numbers(ctx)[1]
    picked = dialogue.pick_item(ctx.text, data["cases"]) if case_no is None else None
    if isinstance(picked, int):
        case_no = data["cases"][picked]
    if case_no in data["cases"]:
        ctx.state.end_flow()
        target = await desk.cases.get(case_no) if case_no != kept.case_no else kept
        if target is None:
            return None
        if target.case_no != kept.case_no:
            await desk.cases.move_photos(kept, target, data["photos"], f"customer:{ctx.identity.customer_id}")
        return Reply.say("after_sales.photo_attached", **_fields(ctx, target)).tagged("after_sales.photo")
    if ctx.match.intent == "unknown" and not data.get("reminded"):
        data["reminded"] = True
        return Reply.say("after_sales.photo_which_remind", **_fields(ctx, kept)).tagged("after_sales.photo")
    ctx.state.end_flow()
    return None


async def _keep_waiting(ctx: Context, data: dict) -> None:
    """A question in the earlier shape (photos held in the state): they go to its first listed case (the
    most recently touched then), and the question goes on in the current shape."""
    first = await ctx.services[DESK].cases.get(data["cases"][0])
    if first is not None:
        await _keep(ctx, first, data["photos"])
    data.update(kept=data["cases"][0], photos=[photo["source_key"] for photo in data["photos"]],
                asked_at=ctx.services.clock.now().isoformat())


def _photo_of(ctx: Context) -> dict:
    return {"url": ctx.inbound.media_url or "", "source_key": dialogue.source_key(ctx)}


async def _waiting_for_photos(cases: list[AfterSalesCase]) -> list[AfterSalesCase]:
    """The cases whose filing asked for photos (PHOTO_KINDS) and have none yet, in the given order."""
    asking = [c for c in cases if c.kind in PHOTO_KINDS]
    if not asking:
        return []
    have = set(await CasePhoto.filter(case_id__in=[c.id for c in asking]).values_list("case_id", flat=True))
    return [c for c in asking if c.id not in have]


async def _keep(ctx: Context, case: AfterSalesCase, photos: list[dict]) -> None:
    for photo in photos:
        await ctx.services[DESK].cases.attach_photo(case, photo["url"], photo["source_key"],
                                                    f"customer:{ctx.identity.customer_id}")


async def _attach(ctx: Context, case: AfterSalesCase, photos: list[dict]) -> Reply:
    await _keep(ctx, case, photos)
    return Reply.say("after_sales.photo_attached", **_fields(ctx, case)).tagged("after_sales.photo")


def _fields(ctx: Context, case: AfterSalesCase) -> dict:
    return case_fields(case, case.order.order_no, ctx.services.templates)


def _ask_which_case(ctx: Context, kept: AfterSalesCase, cases: list[AfterSalesCase]) -> Reply:
    templates = ctx.services.templates
    lines = [templates.render_safe("after_sales.photo_case_line",
                                   {"n": n, **case_fields(c, c.order.order_no, templates)})
             for n, c in enumerate(cases, 1)]
    return Reply.say("after_sales.photo_which", lines="\n".join(lines), **_fields(ctx, kept)).offer(
        *(Choice(c.case_no, line) for c, line in zip(cases, lines, strict=True))).tagged("after_sales.photo")


async def _named_case(ctx: Context, case_no: str) -> Reply:
    """The case the message names: cancelled (取消) or described, or "not found" when it is not the
    customer's (nothing of any other case is told, docs/rules.md R-PRIV-1)."""
    case = await ctx.services[DESK].cases.get(case_no)
    if case is None or not await _owns(case, ctx.identity.customer_id):
        return Reply.say("after_sales.case_not_found", case_no=case_no).tagged("after_sales.progress")
    rest = dialogue.PUNCT.sub("", dialogue.numbers(ctx)[2])
    if CANCEL_CASE.search(ctx.text) or WITHDRAWN_ALONE.fullmatch(rest):
        return (await _cancel(ctx, case)).tagged("after_sales.progress")
    return _describe(ctx, case).tagged("after_sales.progress")


async def _cancel(ctx: Context, case: AfterSalesCase) -> Reply:
    desk, customer_id = ctx.services[DESK], ctx.identity.customer_id
    templates, order_no = ctx.services.templates, case.order.order_no
    if case.state in OPEN_STATES:
        try:
            case = await desk.cases.advance(case, "cancelled", actor=f"customer:{customer_id}", role="customer",
                                            reason="customer cancelled in the chat", notify=False)
        except TransitionError:
            reply = Reply.say("after_sales.case_cancel_late", **case_fields(case, order_no, templates))
            reply.escalate = "case_cancel_late"
            return reply
        return Reply.say("after_sales.case_cancelled", **case_fields(case, order_no, templates))
    return _describe(ctx, case)


def _describe(ctx: Context, case: AfterSalesCase) -> Reply:
    return Reply.say("after_sales.progress", **case_fields(case, case.order.order_no, ctx.services.templates))


async def _owns(case: AfterSalesCase, customer_id: int) -> bool:
    return case.customer_id == customer_id or await owned_by(case.order, customer_id)

