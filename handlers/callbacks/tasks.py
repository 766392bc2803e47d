"""How a callback task moves: to the chat, to waiting for a visit, to the phone list, to a new
time, to done or to failed (docs/rules.md R-CALLBACK-4..7). Every change is a conditional update
on the task's current state, so two workers (a chat answer and an expiry, two staff members)
never both move it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from handlers.callbacks.desk import EXPIRE, START, CallbackDesk
from models.callback import Callback, CallbackTask
from models.case import CaseEvent
from models.customer import Customer


async def move(desk: CallbackDesk, task: CallbackTask, to: str, **changes: Any) -> bool:
    """Move an open task from the state it was read in; False when someone moved it meanwhile."""
    changes.update(state=to, updated_at=desk.now())
    if to in ("done", "failed"):
        changes["open_key"] = None
    moved = await CallbackTask.filter(id=task.id, state=task.state).update(**changes)
    if moved:
        for name, value in changes.items():
            setattr(task, name, value)
    return bool(moved)


async def reschedule(desk: CallbackDesk, task: CallbackTask, when: datetime) -> datetime:
    """Ask again at `when` (moved out of rest hours); returns the time chosen (R-CALLBACK-5)."""
    when = desk.next_allowed(when)
    if await move(desk, task, "scheduled", start_at=when):
        await desk.scheduler.cancel(EXPIRE, str(task.id))
        await desk.scheduler.at(START, str(task.id), when)
    return when


async def to_phone(desk: CallbackDesk, task: CallbackTask, when: datetime | None = None) -> bool:
    """Put the task on the staff's call list (R-CALLBACK-6), from `when` (moved out of rest hours)."""
    await desk.scheduler.cancel(EXPIRE, str(task.id))
    return await move(desk, task, "phone", way="phone", start_at=desk.next_allowed(when or desk.now()))


async def finish(desk: CallbackDesk, task: CallbackTask, *, by: str, rating: str | None = None,
                 score: int | None = None, comment: str = "", feedback: str = "", declined: bool = False,
                 follow_up: str | None = None) -> bool:
    """The customer was reached: record the answers and close the task (R-CALLBACK-7)."""
    now = desk.now()
    done = await move(desk, task, "done", done_at=now, done_by=by, rating=rating, score=score,
                      comment=comment[:1000], feedback=feedback[:2000], declined=declined, follow_up=follow_up)
    if done:
        await desk.scheduler.cancel(EXPIRE, str(task.id))
        if rating in ("neutral", "unsatisfied"):
            await note_on_cases(task, by, feedback or comment, now)
    return done


async def note_on_cases(task: CallbackTask, by: str, what: str, now: datetime) -> None:
    """An unhappy answer about an after-sales case goes on the case's record for its owner (R-CALLBACK-7)."""
    for callback in await Callback.filter(task_id=task.id, kind="after_sales"):
        case_id = int(callback.source_key.removeprefix("case:"))
        await CaseEvent.create(case_id=case_id, action="callback", actor=by, reason=what[:2000], at=now,
                               data={"task": task.id, "rating": task.rating})


async def is_member(task: CallbackTask) -> bool:
    return await Customer.filter(id=task.customer_id, is_vip=True).exists()


def retry_time(desk: CallbackDesk) -> datetime:
    return desk.now() + timedelta(hours=desk.settings.phone_retry_h)
