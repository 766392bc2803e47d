"""Campaigns: create, edit, find the active one, and describe one as JSON (CLI and admin API alike).

Marketing gives dates, not instants: a campaign runs from 00:00 of its first day to the end of its
last day in the shop's time zone (`starts_at` inclusive, `ends_at` exclusive). Its own texts (title,
朋友圈文案, landing text) reach customers, so they are checked against the forbidden phrases
(docs/rules.md R-WORDS-2) like every template.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.prebuilt_sql import Prebuilt, columns, load
from bot.templates import Templates
from handlers.referral.tiers import DEFAULT_TIERS, Tiers
from models.referral import Campaign

NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,31}")
TEXT_FIELDS = ("title", "share_copy", "landing_text")
DEFAULT_MAX_CARDS = 5
#: `Campaign.filter(starts_at__lte=now, ends_at__gt=now).order_by("-starts_at", "-id").first()`, written once.
_ACTIVE = Prebuilt(lambda: (
    f"SELECT {columns(Campaign, 'c')} FROM referral_campaign c WHERE c.starts_at <= ? AND c.ends_at > ? "
    "ORDER BY c.starts_at DESC, c.id DESC LIMIT 1"))


class CampaignError(ValueError):
    """Input marketing can correct; the message says what is wrong."""


@dataclass(frozen=True, slots=True)
class Changes:
    """What a create or an edit sets; None leaves a field as it is (an edit) or at its default."""

    title: str | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    bounties: str | None = None  # "1:4000,4:5000,7:6000" (yuan), see `Tiers.parse`
    rates: str | None = None  # "1:2%,4:2.5%,7:3%"
    max_cards: int | None = None
    share_copy: str | None = None
    landing_text: str | None = None


def parse_changes(values: Mapping[str, Any]) -> Changes:
    """Changes from the CLI's options or the API's JSON (same names); raises CampaignError on bad input."""
    known = {name: values.get(name) for name in Changes.__dataclass_fields__ if values.get(name) is not None}
    try:
        for name in ("starts_on", "ends_on"):
            if name in known and not isinstance(known[name], date):
                known[name] = date.fromisoformat(str(known[name]))
        if "max_cards" in known:
            if isinstance(known["max_cards"], bool):
                raise ValueError("max_cards must be a number")
            known["max_cards"] = int(known["max_cards"])
    except (TypeError, ValueError) as exc:
        raise CampaignError(str(exc)) from None
    for name in ("title", "bounties", "rates", "share_copy", "landing_text"):
        if name in known and not isinstance(known[name], str):
            raise CampaignError(f"{name} must be text")
    return Changes(**known)


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The start of a shop-local day, in UTC (datetimes are stored and compared in UTC)."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def is_open(campaign: Campaign, now: datetime) -> bool:
    return campaign.starts_at <= now < campaign.ends_at


def last_day(campaign: Campaign, zone: ZoneInfo) -> date:
    return (campaign.ends_at.astimezone(zone) - timedelta(microseconds=1)).date()


async def active_campaign(now: datetime) -> Campaign | None:
    """The campaign running now; when several overlap, the one that started last. Prebuilt (a card or
    standing request is a customer's message): `now` travels as the ORM's filter sends it."""
    rows = await _ACTIVE.rows(now, now)
    return load(Campaign, rows[0]) if rows else None


async def current_or_latest(now: datetime) -> Campaign | None:
    """The running campaign, else the latest that has started (a customer asking about their standing)."""
    return await active_campaign(now) or await Campaign.filter(starts_at__lte=now).order_by("-ends_at").first()


async def get_campaign(name: str) -> Campaign:
    campaign = await Campaign.get_or_none(name=name) if NAME.fullmatch(name) else None  # no query for impossible names
    if campaign is None:
        raise CampaignError(f"no campaign named {name!r}")
    return campaign


async def create_campaign(name: str, changes: Changes, *, now: datetime, zone: ZoneInfo,
                          templates: Templates) -> Campaign:
    if not NAME.fullmatch(name):
        raise CampaignError("name: 1-32 lower-case letters, digits or -, starting with a letter or digit")
    if await Campaign.exists(name=name):
        raise CampaignError(f"a campaign named {name!r} exists; edit it instead")
    if not (changes.title and changes.starts_on and changes.ends_on):
        raise CampaignError("title, start and end are required")
    campaign = Campaign(name=name, tiers=DEFAULT_TIERS.to_json(), max_cards=DEFAULT_MAX_CARDS,
                        created_at=now)
    _apply(campaign, changes, now=now, zone=zone, templates=templates)
    await campaign.save()
    return campaign


async def edit_campaign(campaign: Campaign, changes: Changes, *, now: datetime, zone: ZoneInfo,
                        templates: Templates) -> Campaign:
    _apply(campaign, changes, now=now, zone=zone, templates=templates)
    await campaign.save()
    return campaign


def _apply(campaign: Campaign, changes: Changes, *, now: datetime, zone: ZoneInfo, templates: Templates) -> None:
    for field in TEXT_FIELDS:
        text = getattr(changes, field)
        if text is None:
            continue
        forbidden = templates.forbidden_in(text)
        if forbidden:
            raise CampaignError(f"{field} uses forbidden phrases: {'、'.join(forbidden)}")
        setattr(campaign, field, text.strip() or None)
    if changes.starts_on is not None:
        campaign.starts_at = local_midnight(changes.starts_on, zone)
    if changes.ends_on is not None:
        campaign.ends_at = local_midnight(changes.ends_on + timedelta(days=1), zone)
    if campaign.ends_at <= campaign.starts_at:
        raise CampaignError("the campaign must end on or after the day it starts")
    if changes.bounties is not None or changes.rates is not None:
        bounties, rates = tiers_of(campaign).describe()
        try:
            campaign.tiers = Tiers.parse(changes.bounties or bounties, changes.rates or rates).to_json()
        except ValueError as exc:
            raise CampaignError(f"tiers: {exc}") from None
    if changes.max_cards is not None:
        if not 1 <= changes.max_cards <= 100:
            raise CampaignError("max cards must be between 1 and 100")
        campaign.max_cards = changes.max_cards
    if not campaign.title:
        raise CampaignError("title is required")
    campaign.updated_at = now


def tiers_of(campaign: Campaign) -> Tiers:
    return Tiers.from_json(campaign.tiers)


def campaign_json(campaign: Campaign, zone: ZoneInfo, now: datetime) -> dict[str, Any]:
    bounties, rates = tiers_of(campaign).describe()
    return {
        "name": campaign.name, "title": campaign.title,
        "starts_on": campaign.starts_at.astimezone(zone).date().isoformat(),
        "ends_on": last_day(campaign, zone).isoformat(), "active": is_open(campaign, now),
        "bounties": bounties, "rates": rates, "max_cards": campaign.max_cards,
        "share_copy": campaign.share_copy, "landing_text": campaign.landing_text,
    }
