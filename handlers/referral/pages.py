"""The public pages of a campaign, served by the bot itself (no login):

- `GET /r/{code}`: the mobile landing page a share link opens (counts a link open), leading the
  friend to the web chat (`POST /r/{code}/visit` records the first visit under the chat page's
  visitor id) or, on WeChat, to the Official Account through the card's QR code;
- `GET /r/{code}/card.png`: the card image; `GET /r/{code}/follow.png`: the Official Account QR alone;
- `GET /referral/{name}/board`: the honour board (转介绍荣誉展板), names masked as the shop configures.

A tampered or unknown code gets a friendly page (and a rejection record), never a stack trace. The
pages are Jinja templates in `html/` rendered with autoescape (bot/web/pages.py), so every value put
into a page is HTML-escaped; their wording is `page_*` in scripts_zh/referral.yaml.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from aiohttp import web
from tortoise.expressions import F

from bot.channels.webchat import VISITOR_ERRORS, VISITOR_SECURITY, proven_visitor
from bot.extension import area_service
from bot.templates import spec
from bot.web import pages
from bot.web.problems import ApiError
from bot.web.typed import endpoint
from handlers.referral.attribution import record_visit
from handlers.referral.campaigns import is_open, last_day
from handlers.referral.card_image import card_png, qr_png
from handlers.referral.cards import find_card, share_link
from handlers.referral.codes import SecretMissing, secret_key
from handlers.referral.desk import REFERRAL, ReferralDesk
from handlers.referral.marketing import follow_qr_url
from handlers.referral.names import public_name
from handlers.referral.rejections import reject
from handlers.referral.schemas import VisitIn, VisitOut
from handlers.referral.stats import honour_board
from models.referral import Campaign, ReferralCard

STATIC = Path(__file__).resolve().parent / "static"
LANDING = "handlers.referral:html/landing.html"
BOARD = "handlers.referral:html/board.html"
CHAT_URL = "/"
PAGE_TEXTS = ("page_until", "page_chat", "page_follow_alt", "page_follow_hint", "page_board", "page_rank",
              "page_referrer", "page_converted", "page_board_empty", "page_board_thanks")
PAGE_HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}

SCRIPTS = (
    spec("referral.landing_default", "title"),
    spec("referral.landing_invited", "referrer"),
    spec("referral.landing_invalid"),
    spec("referral.landing_ended", "title"),
    *(spec(f"referral.{name}") for name in PAGE_TEXTS),
)


def page(request: web.Request, template: str, status: int = 200, **values: object) -> web.Response:
    """One of the campaign's pages with its wording; Jinja escapes every value."""
    templates = area_service(request, REFERRAL).templates
    texts = {name: templates.render(f"referral.{name}") for name in PAGE_TEXTS}
    return pages.render(request, template, {"t": texts, **values}, status=status, headers=PAGE_HEADERS)


async def _card(request: web.Request) -> ReferralCard | None:
    """The card a request names, or None (a tampered or unknown code, recorded as a rejection)."""
    desk = area_service(request, REFERRAL)
    try:
        secret = await secret_key(desk.core)
    except SecretMissing:
        raise web.HTTPServiceUnavailable(text="referral cards are not configured") from None
    card, problem = await find_card(request.match_info["code"], secret)
    if card is None:
        await reject(problem or "unknown_card", now=desk.now(), channel="link")
    return card


def _landing(request: web.Request, status: int = 200, *, title: str, message: str, board_url: str = "",
             card: ReferralCard | None = None, invited: str = "", end_date: str = "",
             follow: bool = False) -> web.Response:
    """The landing page; without a card, a notice (no buttons) for a link that leads nowhere now. The
    Official Account's QR code (and its caption) only when `follow`: its image can be made."""
    desk = area_service(request, REFERRAL)
    return page(request, LANDING, status, shop_name=desk.core.shop_name, title=title, message=message,
                board_url=board_url, card=card is not None, code=card.code if card else "", invited=invited,
                follow_src=f"/r/{card.code}/follow.png" if card and follow else "", end_date=end_date)


async def landing(request: web.Request) -> web.Response:
    desk = area_service(request, REFERRAL)
    settings, templates = desk.core, desk.templates
    card = await _card(request)
    if card is None:
        return _landing(request, 404, title=settings.shop_name, message=templates.render("referral.landing_invalid"))
    campaign: Campaign = card.campaign
    board_url = f"/referral/{campaign.name}/board"
    if not is_open(campaign, desk.now()):
        message = templates.render("referral.landing_ended", {"title": campaign.title})
        return _landing(request, 410, title=campaign.title, message=message, board_url=board_url)
    await ReferralCard.filter(id=card.id).update(opens=F("opens") + 1)
    referrer = public_name(card.referrer, desk.settings.board_names, templates)
    message = campaign.landing_text or templates.render("referral.landing_default", {"title": campaign.title})
    # the QR code is made here (once per card, then kept on it): a page whose image WeChat refused to
    # make (an account without the API, WeChat down) shows no broken image, only the chat button
    follow = await _follow_url(desk, card) is not None
    return _landing(
        request, title=campaign.title, message=message, board_url=board_url, card=card,
        invited=templates.render("referral.landing_invited", {"referrer": referrer}),
        end_date=last_day(campaign, settings.zone).isoformat(), follow=follow)


async def _open_card(request: web.Request) -> tuple[ReferralDesk, ReferralCard]:
    desk = area_service(request, REFERRAL)
    card = await _card(request)
    if card is None:
        raise web.HTTPNotFound(text="no such card")
    if not is_open(card.campaign, desk.now()):
        raise web.HTTPGone(text="the campaign has ended")
    return desk, card


async def _follow_url(desk: ReferralDesk, card: ReferralCard) -> str | None:
    codes = desk.follow_codes
    return await follow_qr_url(codes, card, card.campaign, desk.now()) if codes.available else None


async def card_image(request: web.Request) -> web.Response:
    desk, card = await _open_card(request)
    link = share_link(desk.core.public_base_url, card.code)
    png = await asyncio.to_thread(card_png, link, await _follow_url(desk, card), card.code)
    return web.Response(body=png, content_type="image/png", headers={"Cache-Control": "private, max-age=3600"})


async def follow_image(request: web.Request) -> web.Response:
    desk, card = await _open_card(request)
    url = await _follow_url(desk, card)
    if url is None:
        raise web.HTTPNotFound(text="no WeChat QR code for this card")
    png = await asyncio.to_thread(qr_png, url)
    return web.Response(body=png, content_type="image/png", headers={"Cache-Control": "private, max-age=3600"})


async def _visitor_proven(request: web.Request) -> None:
    proven_visitor(request)


@endpoint("POST", "/r/{code}/visit", body=VisitIn, response=VisitOut, public=True, before=_visitor_proven,
          security=VISITOR_SECURITY, tag="referral",
          errors={**VISITOR_ERRORS, 503: "web chat or referral cards not configured (referral_not_configured)"},
          summary="The friend opens the web chat from a card's landing page (the same answer whatever the rules "
                  "decided)")
async def visit(request: web.Request, body: VisitIn) -> VisitOut:
    """The friend opens the web chat from the landing page: their first contact, as the visitor their
    token proves (`X-Visitor-Token`, bot/web/visitors.py); a `user_id` in the body must be that visitor."""
    desk = area_service(request, REFERRAL)
    user_id = proven_visitor(request, body.user_id)
    try:
        secret = await secret_key(desk.core)
    except SecretMissing:
        raise ApiError(503, "referral_not_configured", "referral cards are not configured") from None
    identity = await desk.identify("webchat", user_id)
    await record_visit(request.match_info["code"], identity.customer_id, "webchat", secret=secret,
                       now=desk.now(), store=desk.store)
    return VisitOut(chat_url=CHAT_URL)  # the same answer whatever the rules decided


async def board(request: web.Request) -> web.Response:
    desk = area_service(request, REFERRAL)
    settings, templates = desk.core, desk.templates
    campaign = await Campaign.get_or_none(name=request.match_info["name"])
    if campaign is None:
        raise web.HTTPNotFound(text="no such campaign")
    referral = desk.settings
    standings = await honour_board(campaign, referral.board_size)
    rows = [{"rank": s.rank, "name": public_name(s.referrer, referral.board_names, templates),
             "converted": s.converted} for s in standings]
    zone = settings.zone
    period = f"{campaign.starts_at.astimezone(zone).date().isoformat()} ~ {last_day(campaign, zone).isoformat()}"
    return page(request, BOARD, shop_name=settings.shop_name, title=campaign.title, period=period, rows=rows)


ERRORS = ("referral_not_configured",)
ENDPOINTS = [visit]
ROUTES = (
    web.get("/r/{code}", landing),
    web.get("/r/{code}/card.png", card_image),
    web.get("/r/{code}/follow.png", follow_image),
    web.get("/referral/{name}/board", board),
    web.static("/referral/static", STATIC),
)
