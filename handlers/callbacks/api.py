"""`/api/callbacks`: the due list, the phone number for the caller, outcomes, figures (typed
endpoints, docs/architecture.md "Extension points"; docs/rules.md R-CALLBACK-6, R-CALLBACK-8).

Customers are masked in the list (R-PRIV-2); the full number is given to whoever calls: the task's
owner, or the staff member who takes an unowned task (and so becomes its owner); supervisors and
admins always.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from aiohttp import web
from pydantic import BaseModel, Field, field_validator, model_validator

from bot.extension import area_service
from bot.web.auth import AGENT
from bot.web.typed import ApiError, endpoint, path_id
from handlers.callbacks import service
from handlers.callbacks.desk import DESK, CallbackDesk
from handlers.callbacks.stats import check_month, month_figures
from models.agent import SUPERVISORS
from models.callback import CallbackTask
from models.customer import Customer

TAG = "callbacks"


class CustomerOut(BaseModel):
    id: int
    name: str | None
    phone: str | None = Field(description="masked, 138****5678")
    channel: str
    member: bool


class TaskOut(BaseModel):
    id: int
    state: str
    way: str = Field(description="chat, visit (waiting for the web-chat visitor) or phone")
    kinds: list[str]
    subjects: list[str]
    customer: CustomerOut
    due_at: datetime
    deadline_at: datetime
    start_at: datetime
    attempts: int
    owner_id: int | None


class DueQuery(BaseModel):
    phone_only: bool = False


class ContactOut(BaseModel):
    task_id: int
    name: str | None
    phone: str | None


class OutcomeIn(BaseModel):
    reached: bool
    rating: Literal["satisfied", "neutral", "unsatisfied"] | None = None
    score: int | None = Field(None, ge=1, le=5)
    comment: str = Field("", max_length=1000)
    feedback: str = Field("", max_length=2000)
    declined: bool = False
    call_again_at: datetime | None = Field(None, description="约定再联系: when the customer asked to be called")

    @model_validator(mode="after")
    def _aware(self) -> OutcomeIn:
        if self.call_again_at is not None and self.call_again_at.tzinfo is None:
            raise ValueError("call_again_at needs a time zone, e.g. 2026-11-28T10:00:00+08:00")
        return self


class StatsQuery(BaseModel):
    month: str | None = Field(None, description="YYYY-MM, shop time (default: this month)")

    @field_validator("month")
    @classmethod
    def _month(cls, value: str | None) -> str | None:
        return None if value is None else check_month(value)


class Figures(BaseModel):
    due: int
    reached: int
    on_time: int
    rated: int
    satisfied: int
    success_rate: float | None
    compliance: float | None
    satisfaction: float | None
    meets_targets: dict[str, bool]


class StatsOut(BaseModel):
    month: str
    kinds: dict[str, Figures]
    all: Figures
    targets: dict[str, float]


def _desk(request: web.Request) -> CallbackDesk:
    return area_service(request, DESK)


@endpoint("GET", "/api/callbacks/due", query=DueQuery, response=list[TaskOut], tag=TAG,
          summary="Callbacks due now, oldest first (customers masked)")
async def due(request: web.Request, query: DueQuery) -> list[TaskOut]:
    return [TaskOut.model_validate(row) for row in await service.due_tasks(_desk(request), phone_only=query.phone_only)]


async def _task_for_caller(request: web.Request) -> CallbackTask:
    agent = request[AGENT]
    task = await CallbackTask.get_or_none(id=path_id(request, "task_id", "not_found"))
    if task is None:
        raise ApiError(404, "not_found", "no such callback task")
    if task.owner_id not in (None, agent.id) and agent.role not in SUPERVISORS:
        raise ApiError(403, "not_owner", "another staff member owns this callback")
    if task.owner_id is None:
        await CallbackTask.filter(id=task.id, owner_id__isnull=True).update(owner_id=agent.id)
    return task


@endpoint("POST", "/api/callbacks/{task_id}/contact", response=ContactOut, tag=TAG,
          summary="The number to call; an unowned task becomes the caller's",
          errors={403: "another staff member owns it", 404: "no such task"})
async def contact(request: web.Request) -> ContactOut:
    task = await _task_for_caller(request)
    customer = await Customer.get(id=task.customer_id)
    return ContactOut(task_id=task.id, name=customer.name, phone=customer.phone)


@endpoint("POST", "/api/callbacks/{task_id}/outcome", body=OutcomeIn, response=TaskOut, tag=TAG,
          summary="Record a call: reached with the answers, or not reached",
          errors={403: "another staff member owns it", 404: "no such task",
                  409: "already closed or changed meanwhile",
                  422: "a reached customer needs a rating, or call_again_at is not in the next 90 days"})
async def outcome(request: web.Request, body: OutcomeIn) -> TaskOut:
    task = await _task_for_caller(request)
    try:
        await service.record_outcome(_desk(request), task.id, request[AGENT].id, service.Outcome(**body.model_dump()))
    except service.OutcomeError as exc:
        status = {"not_found": 404, "rating_required": 422, "bad_time": 422}.get(exc.code, 409)
        raise ApiError(status, exc.code, str(exc)) from None
    task = await CallbackTask.get(id=task.id).prefetch_related("customer", "callbacks")
    return TaskOut.model_validate(service.task_json(task))


@endpoint("GET", "/api/callbacks/stats", query=StatsQuery, response=StatsOut, tag=TAG,
          summary="Success rate, compliance and satisfaction for a month, per kind")
async def stats(request: web.Request, query: StatsQuery) -> StatsOut:
    desk = _desk(request)
    now = desk.now()
    month = query.month or f"{now.astimezone(desk.zone):%Y-%m}"
    return StatsOut.model_validate(await month_figures(month, now, desk.zone))


ENDPOINTS = (due, contact, outcome, stats)

#: Error codes of this area's endpoints (labelled in scripts_zh/labels.yaml).
ERRORS = ("not_owner", "closed", "bad_time", "rating_required")
