"""Reaching the customer when a task's time comes (docs/rules.md R-CALLBACK-3, R-CALLBACK-4).

In the chat when the channel can reach them now: WeChat (and WeCom) inside the 48-hour window with
at least `CALLBACKS_WECHAT_MIN_SENDS_LEFT` pushes left in the customer's send budget (the opening
question is one push; their answers get passive replies); the web chat when the visitor wrote
within `CALLBACKS_WEBCHAT_ONLINE_MINUTES`, else at their next visit (a store key the dispatcher
reads with the state tells the hook below, at no extra cost per message). Anything else, a push
the platform refuses, a question unanswered for `CALLBACKS_ANSWER_WAIT_H` or a visitor not back
within `CALLBACKS_VISIT_WAIT_H`: the staff's phone list. A customer in the middle of another
dialogue, or talking to a person, is asked later. Never in rest hours.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from bot.context import Context
from bot.events import Choice, Reply
from bot.state import ConversationState
from handlers.callbacks import tasks
from handlers.callbacks.desk import DESK, EXPIRE, START, CallbackDesk
from models.callback import Callback, CallbackTask
from models.conversation import Conversation
from models.customer import Customer

FLOW = "callbacks.survey"
BUSY_RETRY = timedelta(minutes=15)
STATE_TTL_S = 7 * 24 * 3600


def visit_key(desk: CallbackDesk, conversation_key: str) -> str:
    return desk.store.keys("callbacks", "visit", conversation_key)


def visit_keys(desk: CallbackDesk) -> Callable[[str], str]:
    """`visit_key` for any conversation as one string concatenation (the key's prefix built once):
    the dispatcher asks it for every message's hold (`Services.read_with_state`)."""
    return visit_key(desk, "").__add__


async def start(desk: CallbackDesk, task_id: int) -> None:
    """The scheduler's callback for `START`: ask now in the chat, wait for a visit, or go on the phone list."""
    task = await CallbackTask.get_or_none(id=task_id, state__in=("scheduled", "visit"))
    if task is None:
        return
    now = desk.now()
    scheduler = desk.scheduler
    if not desk.may_contact(now):
        await scheduler.at(START, str(task.id), desk.next_allowed(now))
        return
    customer = await Customer.get(id=task.customer_id)
    way = await choose(desk, customer, now)
    if way == "busy":
        await scheduler.at(START, str(task.id), desk.next_allowed(now + BUSY_RETRY))
    elif way == "chat":
        await ask_in_chat(desk, task, customer)
    elif way == "visit":
        wait = timedelta(hours=desk.settings.visit_wait_h)
        if task.state == "scheduled" and await tasks.move(desk, task, "visit", way="chat", started_at=now):
            await scheduler.at(EXPIRE, str(task.id), now + wait)
        await desk.store.set(visit_key(desk, conversation_key(customer)), str(task.id),
                                     ttl=wait.total_seconds())
    elif way == "phone":
        await desk.store.delete(visit_key(desk, conversation_key(customer)))
        await tasks.to_phone(desk, task)


def conversation_key(customer: Customer) -> str:
    return f"{customer.channel}:{customer.external_id}"


async def choose(desk: CallbackDesk, customer: Customer, now: datetime) -> str:
    """chat, visit (web chat, not online), phone, or busy (in another dialogue or with a person)."""
    messenger = desk.messenger
    if not messenger.reaches(customer.channel):
        return "phone"
    last = customer.last_inbound_at
    if messenger.windowed(customer.channel):  # pushes only inside the 48-hour window, within the budget
        if not messenger.in_window(customer.channel, last):
            return "phone"
        left = await messenger.sends_left(customer.channel, customer.external_id)
        if left is not None and left < desk.settings.wechat_min_sends_left:
            return "phone"
    elif last is None or now - last > timedelta(minutes=desk.settings.webchat_online_minutes):
        return "visit"
    return "busy" if await _busy(desk, customer) else "chat"


async def _busy(desk: CallbackDesk, customer: Customer) -> bool:
    key = conversation_key(customer)
    if await Conversation.filter(key=key, status__in=("queued", "handoff")).exists():
        return True
    state = await desk.store.get_state(key)
    return bool(state and state.get("flow"))


async def ask_in_chat(desk: CallbackDesk, task: CallbackTask, customer: Customer) -> None:
    """Claim the customer's next message for the survey, then push the opening question."""
    store, messenger, key = desk.store, desk.messenger, conversation_key(customer)
    async with store.lock(key):
        state = ConversationState.from_dict(await store.get_state(key))
        if state.flow is not None:  # a dialogue started meanwhile: try later
            await desk.scheduler.at(START, str(task.id), desk.next_allowed(desk.now() + BUSY_RETRY))
            return
        if not await tasks.move(desk, task, "chat", way="chat", started_at=desk.now()):
            return
        state.start_flow(FLOW, task=task.id, step="rating", asked=1)
        await store.set_state(key, state.to_dict(), ttl=STATE_TTL_S)
    await store.delete(visit_key(desk, key))
    outcomes = await messenger.say(customer.channel, customer.external_id, "callbacks.ask_rating",
                                   {"topics": await topics(desk, task)}, author="callback",
                                   choices=rating_choices(messenger.render))
    if not outcomes or any(outcome != "sent" for outcome in outcomes):  # refused (window, budget, network)
        await release_chat(desk, key, task.id)
        await tasks.to_phone(desk, task)
        return
    await desk.scheduler.at(EXPIRE, str(task.id), desk.now() + timedelta(hours=desk.settings.answer_wait_h))


async def release_chat(desk: CallbackDesk, key: str, task_id: int) -> None:
    """End the survey flow if the conversation is still in it for this task."""
    store = desk.store
    async with store.lock(key):
        state = ConversationState.from_dict(await store.get_state(key))
        if state.flow == FLOW and state.data.get("task") == task_id:
            state.end_flow()
            await store.set_state(key, state.to_dict(), ttl=STATE_TTL_S)


async def topics(desk: CallbackDesk, task: CallbackTask) -> str:
    """What the callback is about, in the customer's words: 订单…、售后单…的处理."""
    render = desk.messenger.render
    seen: list[str] = []
    for callback in await Callback.filter(task_id=task.id).order_by("due_at", "id"):
        text = render(f"callbacks.topic_{callback.kind}", {"subject": callback.subject})
        if text not in seen:
            seen.append(text)
    return render("callbacks.topic_joiner").join(seen) or render("callbacks.topic_prospect")


async def expire(desk: CallbackDesk, task_id: int) -> None:
    """The scheduler's callback for `EXPIRE`: no answer in the chat, or no visit, in time: the phone list."""
    task = await CallbackTask.get_or_none(id=task_id, state__in=("chat", "visit"))
    if task is None:
        return
    customer = await Customer.get(id=task.customer_id)
    key = conversation_key(customer)
    if task.state == "chat":
        await release_chat(desk, key, task.id)
    await desk.store.delete(visit_key(desk, key))
    await tasks.to_phone(desk, task)


async def on_visit(ctx: Context) -> Reply | None:
    """Every message: a visitor we are waiting for is back; ask once their own matter is answered."""
    desk = ctx.services[DESK]
    key = visit_key(desk, ctx.inbound.conversation_key)
    task_id = ctx.stored.get(key)
    if task_id:
        await desk.store.delete(key)
        await desk.scheduler.at(START, task_id, desk.now() + timedelta(seconds=desk.settings.visit_delay_s))
    return None


def rating_choices(render: Callable[[str, dict], str]) -> list[Choice]:
    """The survey's answers as buttons where the channel has them: a score (the digit the customer
    would type, best first) or "later" (read by the dialogue's LATER words)."""
    scores = [Choice(str(score), render("callbacks.pick_score", {"score": score})) for score in range(5, 0, -1)]
    return [*scores, Choice(render("callbacks.pick_later", {}))]
