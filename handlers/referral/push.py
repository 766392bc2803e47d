"""Pushing a campaign to a segment of customers, resumable and at most once per customer.

Segments: `members` (会员), `buyers` (paid orders in a date range, by identity or phone), `tag:<name>`.
A push is one row per (campaign, segment) with one row per recipient, each moving
pending → sending → sent | failed | skipped. A recipient is claimed (pending → sending) before
anything is sent, so a crash or Ctrl-C and a re-run continue with the rest and never send twice;
a recipient caught mid-send by the crash may or may not have got the message, and is marked
`interrupted` on the next run rather than risk a duplicate (stats show how many).

Routes, decided when the recipient's turn comes (so a 退订 during the push is honoured); everything is
sent through the `CustomerMessenger` (bot/messenger.py), which also knows the platforms' push windows:
- opted out (退订): skipped;
- WeChat inside its push window (48 h): a customer-service message (`kf`), recorded with its
  delivery outcome like every outbound message; refused as outside the window, or outside it to
  begin with: a template message when the shop configured one, else skipped;
- any other channel the bot runs (web chat): a message there;
- a channel the bot does not run: skipped.
Sends are paced at `REFERRAL_PUSH_PER_SECOND` on the injected clock.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from tortoise.expressions import Q

from bot.errors import ChannelError
from handlers.referral.campaigns import last_day, local_midnight
from handlers.referral.people import PAID_STATUSES
from models.customer import Customer
from models.order import Order
from models.referral import Campaign, CustomerTag, Push, PushRecipient

if TYPE_CHECKING:
    from bot.messenger import CustomerMessenger
    from handlers.referral.desk import ReferralDesk

OUTSIDE_WINDOW = "outside_48h_window"
BOARD_PATH = "/referral/{name}/board"

SCRIPT_KEYS = ("referral.push", "referral.push_template_first", "referral.push_template_remark")


@dataclass(frozen=True, slots=True)
class Segment:
    kind: str  # members, buyers, tag
    tag: str | None = None
    since: date | None = None
    until: date | None = None

    @classmethod
    def parse(cls, text: str, since: date | None = None, until: date | None = None) -> Segment:
        kind, _, tag = text.partition(":")
        if kind == "tag" and tag.strip():
            return cls("tag", tag=tag.strip())
        if kind == "members" and not tag:
            return cls("members")
        if kind == "buyers" and not tag:
            if since and until and until < since:
                raise ValueError("--until is before --since")
            return cls("buyers", since=since, until=until)
        raise ValueError("segment must be members, buyers (with --since/--until) or tag:<name>")

    @property
    def key(self) -> str:
        if self.kind == "tag":
            return f"tag:{self.tag}"
        if self.kind == "buyers":
            return f"buyers:{self.since or ''}..{self.until or ''}"
        return self.kind


@dataclass(frozen=True, slots=True)
class Planned:
    customer: Customer
    route: str  # kf, template, a channel name, or skip:<reason>


@dataclass
class Report:
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    interrupted: int = 0
    already_done: int = 0


async def segment_customers(segment: Segment, desk: ReferralDesk) -> list[Customer]:
    if segment.kind == "members":
        return await Customer.filter(is_vip=True).order_by("id")
    if segment.kind == "tag":
        ids = await CustomerTag.filter(tag=segment.tag).values_list("customer_id", flat=True)
        return await Customer.filter(id__in=ids).order_by("id")
    zone = desk.zone
    orders = Order.filter(status__in=PAID_STATUSES, paid_at__isnull=False)
    if segment.since:
        orders = orders.filter(paid_at__gte=local_midnight(segment.since, zone))
    if segment.until:
        orders = orders.filter(paid_at__lt=local_midnight(segment.until + timedelta(days=1), zone))
    rows = await orders.values_list("customer_id", "phone")
    ids = sorted({customer_id for customer_id, _ in rows if customer_id})
    phones = sorted({phone for _, phone in rows if phone})
    return await Customer.filter(Q(id__in=ids) | Q(phone__in=phones)).order_by("id") if ids or phones else []


def route(customer: Customer, messenger: CustomerMessenger, template_id: str | None) -> str:
    if customer.opted_out:
        return "skip:opted_out"
    if not messenger.reaches(customer.channel):
        return "skip:no_channel"
    if not messenger.windowed(customer.channel):
        return customer.channel
    if messenger.in_window(customer.channel, customer.last_inbound_at):
        return "kf"
    if not messenger.has_templates(customer.channel):
        return "skip:outside_window"
    return "template" if template_id else "skip:no_template"


async def plan(campaign: Campaign, segment: Segment, desk: ReferralDesk) -> list[Planned]:
    """Who would get the push and how (a dry run)."""
    template_id = desk.settings.push_template_id
    return [Planned(customer, route(customer, desk.messenger, template_id))
            for customer in await segment_customers(segment, desk)]


async def run_push(campaign: Campaign, segment: Segment, desk: ReferralDesk,
                   progress: Callable[[int], None] | None = None) -> Report:
    clock = desk.clock
    push, _ = await Push.get_or_create(campaign=campaign, segment=segment.key, defaults={"created_at": clock.now()})
    report = Report()
    report.interrupted = await PushRecipient.filter(push=push, status="sending").update(
        status="interrupted", updated_at=clock.now())
    customers = await segment_customers(segment, desk)
    await PushRecipient.bulk_create([PushRecipient(push=push, customer=c) for c in customers], ignore_conflicts=True)
    report.already_done = await PushRecipient.filter(push=push).exclude(status="pending").count()
    settings = desk.settings
    pace = 1 / settings.push_per_second
    content = _content(campaign, desk)
    for recipient in await PushRecipient.filter(push=push, status="pending").order_by("id"):
        claimed = await PushRecipient.filter(id=recipient.id, status="pending").update(
            status="sending", updated_at=clock.now())
        if not claimed:  # another run of the same push took it
            continue
        customer = await Customer.get(id=recipient.customer_id)
        status, method, detail = await _deliver(customer, content, desk.messenger, settings.push_template_id)
        await PushRecipient.filter(id=recipient.id).update(status=status, method=method, detail=detail,
                                                           updated_at=clock.now())
        setattr(report, status, getattr(report, status) + 1)
        if progress is not None:
            progress(1)
        if status != "skipped":
            await clock.sleep(pace)
    push.finished_at = clock.now()
    await push.save(update_fields=["finished_at"])
    return report


@dataclass(frozen=True, slots=True)
class _Content:
    text: str
    template_fields: dict[str, str]
    url: str


def _content(campaign: Campaign, desk: ReferralDesk) -> _Content:
    templates, settings = desk.templates, desk.core
    url = settings.public_base_url + BOARD_PATH.format(name=campaign.name)
    end_date = last_day(campaign, settings.zone).isoformat()
    fields: dict[str, Any] = {"title": campaign.title, "end_date": end_date, "board_url": url}
    return _Content(
        text=templates.render("referral.push", fields),
        template_fields={"first": templates.render("referral.push_template_first", fields),
                         "keyword1": campaign.title, "keyword2": end_date,
                         "remark": templates.render("referral.push_template_remark", fields)},
        url=url)


async def _deliver(customer: Customer, content: _Content, messenger: CustomerMessenger,
                   template_id: str | None) -> tuple[str, str | None, str | None]:
    """(status, method, detail) for one recipient."""
    way = route(customer, messenger, template_id)
    if way.startswith("skip:"):
        return "skipped", None, way.removeprefix("skip:")
    if way != "template":
        outcomes = await messenger.send_text(customer.channel, customer.external_id, content.text, author="campaign")
        outcome = next((o for o in outcomes or ["no_channel"] if o != "sent"), "sent")
        if outcome == "sent":
            return "sent", way, None
        if not (outcome == OUTSIDE_WINDOW and template_id and messenger.has_templates(customer.channel)):
            return "failed", way, outcome
    assert template_id is not None  # route() chose the template, or the window closed with one set
    try:
        await messenger.template_message(customer.external_id, template_id, content.template_fields, content.url)
    except ChannelError as exc:
        return "failed", "template", getattr(exc, "reason", type(exc).__name__)
    return "sent", "template", None
