"""The referral area in chat: cards on request, standings, friends arriving by a card, and 退订.

- `referral` intent (or the WeChat menu's card button): the customer's next card during an active
  campaign — share link, card image and the 朋友圈 copy — or a polite word when they have used up
  their cards; a question about their results (我推荐了几个人) answers with their standing instead.
- `subscribe`/`scan` naming a card (see `marketing.scene_code`): the friend's first contact, which
  confirms the referral (attribution decides); the welcome says who invited them. A plain follow is
  left to the consultation area's welcome.
- `退订` (TD, 取消订阅) on its own stops campaign pushes to this customer; `订阅` resumes them.
"""

from __future__ import annotations

import logging

from bot.context import Context
from bot.events import Reply
from bot.router import Router
from bot.templates import spec
from handlers.referral.attribution import record_visit
from handlers.referral.campaigns import active_campaign, current_or_latest, last_day
from handlers.referral.cards import card_image_url, issue_card, share_link
from handlers.referral.codes import SecretMissing, secret_key
from handlers.referral.marketing import scene_code
from handlers.referral.names import public_name
from handlers.referral.settings import ReferralSettings
from handlers.referral.stats import own_standing
from handlers.referral.tiers import fen_to_yuan
from models.customer import Customer

log = logging.getLogger("csbot.referral")

router = Router("referral")

#: Words that make a `referral` message a question about the customer's own results, not a card request.
STANDING_WORDS = ("几个", "几位", "多少", "排名", "名次", "进度", "战绩", "算上", "显示", "到账", "没到", "奖励呢")
#: WeChat menu button keys (CLICK events) the shop can give its menu.
MENU_CARD = "REFERRAL_CARD"
MENU_STANDING = "REFERRAL_STANDING"
#: Whole messages that stop or resume campaign pushes (compared upper-cased, without spaces).
OPT_OUT = frozenset({"退订", "TD", "取消订阅", "退订推送"})
OPT_IN = frozenset({"订阅", "恢复订阅"})

SCRIPTS = (
    spec("referral.card", "title", "number", "left", "link", "image_url", "end_date"),
    spec("referral.share_copy", "share_copy"),
    spec("referral.default_share_copy", "title", "link"),
    spec("referral.cards_used_up", "max_cards"),
    spec("referral.no_campaign"),
    spec("referral.unavailable"),
    spec("referral.standing", "title", "visited", "converted", "reward_yuan", "rank"),
    spec("referral.standing_pending", "title", "visited"),
    spec("referral.standing_none", "title"),
    spec("referral.welcome"),
    spec("referral.welcome_referred", "referrer"),
    spec("referral.opted_out"),
    spec("referral.opted_in"),
)


@router.intent("referral")
async def referral(ctx: Context) -> Reply:
    if any(word in ctx.text for word in STANDING_WORDS):
        return await standing(ctx)
    return await card(ctx)


@router.event("click")
async def menu(ctx: Context) -> Reply | None:
    if ctx.inbound.event_key == MENU_CARD:
        return (await card(ctx)).tagged("referral")
    if ctx.inbound.event_key == MENU_STANDING:
        return (await standing(ctx)).tagged("referral")
    return None


async def card(ctx: Context) -> Reply:
    services = ctx.services
    now = services.clock.now()
    campaign = await active_campaign(now)
    if campaign is None:
        return Reply.say("referral.no_campaign")
    try:
        secret = await secret_key(services.settings)
    except SecretMissing as exc:
        log.error("referral card refused: %s", exc)
        return Reply.say("referral.unavailable")
    issued = await issue_card(campaign, ctx.identity.customer_id, secret, now)
    if issued.card is None:
        return Reply.say("referral.cards_used_up", max_cards=campaign.max_cards)
    base = services.settings.public_base_url
    link = share_link(base, issued.card.code)
    reply = Reply.say("referral.card", title=campaign.title, number=issued.card.number, left=issued.left, link=link,
                      image_url=card_image_url(base, issued.card.code),
                      end_date=last_day(campaign, services.settings.zone).isoformat())
    if campaign.share_copy:
        return reply.then("referral.share_copy", share_copy=campaign.share_copy.replace("{link}", link))
    return reply.then("referral.default_share_copy", title=campaign.title, link=link)


async def standing(ctx: Context) -> Reply:
    campaign = await current_or_latest(ctx.services.clock.now())
    if campaign is None:
        return Reply.say("referral.no_campaign")
    numbers = await own_standing(campaign, ctx.identity.customer_id)
    if not numbers["visited"]:
        return Reply.say("referral.standing_none", title=campaign.title)
    if not numbers["converted"]:
        return Reply.say("referral.standing_pending", title=campaign.title, visited=numbers["visited"])
    return Reply.say("referral.standing", title=campaign.title, visited=numbers["visited"],
                     converted=numbers["converted"], reward_yuan=fen_to_yuan(numbers["reward_fen"]),
                     rank=numbers["rank"])


@router.event("subscribe", "scan")
async def arrived(ctx: Context) -> Reply | None:
    inbound, services = ctx.inbound, ctx.services
    event = (inbound.event or "").lower()
    code = scene_code(event, inbound.event_key)
    if code is None:
        return None
    try:
        secret = await secret_key(services.settings)
    except SecretMissing as exc:
        log.error("referral scene not attributed: %s", exc)
        return None
    visit = await record_visit(code, ctx.identity.customer_id, inbound.channel, secret=secret,
                               now=services.clock.now(), store=services.store)
    if visit.accepted:
        assert visit.referral is not None
        referrer: Customer = await visit.referral.referrer
        name = public_name(referrer, services.settings.area(ReferralSettings).board_names, services.templates)
        return Reply.say("referral.welcome_referred", referrer=name).tagged("referral")
    if event == "subscribe":
        return Reply.say("referral.welcome").tagged("greeting")
    return Reply().tagged("referral")


@router.media("text")
async def subscription(ctx: Context) -> Reply | None:
    command = "".join(ctx.text.split()).upper()
    if command not in OPT_OUT and command not in OPT_IN:
        return None
    opted_out = command in OPT_OUT
    await Customer.filter(id=ctx.identity.customer_id).update(opted_out=opted_out)
    return Reply.say("referral.opted_out" if opted_out else "referral.opted_in").tagged(
        "opt_out" if opted_out else "opt_in")
