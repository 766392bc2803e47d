"""The referral area in chat: cards on request, standings, friends arriving by a card, and 退订.

- `referral` intent: what the message asks, by the words of scripts_zh/topics.yaml (`referral`, first
  match by the order written): their results (我推荐了几个人) answer with their standing, the rules
  (推荐奖励怎么算) with the running campaign's own terms (no card issued); anything else asks for a card.
- a card (that request, or the WeChat menu's card button): the customer's next card during an active
  campaign — share link, card image and the 朋友圈 copy — the last one said as such, or a polite word
  that the campaign's limit is reached (it holds for the campaign; the next campaign has new cards).
- `subscribe`/`scan` naming a card (see `marketing.scene_code`): the friend's first contact, which
  confirms the referral (attribution decides); the welcome says who invited them. When it cannot count
  (their own card, a customer known before, a used card, a campaign not running), the reply says why;
  a forged code gets nothing more than a follow's welcome. A plain follow is left to the consultation
  area's welcome.
- `退订` (TD, 取消订阅) on its own stops campaign pushes to this customer; `订阅` resumes them.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.context import Context
from bot.events import Reply
from bot.router import Router
from bot.templates import spec
from handlers import topics
from handlers.referral import terms
from handlers.referral.attribution import record_visit
from handlers.referral.campaigns import active_campaign, current_or_latest, last_day
from handlers.referral.cards import card_image_url, issue_card, share_link
from handlers.referral.codes import SecretMissing, secret_key
from handlers.referral.marketing import scene_code
from handlers.referral.names import public_name
from handlers.referral.settings import ReferralSettings
from handlers.referral.stats import own_standing
from handlers.referral.tiers import fen_to_yuan
from handlers.topics import Choices, first_choice, named_choices
from models.customer import Customer

log = logging.getLogger("csbot.referral")

router = Router("referral")

#: What a `referral` message may ask besides a card; their words are the `referral` section of scripts_zh/topics.yaml.
QUESTIONS = ("standing", "rules")
TOPICS_AREA = "referral"
#: WeChat menu button keys (CLICK events) the shop can give its menu.
MENU_CARD = "REFERRAL_CARD"
MENU_STANDING = "REFERRAL_STANDING"
#: Whole messages that stop or resume campaign pushes (compared upper-cased, without spaces).
OPT_OUT = frozenset({"退订", "TD", "取消订阅", "退订推送"})
OPT_IN = frozenset({"订阅", "恢复订阅"})

#: Why a friend's visit through a card did not count (attribution's reasons), as the reply tells them.
REFUSALS = {
    "self_referral": "referral.scan_own_card",
    "same_phone": "referral.scan_own_card",
    "existing_customer": "referral.scan_known_customer",
    "already_referred": "referral.scan_already_referred",
    "card_used": "referral.scan_card_used",
    "campaign_ended": "referral.scan_campaign_closed",
    "campaign_not_started": "referral.scan_campaign_closed",
}

SCRIPTS = (
    spec("referral.card", "title", "number", "left", "link", "image_url", "end_date"),
    spec("referral.card_last", "title", "number", "link", "image_url", "end_date"),
    spec("referral.share_copy", "share_copy"),
    spec("referral.default_share_copy", "title", "link"),
    spec("referral.cards_used_up", "title", "max_cards", "end_date"),
    spec("referral.rules", "title", "end_date", "bounties", "rates", "max_cards"),
    *terms.SCRIPTS,
    spec("referral.no_campaign"),
    spec("referral.unavailable"),
    spec("referral.standing", "title", "visited", "converted", "reward_yuan", "rank"),
    spec("referral.standing_pending", "title", "visited"),
    spec("referral.standing_none", "title"),
    spec("referral.welcome"),
    spec("referral.welcome_referred", "referrer"),
    spec("referral.opted_out"),
    spec("referral.opted_in"),
    *(spec(key) for key in dict.fromkeys(REFUSALS.values())),
)


def questions_checked(section: Any) -> list[str]:
    """The section's shape checked (TemplateError naming the entry); its names are not templates."""
    question_choices(section)
    return []


def question_choices(section: Any) -> Choices:
    return named_choices(section, QUESTIONS, TOPICS_AREA)


topics.register(TOPICS_AREA, questions_checked)


@router.intent("referral")
async def referral(ctx: Context) -> Reply:
    services = ctx.services
    choices = topics.area_data(services.settings.scripts_dir, TOPICS_AREA, services.templates, question_choices)
    question = first_choice(ctx.text, choices)
    if question == "standing":
        return await standing(ctx)
    if question == "rules":
        return await rules(ctx)
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
    end_date = last_day(campaign, services.settings.zone).isoformat()
    if issued.card is None:
        return Reply.say("referral.cards_used_up", title=campaign.title, max_cards=campaign.max_cards,
                         end_date=end_date)
    base = services.settings.public_base_url
    link = share_link(base, issued.card.code)
    fields = dict(title=campaign.title, number=issued.card.number, link=link,
                  image_url=card_image_url(base, issued.card.code), end_date=end_date)
    reply = Reply.say("referral.card", left=issued.left, **fields) if issued.left else Reply.say(
        "referral.card_last", **fields)
    if campaign.share_copy:
        return reply.then("referral.share_copy", share_copy=campaign.share_copy.replace("{link}", link))
    return reply.then("referral.default_share_copy", title=campaign.title, link=link)


async def rules(ctx: Context) -> Reply:
    """The running campaign's rules and rewards, its own tiers filled in; no card is issued."""
    services = ctx.services
    campaign = await active_campaign(services.clock.now())
    if campaign is None:
        return Reply.say("referral.no_campaign")
    return Reply.say("referral.rules", title=campaign.title,
                     end_date=last_day(campaign, services.settings.zone).isoformat(),
                     bounties=terms.bounties_text(campaign, services.templates),
                     rates=terms.rates_text(campaign, services.templates), max_cards=campaign.max_cards)


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
    if visit.referral is not None:  # counted now, or a friend back through the same card
        referrer: Customer = await visit.referral.referrer
        name = public_name(referrer, services.settings.area(ReferralSettings).board_names, services.templates)
        return Reply.say("referral.welcome_referred", referrer=name).tagged("referral")
    if visit.refused in REFUSALS:
        return Reply.say(REFUSALS[visit.refused]).tagged("referral")
    if event == "subscribe":  # a forged or foreign code: the plain welcome, and nothing to explain
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
