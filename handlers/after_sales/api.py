"""The staff REST API for after-sales cases (token or session auth, `bot.web.auth.require`).

    GET  /api/cases                       list (state, kind, order_no, assignee, stale, limit, offset)
    GET  /api/cases/{case_no}             one case with its photos and event log
    POST /api/cases/{case_no}/transitions move to an allowed next step (409 otherwise)
    POST /api/cases/{case_no}/flag        初步鉴定: the problem is not the customer's doing
    POST /api/cases/{case_no}/assign      who handles it (agents may only take or drop it themselves)
    POST /api/cases/{case_no}/approval    a supervisor approves an amount above the limit beforehand
    GET  /api/orders/{order_no}           an order and its cases

Every case answer lists `next_states`, the steps the caller may take, so a console offers only
those. Errors are JSON `{"error": code, "message": ..., "allowed": [...]}`.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.phones import mask_phone
from bot.runtime import RUNTIME
from bot.web.auth import AGENT, require
from bot.web.jsonbody import bad_request, json_error, read_json
from handlers.after_sales.desk import DESK, Desk
from handlers.after_sales.machine import KINDS, OPEN_STATES, STATES, Resolution, TransitionError, next_states
from models.agent import Agent
from models.case import AfterSalesCase
from models.order import Order

MAX_PAGE = 200


def _iso(moment: Any) -> str | None:
    return moment.isoformat() if moment else None


def case_json(case: AfterSalesCase) -> dict[str, Any]:
    return {
        "case_no": case.case_no, "order_no": case.order.order_no, "kind": case.kind, "state": case.state,
        "next_states": list(next_states(case.kind, case.state, case.immediate_review)),
        "item": case.item, "description": case.description, "wanted": case.wanted,
        "requested_fen": case.requested_fen, "outcome": case.outcome, "refund_method": case.refund_method,
        "amount_fen": case.amount_fen, "approved_fen": case.approved_fen, "reject_reason": case.reject_reason,
        "immediate_review": case.immediate_review, "escalation": case.escalation, "assignee_id": case.assignee_id,
        "customer_id": case.customer_id, "created_at": _iso(case.created_at), "touched_at": _iso(case.touched_at),
        "resolved_at": _iso(case.resolved_at), "satisfaction_due_at": _iso(case.satisfaction_due_at),
    }


async def case_detail(case: AfterSalesCase) -> dict[str, Any]:
    await case.fetch_related("photos", "events")
    return {
        **case_json(case),
        "photos": [{"url": p.url, "created_at": _iso(p.created_at)} for p in case.photos],
        "events": [{"action": e.action, "from": e.from_state, "to": e.to_state, "actor": e.actor, "reason": e.reason,
                    "data": e.data, "at": _iso(e.at)} for e in sorted(case.events, key=lambda e: e.id)],
    }


def _desk(request: web.Request) -> Desk:
    return request.app[RUNTIME].services[DESK]


def _failed(exc: TransitionError) -> web.Response:
    return web.json_response({"error": exc.code, "message": exc.message, "allowed": list(exc.allowed)},
                             status=exc.status)


async def _case(request: web.Request) -> AfterSalesCase:
    case = await _desk(request).cases.get(request.match_info["case_no"])
    if case is None:
        raise json_error(web.HTTPNotFound, "no such case")
    return case


def _int(value: Any, name: str, *, minimum: int = 0, optional: bool = True) -> int | None:
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise bad_request(f"{name} must be an integer of at least {minimum}")
    return value


@require()
async def list_cases(request: web.Request) -> web.Response:
    query = request.query
    if query.get("stale") in ("1", "true"):
        cases = await _desk(request).cases.stale()
        return web.json_response({"cases": [case_json(c) for c in cases]})
    found = AfterSalesCase.all()
    states = [s for s in query.get("state", "").split(",") if s]
    if states:
        wanted = set(OPEN_STATES) if states == ["open"] else set(states)
        if not wanted <= set(STATES):
            raise bad_request(f"state must be 'open' or among {', '.join(STATES)}")
        found = found.filter(state__in=wanted)
    if query.get("kind"):
        if query["kind"] not in KINDS:
            raise bad_request(f"kind must be one of {', '.join(KINDS)}")
        found = found.filter(kind=query["kind"])
    if query.get("order_no"):
        found = found.filter(order__order_no=query["order_no"].upper())
    if query.get("assignee") == "me":
        found = found.filter(assignee_id=request[AGENT].id)
    try:
        limit = min(int(query.get("limit", 50)), MAX_PAGE)
        offset = int(query.get("offset", 0))
    except ValueError:
        raise bad_request("limit and offset must be integers") from None
    cases = await found.order_by("-touched_at").offset(max(offset, 0)).limit(max(limit, 1)).prefetch_related("order")
    return web.json_response({"cases": [case_json(c) for c in cases]})


@require()
async def get_case(request: web.Request) -> web.Response:
    return web.json_response(await case_detail(await _case(request)))


@require()
async def post_transition(request: web.Request) -> web.Response:
    case, agent = await _case(request), request[AGENT]
    body = await read_json(request, {"to": str})
    reason = body.get("reason") or ""
    if not isinstance(reason, str):
        raise bad_request("reason must be a string")
    resolution = Resolution(outcome=body.get("outcome"), refund_method=body.get("refund_method"),
                            amount_fen=_int(body.get("amount_fen"), "amount_fen", minimum=1))
    try:
        case = await _desk(request).cases.advance(case, body["to"], actor=f"agent:{agent.id}", role=agent.role,
                                                  reason=reason, resolution=resolution, agent_id=agent.id)
    except TransitionError as exc:
        return _failed(exc)
    return web.json_response(await case_detail(case))


@require()
async def post_flag(request: web.Request) -> web.Response:
    case, agent = await _case(request), request[AGENT]
    body = await read_json(request, {"reason": str})
    if case.state not in OPEN_STATES:
        return _failed(TransitionError("closed", "the case is closed", 409))
    desk = _desk(request)
    await desk.cases.note(case, "flag", f"agent:{agent.id}", body["reason"], immediate_review=True)
    await desk.notifier.review_needed(case, body["reason"])
    return web.json_response(await case_detail(case))


@require()
async def post_assign(request: web.Request) -> web.Response:
    case, agent = await _case(request), request[AGENT]
    body = await read_json(request)
    target = _int(body.get("agent_id"), "agent_id", minimum=1)
    if agent.role == "agent" and target not in (None, agent.id):
        raise json_error(web.HTTPForbidden, "agents may only take a case themselves")
    if agent.role == "agent" and target is None and case.assignee_id not in (None, agent.id):
        raise json_error(web.HTTPForbidden, "the case is someone else's")
    if target is not None and not await Agent.exists(id=target):
        raise bad_request("no such agent")
    await _desk(request).cases.note(case, "assign", f"agent:{agent.id}", assignee_id=target)
    return web.json_response(await case_detail(case))


@require("supervisor", "admin")
async def post_approval(request: web.Request) -> web.Response:
    case, agent = await _case(request), request[AGENT]
    body = await read_json(request, {"reason": str})
    amount = _int(body.get("amount_fen"), "amount_fen", minimum=1, optional=False)
    if case.state not in OPEN_STATES:
        return _failed(TransitionError("closed", "the case is closed", 409))
    await _desk(request).cases.note(case, "approve", f"agent:{agent.id}", body["reason"], approved_fen=amount,
                                    approved_by_id=agent.id)
    return web.json_response(await case_detail(case))


@require()
async def get_order(request: web.Request) -> web.Response:
    order = await Order.get_or_none(order_no=request.match_info["order_no"].upper())
    if order is None:
        raise json_error(web.HTTPNotFound, "no such order")
    cases = await AfterSalesCase.filter(order_id=order.id).order_by("id").prefetch_related("order")
    return web.json_response({
        "order_no": order.order_no, "customer_id": order.customer_id,
        "phone": mask_phone(order.phone), "items": order.items, "total_fen": order.total_fen,
        "refunded_fen": order.refunded_fen,
        "status": order.status, "paid_at": _iso(order.paid_at), "shipped_at": _iso(order.shipped_at),
        "received_at": _iso(order.received_at), "courier": order.courier, "tracking_no": order.tracking_no,
        "tracking_events": order.tracking_events, "receipt_due_at": _iso(order.receipt_due_at),
        "receipt_extended_at": _iso(order.receipt_extended_at), "cases": [case_json(c) for c in cases],
    })


ROUTES = [
    web.get("/api/cases", list_cases),
    web.get("/api/cases/{case_no}", get_case),
    web.post("/api/cases/{case_no}/transitions", post_transition),
    web.post("/api/cases/{case_no}/flag", post_flag),
    web.post("/api/cases/{case_no}/assign", post_assign),
    web.post("/api/cases/{case_no}/approval", post_approval),
    web.get("/api/orders/{order_no}", get_order),
]
