"""`/api/complaints`: list, detail, step actions, owner, major, tasks, marking a conversation
(docs/rules.md R-COMPLAINT). Every read starts from `visible_to`, so a complaint about the caller
answers 404 as if it did not exist (R-COMPLAINT-8); an action the caller's role may not take is 403.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from aiohttp import web
from pydantic import BaseModel, Field

from bot.extension import area_service
from bot.phones import mask_phone
from bot.state import ConversationState
from bot.web.auth import AGENT
from bot.web.typed import ApiError, endpoint
from handlers.complaints.desk import COMPLAINTS, TASK_KINDS, ComplaintDesk, Draft
from handlers.complaints.dialogue import FLOW, opening, start_data
from handlers.complaints.process import NotAllowed, StepError, allowed_actions
from handlers.complaints.visibility import visible_to
from models.agent import SUPERVISORS, Agent
from models.complaint import Complaint, ComplaintStep, ComplaintTask
from models.conversation import Conversation

Step = Literal["register", "judge", "investigate", "approve", "handle", "review", "closed"]
Category = Literal["product", "service", "logistics", "price", "other"]
TAG = "complaints"
NOT_FOUND = {404: "no such complaint visible to you"}


class ComplaintFilter(BaseModel):
    step: Step | None = None
    open: bool | None = None
    category: Category | None = None
    severity: Literal["normal", "major"] | None = None
    overdue: bool | None = None
    q: str | None = Field(default=None, max_length=64, description="number or words of the content")
    limit: int = Field(default=100, ge=1, le=500)


class ComplaintSummary(BaseModel):
    number: str
    step: Step
    step_due_at: datetime | None
    overdue: bool
    escalated_to: str | None
    category: Category
    severity: str
    major_reasons: list[str]
    serious: bool
    channel: str
    order_no: str | None
    owner_id: int | None
    created_at: datetime
    reply_by: datetime
    closed_at: datetime | None


class StepOut(BaseModel):
    action: str
    from_step: str | None
    to_step: str | None
    actor: str
    note: str
    at: datetime


class TaskOut(BaseModel):
    kind: str
    due_at: datetime
    done_at: datetime | None
    note: str


class ComplaintDetail(ComplaintSummary):
    content: str
    contact: str | None
    desired_outcome: str | None
    cause: str | None
    solution: str | None
    close_reason: str | None
    accused_agent_id: int | None
    customer_id: int
    conversation_id: int | None
    steps: list[StepOut]
    tasks: list[TaskOut]
    actions: list[str]


class ActionIn(BaseModel):
    action: Literal["accept", "judge", "investigate", "approve", "handle", "review"]
    note: str = Field(default="", max_length=2000)
    category: Category | None = None
    stands: bool | None = None
    reply_by: datetime | None = None
    cause: str | None = Field(default=None, max_length=2000)
    solution: str | None = Field(default=None, max_length=2000)
    approved: bool | None = None
    accepted: bool | None = None


class AssignIn(BaseModel):
    agent_id: int


class AccusedIn(BaseModel):
    agent_id: int


class MajorIn(BaseModel):
    reason: Literal["media", "platform", "repeat", "protest", "return", "collective", "staff"] = "staff"
    note: str = Field(default="", max_length=500)


class TaskIn(BaseModel):
    note: str = Field(default="", max_length=2000)


class MarkIn(BaseModel):
    conversation_id: int
    accused_agent_id: int | None = None
    content: str | None = Field(default=None, max_length=2000, description="register at once with this text")
    desired_outcome: str | None = Field(default=None, max_length=200)
    category: Category = "other"


class MarkOut(BaseModel):
    started: Literal["dialogue", "registered"]
    number: str | None = None


def _desk(request: web.Request) -> ComplaintDesk:
    return area_service(request, COMPLAINTS)


async def _visible(request: web.Request) -> Complaint:
    number = request.match_info["number"].upper()[:24]
    complaint = await visible_to(request[AGENT]).get_or_none(number=number).prefetch_related("order")
    if complaint is None:
        raise ApiError(404, "not_found", "no such complaint visible to you")
    return complaint


def summary(complaint: Complaint, now: datetime) -> dict:
    return {
        "number": complaint.number, "step": complaint.step, "step_due_at": complaint.step_due_at,
        "overdue": complaint.step_due_at is not None and complaint.step_due_at < now,
        "escalated_to": complaint.escalated_to, "category": complaint.category, "severity": complaint.severity,
        "major_reasons": complaint.major_reasons, "serious": complaint.serious, "channel": complaint.channel,
        "order_no": complaint.order.order_no if complaint.order else None, "owner_id": complaint.owner_id,
        "created_at": complaint.created_at, "reply_by": complaint.reply_by, "closed_at": complaint.closed_at,
    }


async def detail(request: web.Request, complaint: Complaint) -> ComplaintDetail:
    viewer = request[AGENT]
    await complaint.fetch_related("order")
    steps = await ComplaintStep.filter(complaint_id=complaint.id).order_by("at", "id")
    tasks = await ComplaintTask.filter(complaint_id=complaint.id).order_by("due_at")
    contact = complaint.contact
    return ComplaintDetail(
        **summary(complaint, _desk(request).clock.now()), content=complaint.content,
        contact=mask_phone(contact) if contact and contact.isdigit() else contact,
        desired_outcome=complaint.desired_outcome, cause=complaint.cause, solution=complaint.solution,
        close_reason=complaint.close_reason, accused_agent_id=complaint.accused_agent_id,
        customer_id=complaint.customer_id, conversation_id=complaint.conversation_id,
        steps=[StepOut(action=s.action, from_step=s.from_step, to_step=s.to_step, actor=s.actor, note=s.note, at=s.at)
               for s in steps],
        tasks=[TaskOut(kind=t.kind, due_at=t.due_at, done_at=t.done_at, note=t.note) for t in tasks],
        actions=allowed_actions(viewer.role, complaint.step, complaint.category),
    )


async def search(viewer: Agent, query: ComplaintFilter, now: datetime) -> list[Complaint]:
    """The complaints `viewer` may see that match the filter, by step deadline (the most urgent first)."""
    found = visible_to(viewer)
    if query.step:
        found = found.filter(step=query.step)
    if query.open is not None:
        found = found.filter(closed_at__isnull=query.open)
    if query.category:
        found = found.filter(category=query.category)
    if query.severity:
        found = found.filter(severity=query.severity)
    if query.overdue is not None:
        found = found.filter(step_due_at__lt=now) if query.overdue else found.exclude(step_due_at__lt=now)
    if query.q:
        text = query.q.strip()
        found = found.filter(number=text.upper()) if text.upper().startswith("TS") else found.filter(
            content__icontains=text)
    return await found.order_by("step_due_at", "id").limit(query.limit).prefetch_related("order")


@endpoint("GET", "/api/complaints", query=ComplaintFilter, response=list[ComplaintSummary], tag=TAG,
          summary="Complaints the caller may see, most urgent deadline first")
async def list_complaints(request: web.Request, query: ComplaintFilter) -> list[ComplaintSummary]:
    now = _desk(request).clock.now()
    return [ComplaintSummary(**summary(c, now)) for c in await search(request[AGENT], query, now)]


@endpoint("GET", "/api/complaints/{number}", response=ComplaintDetail, tag=TAG, errors=NOT_FOUND,
          summary="One complaint with its timeline, tasks and the actions the caller may take")
async def get_complaint(request: web.Request) -> ComplaintDetail:
    return await detail(request, await _visible(request))


@endpoint("POST", "/api/complaints/{number}/actions", body=ActionIn, response=ComplaintDetail, tag=TAG,
          errors={**NOT_FOUND, 403: "your role may not take this step", 409: "the complaint is at another step"},
          summary="Take a step of the six-step process")
async def take_action(request: web.Request, body: ActionIn) -> ComplaintDetail:
    complaint = await _visible(request)
    try:
        await _desk(request).act(complaint, request[AGENT], body.action, body.model_dump())
    except NotAllowed as exc:
        raise ApiError(403, "not_allowed", str(exc)) from None
    except StepError as exc:
        raise ApiError(409, "wrong_step", str(exc)) from None
    return await detail(request, complaint)


@endpoint("POST", "/api/complaints/{number}/owner", body=AssignIn, response=ComplaintDetail, tag=TAG,
          roles=("supervisor", "admin"), errors={**NOT_FOUND, 409: "that agent is the one complained about"},
          summary="Give the complaint to an owner (never the agent it is about)")
async def assign(request: web.Request, body: AssignIn) -> ComplaintDetail:
    complaint = await _visible(request)
    agent = await Agent.get_or_none(id=body.agent_id)
    if agent is None:
        raise ApiError(404, "no_agent", "no such agent")
    try:
        await _desk(request).assign(complaint, agent, f"agent:{request[AGENT].id}")
    except NotAllowed as exc:
        raise ApiError(409, "accused", str(exc)) from None
    return await detail(request, complaint)


@endpoint("POST", "/api/complaints/{number}/accused", body=AccusedIn, response=ComplaintDetail, tag=TAG,
          roles=("supervisor", "admin"), errors=NOT_FOUND, summary="Name the agent the complaint is about")
async def set_accused(request: web.Request, body: AccusedIn) -> ComplaintDetail:
    complaint = await _visible(request)
    if not await Agent.filter(id=body.agent_id).exists():
        raise ApiError(404, "no_agent", "no such agent")
    await _desk(request).set_accused(complaint, body.agent_id, f"agent:{request[AGENT].id}")
    if body.agent_id == request[AGENT].id:
        raise ApiError(404, "not_found", "no such complaint visible to you")
    return await detail(request, complaint)


@endpoint("POST", "/api/complaints/{number}/major", body=MajorIn, response=ComplaintDetail, tag=TAG,
          errors=NOT_FOUND, summary="Mark a complaint major: managers alerted, legal warning due in 24 h")
async def mark_major(request: web.Request, body: MajorIn) -> ComplaintDetail:
    complaint = await _visible(request)
    await _desk(request).mark_major(complaint, [body.reason], f"agent:{request[AGENT].id}", body.note)
    return await detail(request, complaint)


@endpoint("POST", "/api/complaints/{number}/tasks/{kind}", body=TaskIn, response=ComplaintDetail, tag=TAG,
          errors={**NOT_FOUND, 409: "the complaint has no such task"},
          summary="Record a task done: the legal warning filed, or the result fed back to the customer")
async def complete_task(request: web.Request, body: TaskIn) -> ComplaintDetail:
    complaint = await _visible(request)
    kind = request.match_info["kind"]
    if kind not in TASK_KINDS:
        raise ApiError(404, "no_task", f"tasks are {', '.join(TASK_KINDS)}")
    if kind == "legal" and request[AGENT].role not in ("supervisor", "admin"):
        raise ApiError(403, "not_allowed", "the legal warning is a supervisor's")
    try:
        await _desk(request).complete_task(complaint, kind, request[AGENT], body.note)
    except StepError as exc:
        raise ApiError(409, "no_task", str(exc)) from None
    return await detail(request, complaint)


@endpoint("POST", "/api/complaints/mark", body=MarkIn, response=MarkOut, status=201, tag=TAG,
          errors={404: "no such conversation"},
          summary="Mark a conversation as a complaint: register at once, or start the chat dialogue")
async def mark_conversation(request: web.Request, body: MarkIn) -> MarkOut:
    viewer = request[AGENT]
    conversation = await Conversation.get_or_none(id=body.conversation_id)
    if conversation is None or (viewer.role not in SUPERVISORS and conversation.assignee_id != viewer.id):
        raise ApiError(404, "no_conversation", "no such conversation of yours")
    if body.accused_agent_id is not None and not await Agent.filter(id=body.accused_agent_id).exists():
        raise ApiError(404, "no_agent", "no such agent")
    desk = _desk(request)
    if body.content or conversation.status == "handoff":
        complaint, _ = await desk.register(Draft(
            customer_id=conversation.customer_id, channel=conversation.channel, actor=f"agent:{viewer.id}",
            content=body.content or "", desired_outcome=body.desired_outcome, category=body.category,
            conversation_id=conversation.id, accused_agent_id=body.accused_agent_id, owner_id=viewer.id))
        return MarkOut(started="registered", number=complaint.number)
    store = desk.store
    async with store.lock(conversation.key):
        state = ConversationState.from_dict(await store.get_state(conversation.key))
        state.start_flow(FLOW, **start_data(), asked="content")
        await store.set_state(conversation.key, state.to_dict())
    channel, _, user_id = conversation.key.partition(":")
    messenger = desk.messenger
    await messenger.send_text(channel, user_id, messenger.render(opening(False).key),
                              messenger.render("complaints.ask_content"))
    return MarkOut(started="dialogue")


ENDPOINTS = [mark_conversation, list_complaints, get_complaint, take_action, assign, set_accused, mark_major,
             complete_task]

#: Error codes of this area's endpoints (labelled in scripts_zh/labels.yaml).
ERRORS = ("accused", "no_agent", "no_conversation", "no_task", "wrong_step")
