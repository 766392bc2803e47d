"""The staff REST API for after-sales cases (typed endpoints, shapes in schemas.py).

    GET  /api/cases                       list (state, kind, order_no, assignee, stale, limit, offset,
                                          count_only: the number alone, for a badge)
    GET  /api/cases/{case_no}             one case with its photos and event log
    POST /api/cases/{case_no}/transitions move to an allowed next step (409 otherwise)
    POST /api/cases/{case_no}/flag        初步鉴定: the problem is not the customer's doing
    POST /api/cases/{case_no}/assign      who handles it (agents may only take or drop it themselves)
    POST /api/cases/{case_no}/approval    a supervisor approves an amount above the limit beforehand
    GET  /api/orders/{order_no}           an order and its cases

Every case answer lists `next_states`, the steps the caller may take, so a console offers only
those. A refused step is `{"error": {"code", "message", "allowed": [...]}}` (codes: ERRORS).

Cases and orders are parts of the customer's archive (docs/rules.md R-ARCHIVE-3): the archive decides
and logs each read (docs/after_sales.md "Cases and the archive"). Normal records are open to the desk;
機密 and 絕密 ones to those the archive clears, and a case (with its order) to the agent it is
assigned to while it is open; lists leave out what the caller may not read.
"""

from __future__ import annotations

from aiohttp import web
from pydantic import Field

from bot.extension import area_service
from bot.phones import mask_phone
from bot.web.auth import AGENT
from bot.web.typed import ApiError, endpoint
from handlers.after_sales.desk import DESK, Desk
from handlers.after_sales.machine import OPEN_STATES, STATES, Resolution, TransitionError
from handlers.after_sales.schemas import (
    ApprovalIn,
    AssignIn,
    CaseDetail,
    CaseOut,
    CaseQuery,
    CasesOut,
    EventOut,
    FlagIn,
    OrderOut,
    PhotoOut,
    TransitionIn,
)
from handlers.archive import audit
from handlers.archive.access import HOLDER
from handlers.archive.service import ARCHIVE, Reader
from models.agent import SUPERVISORS, Agent
from models.case import AfterSalesCase
from models.order import Order

#: Error codes of this API besides the step rules' (machine.py, cases.py); labelled in scripts_zh/labels.yaml.
ERRORS = ("no_such_case", "no_such_order", "no_such_agent", "closed", "not_allowed", "reason_required",
          "outcome_required", "refund_method_required", "amount_required", "supervisor_approval_required",
          "amount_over_order", "conflict", "case_not_yours", "agents_take_only_themselves", "invalid_state",
          "access_denied")
TAG = "after-sales"
DUTY = "desk"  # the basis the archive's read log gives the desk's reads of normal records
ON_CASE = {403: "the customer's record is not open to the caller (access_denied)", 404: "no such case (no_such_case)"}
ON_CHANGE = {**ON_CASE, 403: "role or holder does not allow it", 409: "closed, or not an allowed step (error.allowed)"}


async def case_detail(case: AfterSalesCase) -> CaseDetail:
    await case.fetch_related("photos", "events")
    return CaseDetail(
        **CaseOut.of(case).model_dump(),
        photos=[PhotoOut(url=p.url, created_at=p.created_at) for p in case.photos],
        events=[EventOut(action=e.action, from_state=e.from_state, to_state=e.to_state, actor=e.actor,
                         reason=e.reason, data=e.data, at=e.at) for e in sorted(case.events, key=lambda e: e.id)],
    )


def _desk(request: web.Request) -> Desk:
    return area_service(request, DESK)


def _refused(exc: TransitionError) -> ApiError:
    return ApiError(exc.status, exc.code, exc.message, allowed=list(exc.allowed))


def _reader(request: web.Request) -> Reader:
    return Reader(request[AGENT], audit.via(request))


def _customer(case: AfterSalesCase) -> int | None:
    return case.customer_id if case.customer_id is not None else case.order.customer_id


def _holds(case: AfterSalesCase, agent: Agent) -> bool:
    """Whether `agent` holds this live case: what they need for it opens whatever the record's secrecy."""
    return case.assignee_id == agent.id and case.state in OPEN_STATES


async def _case(request: web.Request) -> AfterSalesCase:
    case = await _desk(request).cases.get(request.match_info["case_no"])
    if case is None:
        raise ApiError(404, "no_such_case", "no such case")
    await area_service(request, ARCHIVE).require_for_duty(_reader(request), _customer(case), "cases", DUTY,
                                                          held=_holds(case, request[AGENT]))
    return case


async def _readable(request: web.Request, cases: list[AfterSalesCase], log: bool = True) -> list[AfterSalesCase]:
    """The cases the caller may read; the rest are left out of a list. Their reads are logged once per
    record and period (`ArchiveService.log_duty`), not at all for a count (`log` False: nobody reads a
    badge's number)."""
    archive, reader = area_service(request, ARCHIVE), _reader(request)
    grants = await archive.duty_grants(reader, {_customer(case) for case in cases}, "cases", DUTY)
    shown, read = [], []
    for case in cases:
        person, grant = grants.get(_customer(case), (None, None))
        if person is None:  # no customer, no archive record
            shown.append(case)
        elif grant or _holds(case, reader.agent):
            shown.append(case)
            read.append((person, grant or HOLDER))
    if log:
        await archive.log_duty(reader, "cases", read, listed=True)
    return shown


def _still_open(case: AfterSalesCase) -> None:
    if case.state not in OPEN_STATES:
        raise _refused(TransitionError("closed", "the case is closed", 409))


class ListQuery(CaseQuery):
    count_only: bool = Field(default=False, description="only the number of cases the list would show (a badge): "
                                                         "no cases, and no read logged")


class ListOut(CasesOut):
    count: int = Field(description="how many cases the list shows (with count_only, would show)")


@endpoint("GET", "/api/cases", query=ListQuery, response=ListOut, tag=TAG,
          summary="List after-sales cases, most recently touched first (or count them: count_only)")
async def list_cases(request: web.Request, query: ListQuery) -> ListOut:
    if query.stale:
        stale = await _readable(request, await _desk(request).cases.stale(), log=not query.count_only)
        return ListOut(cases=[] if query.count_only else [CaseOut.of(c) for c in stale], count=len(stale))
    found = AfterSalesCase.all()
    states = [s for s in (query.state or "").split(",") if s]
    if states:
        wanted = set(OPEN_STATES) if states == ["open"] else set(states)
        if not wanted <= set(STATES):
            raise ApiError(400, "invalid_state", f"state must be 'open' or among {', '.join(STATES)}")
        found = found.filter(state__in=wanted)
    if query.kind:
        found = found.filter(kind=query.kind)
    if query.order_no:
        found = found.filter(order__order_no=query.order_no.upper())
    if query.assignee == "me":
        found = found.filter(assignee_id=request[AGENT].id)
    cases = await found.order_by("-touched_at").offset(query.offset).limit(query.limit).prefetch_related("order")
    shown = await _readable(request, cases, log=not query.count_only)
    return ListOut(cases=[] if query.count_only else [CaseOut.of(c) for c in shown], count=len(shown))


@endpoint("GET", "/api/cases/{case_no}", response=CaseDetail, tag=TAG, errors=ON_CASE,
          summary="One case with its photos and event log")
async def get_case(request: web.Request) -> CaseDetail:
    return await case_detail(await _case(request))


@endpoint("POST", "/api/cases/{case_no}/transitions", body=TransitionIn, response=CaseDetail, tag=TAG,
          errors=ON_CHANGE, summary="Move the case to an allowed next step; the customer is told in their channel")
async def post_transition(request: web.Request, body: TransitionIn) -> CaseDetail:
    case, agent = await _case(request), request[AGENT]
    resolution = Resolution(outcome=body.outcome, refund_method=body.refund_method, amount_fen=body.amount_fen)
    try:
        case = await _desk(request).cases.advance(case, body.to, actor=f"agent:{agent.id}", role=agent.role,
                                                  reason=body.reason, resolution=resolution, agent_id=agent.id)
    except TransitionError as exc:
        raise _refused(exc) from None
    return await case_detail(case)


@endpoint("POST", "/api/cases/{case_no}/flag", body=FlagIn, response=CaseDetail, tag=TAG, errors=ON_CHANGE,
          summary="初步鉴定: the photos show a problem the customer did not cause; report it up at once and "
                  "allow resolving without a return")
async def post_flag(request: web.Request, body: FlagIn) -> CaseDetail:
    case, agent = await _case(request), request[AGENT]
    _still_open(case)
    desk = _desk(request)
    await desk.cases.note(case, "flag", f"agent:{agent.id}", body.reason, immediate_review=True)
    await desk.notifier.review_needed(case, body.reason)
    return await case_detail(case)


@endpoint("POST", "/api/cases/{case_no}/assign", body=AssignIn, response=CaseDetail, tag=TAG, errors=ON_CHANGE,
          summary="Who handles the case (agents may only take or drop it themselves)")
async def post_assign(request: web.Request, body: AssignIn) -> CaseDetail:
    case, agent = await _case(request), request[AGENT]
    target = body.agent_id
    if agent.role not in SUPERVISORS and target not in (None, agent.id):
        raise ApiError(403, "agents_take_only_themselves", "agents may only take a case themselves")
    if agent.role not in SUPERVISORS and target is None and case.assignee_id not in (None, agent.id):
        raise ApiError(403, "case_not_yours", "the case is someone else's")
    if target is not None and not await Agent.exists(id=target):
        raise ApiError(400, "no_such_agent", "no such agent")
    await _desk(request).cases.note(case, "assign", f"agent:{agent.id}", assignee_id=target)
    return await case_detail(case)


@endpoint("POST", "/api/cases/{case_no}/approval", body=ApprovalIn, response=CaseDetail, tag=TAG,
          roles=("supervisor", "admin"), errors=ON_CHANGE,
          summary="A supervisor approves a refund or compensation above the limit beforehand")
async def post_approval(request: web.Request, body: ApprovalIn) -> CaseDetail:
    case, agent = await _case(request), request[AGENT]
    _still_open(case)
    await _desk(request).cases.note(case, "approve", f"agent:{agent.id}", body.reason, approved_fen=body.amount_fen,
                                    approved_by_id=agent.id)
    return await case_detail(case)


@endpoint("GET", "/api/orders/{order_no}", response=OrderOut, tag=TAG,
          errors={403: "the customer's record is not open to the caller (access_denied)",
                  404: "no such order (no_such_order)"},
          summary="An order as the order source reported it, with its after-sales cases")
async def get_order(request: web.Request) -> OrderOut:
    order = await Order.get_or_none(order_no=request.match_info["order_no"].upper())
    if order is None:
        raise ApiError(404, "no_such_order", "no such order")
    cases = await AfterSalesCase.filter(order_id=order.id).order_by("id").prefetch_related("order")
    await area_service(request, ARCHIVE).require_for_duty(
        _reader(request), order.customer_id, "orders", DUTY, held=any(_holds(c, request[AGENT]) for c in cases))
    cases = await _readable(request, cases)
    return OrderOut(
        order_no=order.order_no, customer_id=order.customer_id, phone=mask_phone(order.phone), items=order.items,
        total_fen=order.total_fen, refunded_fen=order.refunded_fen, status=order.status, paid_at=order.paid_at,
        shipped_at=order.shipped_at, received_at=order.received_at, courier=order.courier,
        tracking_no=order.tracking_no, tracking_events=order.tracking_events, receipt_due_at=order.receipt_due_at,
        receipt_extended_at=order.receipt_extended_at, cases=[CaseOut.of(c) for c in cases],
    )


ENDPOINTS = [list_cases, get_case, post_transition, post_flag, post_assign, post_approval, get_order]
