"""The admin API for campaigns (typed endpoints, shapes in schemas.py; error codes in ERRORS).

Who may do what: admins create and edit campaigns; supervisors and admins read campaigns, stats
and rejections and confirm a conversion (it pays a reward); every staff member (agents included)
sees and closes follow-up tasks, since agents make the calls.
"""

from __future__ import annotations

from aiohttp import web

from bot.extension import area_service
from bot.web.auth import AGENT
from bot.web.typed import ApiError, endpoint
from handlers.referral import followups
from handlers.referral import schemas as s
from handlers.referral.campaigns import (
    CampaignError,
    campaign_json,
    create_campaign,
    edit_campaign,
    get_campaign,
    parse_changes,
)
from handlers.referral.conversion import ConfirmError, confirm
from handlers.referral.desk import REFERRAL, ReferralDesk
from handlers.referral.stats import campaign_stats
from models.referral import Campaign, Rejection

PREFIX = "/api/referral"
REJECTIONS_SHOWN = 200
TAG = "referral"
SUPERVISORS = ("supervisor", "admin")
#: Error codes of this API (labelled in scripts_zh/labels.yaml).
ERRORS = ("no_such_campaign", "invalid_campaign", "invalid_id", "confirm_refused", "no_such_follow_up")
NO_CAMPAIGN = {404: "no such campaign (no_such_campaign)"}


def _desk(request: web.Request) -> ReferralDesk:
    return area_service(request, REFERRAL)


def _out(desk: ReferralDesk, campaign: Campaign) -> s.CampaignOut:
    return s.CampaignOut.model_validate(campaign_json(campaign, desk.zone, desk.now()))


async def _named(request: web.Request) -> Campaign:
    try:
        return await get_campaign(request.match_info["name"])
    except CampaignError as exc:
        raise ApiError(404, "no_such_campaign", str(exc)) from None


def _id(request: web.Request) -> int:
    if not request.match_info["id"].isdigit():
        raise ApiError(400, "invalid_id", "id must be a number")
    return int(request.match_info["id"])


@endpoint("GET", f"{PREFIX}/campaigns", response=s.CampaignsOut, roles=SUPERVISORS, tag=TAG,
          summary="Referral campaigns")
async def list_campaigns(request: web.Request) -> s.CampaignsOut:
    desk = _desk(request)
    campaigns = await Campaign.all().order_by("-starts_at", "id")
    return s.CampaignsOut(campaigns=[_out(desk, c) for c in campaigns])


@endpoint("POST", f"{PREFIX}/campaigns", body=s.CampaignIn, response=s.CampaignOut, status=201, roles=("admin",),
          tag=TAG, summary="Create a campaign (title, starts_on and ends_on are required)",
          errors={400: "invalid or taken (invalid_campaign), or a field of the wrong type (invalid_body)"})
async def post_campaign(request: web.Request, body: s.CampaignIn) -> s.CampaignOut:
    desk = _desk(request)
    try:
        campaign = await create_campaign(body.name, parse_changes(body.model_dump(exclude_none=True)),
                                         now=desk.now(), zone=desk.zone,
                                         templates=desk.templates)
    except CampaignError as exc:
        raise ApiError(400, "invalid_campaign", str(exc)) from None
    return _out(desk, campaign)


@endpoint("GET", f"{PREFIX}/campaigns/{{name}}", response=s.CampaignOut, roles=SUPERVISORS, tag=TAG,
          errors=NO_CAMPAIGN, summary="One campaign")
async def get_one(request: web.Request) -> s.CampaignOut:
    return _out(_desk(request), await _named(request))


@endpoint("PATCH", f"{PREFIX}/campaigns/{{name}}", body=s.CampaignFields, response=s.CampaignOut, roles=("admin",),
          tag=TAG, errors={**NO_CAMPAIGN, 400: "invalid change (invalid_campaign)"},
          summary="Edit a campaign; absent fields stay")
async def patch_campaign(request: web.Request, body: s.CampaignFields) -> s.CampaignOut:
    desk = _desk(request)
    campaign = await _named(request)
    try:
        await edit_campaign(campaign, parse_changes(body.model_dump(exclude_none=True)), now=desk.now(),
                            zone=desk.zone, templates=desk.templates)
    except CampaignError as exc:
        raise ApiError(400, "invalid_campaign", str(exc)) from None
    return _out(desk, campaign)


@endpoint("GET", f"{PREFIX}/campaigns/{{name}}/stats", response=s.StatsOut, roles=SUPERVISORS, tag=TAG,
          errors=NO_CAMPAIGN, summary="Cards issued, link opens, first visits, conversions, rewards (fen), "
                                      "rejections by reason, open follow-ups, monthly counts and rates, pushes")
async def get_stats(request: web.Request) -> s.StatsOut:
    desk = _desk(request)
    return s.StatsOut.model_validate(await campaign_stats(await _named(request), desk.zone))


@endpoint("GET", f"{PREFIX}/campaigns/{{name}}/rejections", response=s.RejectionsOut, roles=SUPERVISORS, tag=TAG,
          errors=NO_CAMPAIGN,
          summary=f"The latest {REJECTIONS_SHOWN} refused attributions and conversions with their reasons")
async def get_rejections(request: web.Request) -> s.RejectionsOut:
    campaign = await _named(request)
    rows = await Rejection.filter(campaign=campaign).order_by("-id").limit(REJECTIONS_SHOWN)
    return s.RejectionsOut(rejections=[
        s.RejectionOut(id=r.id, reason=r.reason, card_id=r.card_id, customer_id=r.customer_id, channel=r.channel,
                       at=r.created_at) for r in rows])


@endpoint("POST", f"{PREFIX}/referrals/{{id}}/confirm", response=s.ConfirmedOut, roles=SUPERVISORS, tag=TAG,
          errors={400: "unknown, rejected, or the campaign has ended (confirm_refused, invalid_id)"},
          summary="Staff confirmation that the referred friend bought and paid in full; converts the referral "
                  "and books its reward once")
async def post_confirm(request: web.Request) -> s.ConfirmedOut:
    desk = _desk(request)
    try:
        referral = await confirm(_id(request), request[AGENT].name, now=desk.now(),
                                 zone=desk.zone)
    except ConfirmError as exc:
        raise ApiError(400, "confirm_refused", str(exc)) from None
    return s.ConfirmedOut(id=referral.id, status=referral.status, position=referral.position,
                          converted_by=referral.converted_by)


@endpoint("GET", f"{PREFIX}/follow-ups", query=s.FollowUpQuery, response=s.FollowUpsOut, tag=TAG,
          errors={400: "no such campaign (no_such_campaign)"},
          summary="Referred friends to call (not converted 24 h after their first visit), with the referrer")
async def get_follow_ups(request: web.Request, query: s.FollowUpQuery) -> s.FollowUpsOut:
    campaign_id = None
    if query.campaign:
        try:
            campaign_id = (await get_campaign(query.campaign)).id
        except CampaignError as exc:
            raise ApiError(400, "no_such_campaign", str(exc)) from None
    tasks = await followups.tasks(campaign_id=campaign_id, include_done=query.done)
    return s.FollowUpsOut.model_validate({"follow_ups": tasks})


@endpoint("POST", f"{PREFIX}/follow-ups/{{id}}/done", body=s.DoneIn, response=s.DoneOut, tag=TAG,
          errors={404: "no such follow-up (no_such_follow_up)"}, summary="Mark a follow-up call done")
async def post_follow_up_done(request: web.Request, body: s.DoneIn) -> s.DoneOut:
    desk = _desk(request)
    task = await followups.mark_done(_id(request), request[AGENT].name, body.note, now=desk.now())
    if task is None:
        raise ApiError(404, "no_such_follow_up", "no such follow-up")
    return s.DoneOut(id=task.id, done_at=task.done_at, done_by=task.done_by)


ENDPOINTS = [list_campaigns, post_campaign, get_one, patch_campaign, get_stats, get_rejections, post_confirm,
             get_follow_ups, post_follow_up_done]
