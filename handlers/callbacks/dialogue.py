"""The survey in the chat (docs/rules.md R-CALLBACK-5, R-CALLBACK-7): at most three questions.

1. How satisfied: a score 1-5 or 满意/一般/不满意, with whatever else the customer says (kept as
   the comment). Not understood: asked once more; a message on another topic is left to its
   handler and the survey waits.
2. Satisfied: any suggestion? → thanks. 一般 or unsatisfied: what was wrong? (skipped when the
   first answer already said it) → the acknowledgement, and a person takes the conversation
   (the escalation `callback_unsatisfied`); an after-sales case concerned gets the answer on its
   record.
"晚点再说/明天吧" at the first question asks again later; "不用了" ends it politely (reached,
declined).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from bot.context import Context
from bot.events import Reply
from bot.router import Router
from bot.templates import spec
from handlers.callbacks import tasks
from handlers.callbacks.desk import DESK, CallbackDesk
from handlers.callbacks.reach import FLOW, on_visit, rating_choices
from models.callback import CallbackTask

router = Router("callbacks")

MAX_QUESTIONS = 3
ESCALATION = "callback_unsatisfied"
UNSATISFIED = re.compile(r"不满意|不太满意|不怎么样|很差|太差|差评|失望|糟糕|垃圾|不好(?!意思)")
NEUTRAL = re.compile(r"一般|还行|凑合|马马虎虎|还可以|中评|普通")
SATISFIED = re.compile(r"满意|很好|挺好|不错|好评|很棒|非常好|棒|赞|喜欢")
SCORE = re.compile(r"(?<![\d.])([1-5])\s*(?:分|星|颗星)?(?![\d.])|([一二三四五])\s*(?:分|星|颗星)")
TOMORROW = re.compile(r"明天|改天|下次|过两天|明儿")
LATER = re.compile(r"晚点|晚些|等会|等一会|一会儿|回头|现在不方便|不方便|没空|在忙|忙着|稍后")
DECLINE = re.compile(r"^\W*(不用了|不需要|别问了|不想说|不想回答|不评价|算了|没兴趣|不参加)")
PUNCT = re.compile(r"[\s,，。.!！?？~、:：;；]+")
CHINESE_DIGITS = "一二三四五"
SCORE_RATING = {1: "unsatisfied", 2: "unsatisfied", 3: "neutral", 4: "satisfied", 5: "satisfied"}

SCRIPTS = (
    spec("callbacks.ask_rating", "topics"),
    *(spec(f"callbacks.topic_{kind}", "subject") for kind in ("buyer", "prospect", "after_sales", "complaint")),
    spec("callbacks.topic_joiner"),
    spec("callbacks.ask_again"),
    spec("callbacks.pick_score", "score"),
    spec("callbacks.pick_later"),
    spec("callbacks.ask_suggestion"),
    spec("callbacks.ask_problem"),
    spec("callbacks.thanks_satisfied"),
    spec("callbacks.acknowledge"),
    spec("callbacks.thanks_declined"),
    spec("callbacks.thanks_unrated"),
    spec("callbacks.later", "when"),
    spec("callbacks.when", "month", "day", "time"),
)


def parse_rating(text: str) -> tuple[str | None, int | None, str]:
    """(rating, score, the rest of the text) from an answer like "4分，物流有点慢" or "不满意"."""
    found = SCORE.search(text)
    if found:
        digit = found.group(1) or found.group(2)
        score = int(digit) if digit.isdigit() else CHINESE_DIGITS.index(digit) + 1
        return SCORE_RATING[score], score, _rest(text, found)
    for rating, pattern in (("unsatisfied", UNSATISFIED), ("neutral", NEUTRAL), ("satisfied", SATISFIED)):
        found = pattern.search(text)
        if found:
            return rating, None, _rest(text, found)
    return None, None, ""


def _rest(text: str, found: re.Match[str]) -> str:
    return PUNCT.sub(" ", text[:found.start()] + " " + text[found.end():]).strip()


def later_time(desk: CallbackDesk, text: str) -> datetime | None:
    """When to ask again for "明天吧" (the next morning) or "晚点再说" (`CALLBACKS_LATER_HOURS`)."""
    now = desk.now()
    if TOMORROW.search(text):
        local = now.astimezone(desk.hours.zone)
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
        return desk.next_allowed(midnight)
    if LATER.search(text):
        return now + timedelta(hours=desk.settings.later_hours)
    return None


@router.flow(FLOW)
async def answer(ctx: Context) -> Reply | None:
    desk, data = ctx.services[DESK], ctx.state.data
    if ctx.inbound.kind != "text":
        return None
    if ctx.match.intent == "human":
        ctx.state.end_flow()  # a person: the handoff area takes it; the task waits for its expiry
        return None
    task = await CallbackTask.get_or_none(id=data.get("task"), state="chat")
    if task is None:
        ctx.state.end_flow()
        return None
    text = ctx.text.strip()
    if data["step"] == "rating":
        return await _rating(ctx, desk, task, text)
    ctx.state.end_flow()
    if data["step"] == "suggest":
        await tasks.finish(desk, task, by="customer:chat", rating=data["rating"], score=data.get("score"),
                           comment=data.get("comment", ""), feedback=text)
        return Reply.say("callbacks.thanks_satisfied")
    return await _unhappy(desk, task, data, feedback=text)


async def _rating(ctx: Context, desk: CallbackDesk, task: CallbackTask, text: str) -> Reply | None:
    data = ctx.state.data
    if DECLINE.match(text):
        ctx.state.end_flow()
        await tasks.finish(desk, task, by="customer:chat", declined=True)
        return Reply.say("callbacks.thanks_declined")
    rating, score, comment = parse_rating(text)
    if rating is None:
        when = later_time(desk, text)
        if when is not None:
            ctx.state.end_flow()
            when = await tasks.reschedule(desk, task, when)
            return Reply.say("callbacks.later", when=_local(desk, when))
        if ctx.match.intent != "unknown":
            return None  # another topic: its handler answers, the survey waits
        if data["asked"] >= MAX_QUESTIONS - 1:
            ctx.state.end_flow()
            await tasks.finish(desk, task, by="customer:chat", comment=text)
            return Reply.say("callbacks.thanks_unrated")
        data["asked"] += 1
        return Reply.say("callbacks.ask_again").offer(*rating_choices(ctx.services.templates.render_safe))
    data.update(rating=rating, score=score, comment=comment)
    if rating != "satisfied" and len(comment) >= 4:  # "不满意，快递太慢了": the problem is said already
        ctx.state.end_flow()
        return await _unhappy(desk, task, data, feedback=comment)
    data["asked"] += 1
    data["step"] = "suggest" if rating == "satisfied" else "problem"
    return Reply.say("callbacks.ask_suggestion" if rating == "satisfied" else "callbacks.ask_problem")


async def _unhappy(desk: CallbackDesk, task: CallbackTask, data: dict, feedback: str) -> Reply:
    await tasks.finish(desk, task, by="customer:chat", rating=data["rating"], score=data.get("score"),
                       comment=data.get("comment", ""), feedback=feedback, follow_up="handoff")
    reply = Reply.say("callbacks.acknowledge")
    reply.escalate = ESCALATION
    return reply


def _local(desk: CallbackDesk, moment: datetime) -> str:
    local = moment.astimezone(desk.hours.zone)
    return desk.messenger.render("callbacks.when", {"month": local.month, "day": local.day, "time": f"{local:%H:%M}"})


router.every_message()(on_visit)
