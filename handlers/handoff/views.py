"""How conversations, messages and the supervisor's summary look to the console (handlers/handoff/schemas.py)."""

from __future__ import annotations

from datetime import datetime

from tortoise.functions import Count, Max

from bot.authors import AGENT_PREFIX, agent_of
from bot.config import Settings
from bot.hours import shop_midnight
from bot.phones import mask_phone
from bot.promises import outcomes, shop_day
from handlers.handoff.delivery import message_delivery
from handlers.handoff.labels import reason_label
from handlers.handoff.people import sends_left
from handlers.handoff.queue import serving_online
from handlers.handoff.schemas import (
    ConversationOut,
    CustomerOut,
    LastMessage,
    MessageOut,
    NearBreach,
    Person,
    ReplyNotDelivered,
    SlaOut,
    SupervisorOut,
    Today,
)
from handlers.handoff.service import Handoff
from handlers.handoff.sla import greeting_due, reply_due
from models.agent import Agent
from models.conversation import Conversation
from models.customer import Customer
from models.handoff import SlaEvent
from models.message import Message


def customer_out(customer: Customer) -> CustomerOut:
    return CustomerOut(label=customer.name or f"{customer.channel} …{customer.external_id[-6:]}",
                       channel=customer.channel, vip=customer.is_vip, phone_masked=mask_phone(customer.phone))


def message_out(message: Message, now: datetime) -> MessageOut:
    """A message as the console shows it, its delivery judged at `now` (a row pending for long is unconfirmed)."""
    delivery, kind = message_delivery(message.direction, message.delivery_status, message.failure_reason,
                                      (now - message.created_at).total_seconds())
    return MessageOut(id=message.id, direction=message.direction, author=message.author, text=message.text,
                      kind=message.kind, created_at=message.created_at, delivery_status=message.delivery_status,
                      failure_reason=message.failure_reason, delivery=delivery, failure_category=kind)


def sla_out(conversation: Conversation, settings: Settings) -> SlaOut:
    """The clock the console counts down, as the customer counts it: the open question's (its
    original time, even when it was asked of an earlier holder), else the greeting's."""
    if conversation.status != "handoff":
        return SlaOut(kind=None, due_at=None)
    if (due := reply_due(conversation, settings)) is not None:
        return SlaOut(kind="reply", due_at=due)
    if conversation.first_reply_at is None and (due := greeting_due(conversation, settings)) is not None:
        return SlaOut(kind="greeting", due_at=due)
    return SlaOut(kind=None, due_at=None)


async def conversation_out(conversation: Conversation, handoff: Handoff) -> ConversationOut:
    customer = await Customer.get(id=conversation.customer_id)
    assignee = await Agent.get_or_none(id=conversation.assignee_id) if conversation.assignee_id else None
    last = await Message.filter(conversation_id=conversation.id).order_by("-created_at", "-id").first()
    return ConversationOut(
        conversation_id=conversation.id,
        status=conversation.status,
        reason=conversation.escalation_reason,
        reason_label=reason_label(handoff.templates, conversation.escalation_reason),
        customer=customer_out(customer),
        assignee=Person(id=assignee.id, name=assignee.name) if assignee else None,
        assigned_at=conversation.assigned_at if assignee else None,
        sla=sla_out(conversation, handoff.settings),
        sends_left=await sends_left(handoff.messenger, conversation),
        last_message=LastMessage(text=last.text, author=last.author, created_at=last.created_at) if last else None,
    )


async def replies_not_delivered(now: datetime) -> list[ReplyNotDelivered]:
    """The held conversations whose latest reply from a person is undelivered or unconfirmed, as the agent's
    view marks it (`message_delivery`), newest first. A supervisor sees at a glance who replied in vain: a
    refused reply keeps the customer waiting (it looks like an idle agent in the near-breach list), one
    refused for good (the 48-hour window) needs another way to reach the customer, and an unconfirmed one
    may need asking. Only a reply of the current hand-off counts (one from before the customer was last
    escalated was answered for, or handed back, then). Read by the conversation: the held ones, their
    messages by the conversation's index."""
    held = dict(await Conversation.filter(status="handoff").values_list("id", "escalated_at"))
    if not held:
        return []
    latest = await Message.filter(conversation_id__in=held, direction="out", author__startswith=AGENT_PREFIX).group_by(
        "conversation_id").annotate(last=Max("id")).values_list("last", flat=True)
    replies = await Message.filter(id__in=latest).order_by("-created_at", "-id")
    writers = {agent_of(reply.author) for reply in replies} - {None}
    names = dict(await Agent.filter(id__in=writers).values_list("id", "name"))
    shown = []
    for reply in replies:
        escalated_at = held[reply.conversation_id]
        if escalated_at is not None and reply.created_at < escalated_at:
            continue
        delivery, kind = message_delivery(reply.direction, reply.delivery_status, reply.failure_reason,
                                          (now - reply.created_at).total_seconds())
        if delivery in ("unconfirmed", "undelivered"):
            shown.append(ReplyNotDelivered(conversation_id=reply.conversation_id, delivery=delivery,
                                           agent=names.get(agent_of(reply.author)), failure_category=kind,
                                           created_at=reply.created_at))
    return shown


async def supervisor_summary(handoff: Handoff) -> SupervisorOut:
    """The queue, who is near a breach, replies not delivered, and today's figures: the promises counted
    by the rule the `response_time` report counts them by (bot/promises.py), so a customer never
    reached or never answered is a broken promise here too, not one that dropped out."""
    settings, now = handoff.settings, handoff.clock.now()
    midnight = shop_midnight(now, settings.zone)
    promised = await outcomes(handoff.queue.services, shop_day(now, settings.zone))
    rows = await SlaEvent.filter(at__gte=midnight).group_by("kind", "within").annotate(n=Count("id")).values(
        "kind", "within", "n")

    def count(kind: str, within: bool | None = None) -> int:
        return sum(r["n"] for r in rows if r["kind"] == kind and (within is None or r["within"] == within))

    near = []
    for conversation in await Conversation.filter(status="handoff", waiting_since__not_isnull=True):
        left = settings.sla_reply_s - (now - conversation.waiting_since).total_seconds()
        if left <= 2 * settings.sla_hold_margin_s:  # the holding message is due within a margin
            assignee = await Agent.get_or_none(id=conversation.assignee_id)
            near.append(NearBreach(conversation_id=conversation.id, agent=assignee.name if assignee else None,
                                   seconds_left=round(left, 1)))
    return SupervisorOut(
        queue_length=await Conversation.filter(status="queued").count(),
        agents_online=await serving_online().count(),
        near_breach=near,
        replies_not_delivered=await replies_not_delivered(now),
        today=Today(
            since=midnight,
            **{f"{measure}_{part}": figure for measure, found in promised.items()
               for part, figure in (("due", len(found)), ("kept", sum(o.kept for o in found)))},
            handovers=count("queued"),
            person_reached=count("person_reached"),
            person_within_sla=count("person_reached", True),
            messages=count("acknowledged"),
            acknowledged_within_sla=count("acknowledged", True),
            answered_by_person=count("person_answered"),
            person_answered_within_sla=count("person_answered", True),
            breaches=count("breach"),
            alerts=count("alert"),
            holding_messages=count("holding_message"),
            reassigned=count("reassigned"),
        ),
        generated_at=datetime.fromtimestamp(handoff.clock.time(), now.tzinfo),
    )
