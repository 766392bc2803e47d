"""The admin API for campaigns (JSON, staff only; OpenAPI items in `OPENAPI_PATHS`).

Who may do what: admins create and edit campaigns; supervisors and admins read campaigns, stats
and rejections and confirm a conversion (it pays a reward); every staff member (agents included)
sees and closes follow-up tasks, since agents make the calls.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.runtime import RUNTIME, Runtime
from bot.web.auth import AGENT, require
from bot.web.jsonbody import bad_request, json_error, read_json
from handlers.referral import followups
from handlers.referral.campaigns import (
    CampaignError,
    campaign_json,
    create_campaign,
    edit_campaign,
    get_campaign,
    parse_changes,
)
from handlers.referral.conversion import ConfirmError, confirm
from handlers.referral.stats import campaign_stats
from models.referral import Campaign, Rejection

PREFIX = "/api/referral"
REJECTIONS_SHOWN = 200


def _json(runtime: Runtime, campaign: Campaign) -> dict[str, Any]:
    return campaign_json(campaign, runtime.settings.zone, runtime.clock.now())


async def _named(request: web.Request) -> Campaign:
    try:
        return await get_campaign(request.match_info["name"])
    except CampaignError as exc:
        raise json_error(web.HTTPNotFound, str(exc)) from None


@require("supervisor", "admin")
async def list_campaigns(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    campaigns = await Campaign.all().order_by("-starts_at", "id")
    return web.json_response({"campaigns": [_json(runtime, c) for c in campaigns]})


@require("admin")
async def post_campaign(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    body = await read_json(request, {"name": str})
    try:
        campaign = await create_campaign(body["name"], parse_changes(body), now=runtime.clock.now(),
                                         zone=runtime.settings.zone, templates=runtime.templates)
    except CampaignError as exc:
        raise bad_request(str(exc)) from None
    return web.json_response(_json(runtime, campaign), status=201)


@require("supervisor", "admin")
async def get_one(request: web.Request) -> web.Response:
    return web.json_response(_json(request.app[RUNTIME], await _named(request)))


@require("admin")
async def patch_campaign(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    campaign = await _named(request)
    body = await read_json(request)
    try:
        await edit_campaign(campaign, parse_changes(body), now=runtime.clock.now(), zone=runtime.settings.zone,
                            templates=runtime.templates)
    except CampaignError as exc:
        raise bad_request(str(exc)) from None
    return web.json_response(_json(runtime, campaign))


@require("supervisor", "admin")
async def get_stats(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    return web.json_response(await campaign_stats(await _named(request), runtime.settings.zone))


@require("supervisor", "admin")
async def get_rejections(request: web.Request) -> web.Response:
    campaign = await _named(request)
    rows = await Rejection.filter(campaign=campaign).order_by("-id").limit(REJECTIONS_SHOWN)
    return web.json_response({"rejections": [
        {"id": r.id, "reason": r.reason, "card_id": r.card_id, "customer_id": r.customer_id, "channel": r.channel,
         "at": r.created_at.isoformat()} for r in rows]})


@require("supervisor", "admin")
async def post_confirm(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    try:
        referral_id = int(request.match_info["id"])
        referral = await confirm(referral_id, request[AGENT].name, now=runtime.clock.now(),
                                 zone=runtime.settings.zone)
    except (ValueError, ConfirmError) as exc:
        raise bad_request(str(exc)) from None
    return web.json_response({"id": referral.id, "status": referral.status, "position": referral.position,
                              "converted_by": referral.converted_by})


@require()
async def get_follow_ups(request: web.Request) -> web.Response:
    name = request.query.get("campaign")
    campaign_id = (await _campaign_by_query(name)).id if name else None
    tasks = await followups.tasks(campaign_id=campaign_id, include_done=request.query.get("done") == "1")
    return web.json_response({"follow_ups": tasks})


async def _campaign_by_query(name: str) -> Campaign:
    try:
        return await get_campaign(name)
    except CampaignError as exc:
        raise bad_request(str(exc)) from None


@require()
async def post_follow_up_done(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    body = await read_json(request) if request.can_read_body else {}
    note = body.get("note")
    if note is not None and not isinstance(note, str):
        raise bad_request("note must be text")
    if not request.match_info["id"].isdigit():
        raise bad_request("id must be a number")
    task = await followups.mark_done(int(request.match_info["id"]), request[AGENT].name, note,
                                     now=runtime.clock.now())
    if task is None:
        raise json_error(web.HTTPNotFound, "no such follow-up")
    return web.json_response({"id": task.id, "done_at": task.done_at.isoformat() if task.done_at else None,
                              "done_by": task.done_by})


ROUTES = (
    web.get(f"{PREFIX}/campaigns", list_campaigns),
    web.post(f"{PREFIX}/campaigns", post_campaign),
    web.get(f"{PREFIX}/campaigns/{{name}}", get_one),
    web.patch(f"{PREFIX}/campaigns/{{name}}", patch_campaign),
    web.get(f"{PREFIX}/campaigns/{{name}}/stats", get_stats),
    web.get(f"{PREFIX}/campaigns/{{name}}/rejections", get_rejections),
    web.post(f"{PREFIX}/referrals/{{id}}/confirm", post_confirm),
    web.get(f"{PREFIX}/follow-ups", get_follow_ups),
    web.post(f"{PREFIX}/follow-ups/{{id}}/done", post_follow_up_done),
)

_CAMPAIGN_FIELDS = {
    "title": {"type": "string"},
    "starts_on": {"type": "string", "format": "date", "description": "first day, shop time"},
    "ends_on": {"type": "string", "format": "date", "description": "last day, shop time"},
    "bounties": {"type": "string", "examples": ["1:4000,4:5000,7:6000"],
                 "description": "cash (yuan) from the n-th successful referral on"},
    "rates": {"type": "string", "examples": ["1:2%,4:2.5%,7:3%"],
              "description": "commission rate from this many successful referrals on"},
    "max_cards": {"type": "integer", "minimum": 1, "maximum": 100},
    "share_copy": {"type": ["string", "null"], "description": "朋友圈文案; {link} becomes the share link"},
    "landing_text": {"type": ["string", "null"]},
}
_CAMPAIGN = {"type": "object", "properties": {"name": {"type": "string"}, "active": {"type": "boolean"},
                                              **_CAMPAIGN_FIELDS}}
_NAME_FIELD = {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]{0,31}$"}
_NAME = [{"name": "name", "in": "path", "required": True, "schema": {"type": "string"}}]
_ID = [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}]


def _ok(description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    answer: dict[str, Any] = {"description": description}
    if schema is not None:
        answer["content"] = {"application/json": {"schema": schema}}
    return answer


def _body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


_DENIED = {"401": {"description": "not logged in"}, "403": {"description": "role not allowed"}}

OPENAPI_PATHS: dict[str, Any] = {
    f"{PREFIX}/campaigns": {
        "get": {"summary": "Referral campaigns (supervisor, admin)", "tags": ["referral"],
                "responses": {"200": _ok("campaigns", {"type": "object", "properties": {
                    "campaigns": {"type": "array", "items": _CAMPAIGN}}}), **_DENIED}},
        "post": {"summary": "Create a campaign (admin)", "tags": ["referral"],
                 "requestBody": _body({"type": "object", "required": ["name", "title", "starts_on", "ends_on"],
                                       "properties": {"name": _NAME_FIELD, **_CAMPAIGN_FIELDS}}),
                 "responses": {"201": _ok("created", _CAMPAIGN), "400": _ok("invalid input"), **_DENIED}},
    },
    f"{PREFIX}/campaigns/{{name}}": {
        "get": {"summary": "One campaign (supervisor, admin)", "tags": ["referral"], "parameters": _NAME,
                "responses": {"200": _ok("the campaign", _CAMPAIGN), "404": _ok("no such campaign"), **_DENIED}},
        "patch": {"summary": "Edit a campaign (admin); absent fields stay", "tags": ["referral"],
                  "parameters": _NAME,
                  "requestBody": _body({"type": "object", "properties": _CAMPAIGN_FIELDS}),
                  "responses": {"200": _ok("edited", _CAMPAIGN), "400": _ok("invalid input"),
                                "404": _ok("no such campaign"), **_DENIED}},
    },
    f"{PREFIX}/campaigns/{{name}}/stats": {
        "get": {"summary": "Cards issued, link opens, first visits, conversions, rewards (fen), rejections by "
                           "reason, open follow-ups, monthly counts and rates, pushes (supervisor, admin)",
                "tags": ["referral"], "parameters": _NAME,
                "responses": {"200": _ok("statistics", {"type": "object"}), "404": _ok("no such campaign"),
                              **_DENIED}},
    },
    f"{PREFIX}/campaigns/{{name}}/rejections": {
        "get": {"summary": f"The latest {REJECTIONS_SHOWN} refused attributions and conversions with their "
                           "reasons (supervisor, admin)", "tags": ["referral"], "parameters": _NAME,
                "responses": {"200": _ok("rejections", {"type": "object"}), "404": _ok("no such campaign"),
                              **_DENIED}},
    },
    f"{PREFIX}/referrals/{{id}}/confirm": {
        "post": {"summary": "Staff confirmation that the referred friend bought and paid in full; converts the "
                            "referral and books its reward once (supervisor, admin)",
                 "tags": ["referral"], "parameters": _ID,
                 "responses": {"200": _ok("converted", {"type": "object"}),
                               "400": _ok("unknown, rejected, or the campaign has ended"), **_DENIED}},
    },
    f"{PREFIX}/follow-ups": {
        "get": {"summary": "Referred friends to call (not converted 24 h after their first visit), with the "
                           "referrer (any staff)", "tags": ["referral"],
                "parameters": [{"name": "campaign", "in": "query", "schema": {"type": "string"}},
                               {"name": "done", "in": "query", "schema": {"enum": ["1"]},
                                "description": "1: include tasks already done"}],
                "responses": {"200": _ok("tasks", {"type": "object"}), "401": _DENIED["401"]}},
    },
    f"{PREFIX}/follow-ups/{{id}}/done": {
        "post": {"summary": "Mark a follow-up call done (any staff)", "tags": ["referral"], "parameters": _ID,
                 "requestBody": {"content": {"application/json": {"schema": {
                     "type": "object", "properties": {"note": {"type": "string"}}}}}},
                 "responses": {"200": _ok("done", {"type": "object"}), "404": _ok("no such task"),
                               "401": _DENIED["401"]}},
    },
}
