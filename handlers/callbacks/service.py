"""What other areas and the staff's tools call (docs/rules.md R-CALLBACK-6..8).

- `due_tasks`, `record_outcome`: the phone list and what staff record after a call;
- `callbacks_of_customers`, `hand_over`: the customer archive (a customer's callbacks; a leaving
  agent's open tasks go to a colleague, 离职交接).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tortoise.expressions import Q

from bot.phones import mask_phone
from handlers.callbacks import tasks
from handlers.callbacks.desk import EXPIRE, CallbackDesk
from models.callback import OPEN_TASK_STATES, Callback, CallbackTask
from models.customer import Customer


class OutcomeError(ValueError):
    """An outcome staff cannot record: `code` is stable for the API."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Outcome:
    reached: bool
    rating: str | None = None
    score: int | None = None
    comment: str = ""
    feedback: str = ""
    declined: bool = False
    call_again_at: datetime | None = None


CALL_AGAIN_WITHIN = timedelta(days=90)
SCORE_RATING = {1: "unsatisfied", 2: "unsatisfied", 3: "neutral", 4: "satisfied", 5: "satisfied"}


async def record_outcome(desk: CallbackDesk, task_id: int, agent_id: int, outcome: Outcome) -> CallbackTask:
    """A staff member's call (R-CALLBACK-6): reached with the answers, or not reached (called again
    later; a non-member's task closes unreached after `CALLBACKS_MAX_ATTEMPTS`)."""
    task = await CallbackTask.get_or_none(id=task_id)
    if task is None:
        raise OutcomeError("not_found", "no such callback task")
    if task.state not in OPEN_TASK_STATES:
        raise OutcomeError("closed", "the callback is already closed")
    by = f"agent:{agent_id}"
    if outcome.call_again_at is not None and not desk.now() <= outcome.call_again_at <= desk.now() + CALL_AGAIN_WITHIN:
        raise OutcomeError("bad_time", "call_again_at must be in the next 90 days")
    if outcome.call_again_at is not None:  # 约定再联系: the customer named another time
        attempts = task.attempts + (0 if outcome.reached else 1)
        return await _call_again(desk, task, desk.next_allowed(outcome.call_again_at), attempts)
    if outcome.reached:
        rating = outcome.rating or (SCORE_RATING[outcome.score] if outcome.score else None)
        if rating is None and not outcome.declined:
            raise OutcomeError("rating_required", "a reached customer needs a rating or score, or declined")
        if not await tasks.finish(desk, task, by=by, rating=rating, score=outcome.score, comment=outcome.comment,
                                  feedback=outcome.feedback, declined=outcome.declined,
                                  follow_up="staff" if rating in ("neutral", "unsatisfied") else None):
            raise OutcomeError("conflict", "the callback changed meanwhile; reload it")
        return task
    attempts = task.attempts + 1
    if attempts >= desk.settings.max_attempts and not await tasks.is_member(task):
        if not await tasks.move(desk, task, "failed", attempts=attempts, done_at=desk.now(), done_by=by):
            raise OutcomeError("conflict", "the callback changed meanwhile; reload it")
        return task
    return await _call_again(desk, task, desk.next_allowed(tasks.retry_time(desk)), attempts)


async def _call_again(desk: CallbackDesk, task: CallbackTask, when: datetime, attempts: int) -> CallbackTask:
    await desk.scheduler.cancel(EXPIRE, str(task.id))
    if not await tasks.move(desk, task, "phone", way="phone", attempts=attempts, start_at=when):
        raise OutcomeError("conflict", "the callback changed meanwhile; reload it")
    return task


async def due_tasks(desk: CallbackDesk, *, phone_only: bool = False) -> list[dict[str, Any]]:
    """Open tasks whose time has come, oldest first, customers masked (R-PRIV-1, R-PRIV-2)."""
    query = CallbackTask.filter(state__in=("phone",) if phone_only else OPEN_TASK_STATES, start_at__lte=desk.now())
    rows = await query.order_by("start_at", "id").prefetch_related("customer", "callbacks")
    return [task_json(task) for task in rows]


def task_json(task: CallbackTask) -> dict[str, Any]:
    customer: Customer = task.customer
    callbacks = sorted(task.callbacks, key=lambda c: (c.due_at, c.id))
    return {
        "id": task.id, "state": task.state, "way": "visit" if task.state == "visit" else (task.way or "chat"),
        "kinds": sorted({c.kind for c in callbacks}), "subjects": [c.subject for c in callbacks if c.subject],
        "customer": {"id": customer.id, "name": mask_name(customer.name), "phone": mask_phone(customer.phone),
                     "channel": customer.channel, "member": customer.is_vip},
        "due_at": min((c.due_at for c in callbacks), default=task.start_at),
        "deadline_at": min((c.deadline_at for c in callbacks), default=task.start_at),
        "start_at": task.start_at, "attempts": task.attempts, "owner_id": task.owner_id,
    }


def mask_name(name: str | None) -> str | None:
    """张三丰 → 张*丰, 李四 → 李*: enough for staff to greet, not a full name on a screen."""
    if not name:
        return None
    return name[0] + "*" * max(1, len(name) - 2) + (name[-1] if len(name) > 2 else "")


async def callbacks_of_customers(customer_ids: list[int]) -> list[dict]:
    """Every callback of these customers with its task's outcome, newest first (the customer archive)."""
    rows = await Callback.filter(customer_id__in=customer_ids).order_by("-due_at", "-id").prefetch_related("task")
    return [{
        "id": c.id, "customer_id": c.customer_id, "kind": c.kind, "subject": c.subject, "due_at": c.due_at,
        "deadline_at": c.deadline_at, "task_id": c.task_id,
        "state": c.task.state if c.task else "scheduled", "way": c.task.way if c.task else None,
        "rating": c.task.rating if c.task else None, "score": c.task.score if c.task else None,
        "comment": c.task.comment if c.task else "", "feedback": c.task.feedback if c.task else "",
        "done_at": c.task.done_at if c.task else None,
    } for c in rows]


async def hand_over(from_agent_id: int, to_agent_id: int, using_db=None) -> int:
    """Open tasks owned by a leaving agent go to `to_agent_id` (离职交接); returns how many."""
    query = CallbackTask.filter(Q(owner_id=from_agent_id) & Q(state__in=OPEN_TASK_STATES))
    if using_db is not None:
        query = query.using_db(using_db)
    return await query.update(owner_id=to_agent_id)
