"""After the store lost its data (a Redis restart without persistence), rebuild what handoff keeps there.

Who holds a conversation (`handoff:<key>`, read on every customer message) and the SLA and offer
deadlines live in the store; the database has everything needed to rebuild them: a conversation's
status, when it was queued and assigned, whether the agent has written, and since when the customer
waits. Deadlines are re-armed with `Scheduler.ensure`, so one already set is never moved; a deadline
already past fires at once, and each timer checks the conversation's episode before acting, so a
re-armed timer of an episode that has ended does nothing (see `sla`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.authors import agent_of
from handlers.handoff.queue import greeting_grace
from handlers.handoff.service import ALERT, IDLE, OFFER, Handoff
from handlers.handoff.sla import ACK, GREET, LAPSE, MOVE, REASSIGN, episode, owed_from
from models.conversation import Conversation
from models.message import Message


async def reconcile(handoff: Handoff, store_lost: bool) -> None:
    if not store_lost:  # deadlines are armed by events; an escalation's may have failed to be written
        await _ensure_recent_queue_deadlines(handoff)
        return
    settings, scheduler = handoff.settings, handoff.scheduler
    greet_after = greeting_grace(settings)
    ack_after = timedelta(seconds=settings.sla_reply_s - settings.sla_hold_margin_s)
    for conversation in await Conversation.filter(status__in=("queued", "handoff")):
        await handoff.queue.publish_holder(conversation)
        if conversation.unacked_since is not None:  # queued again after a lapse, or held
            await scheduler.ensure(ACK, episode(conversation.id, conversation.unacked_since),
                                   conversation.unacked_since + ack_after)
        if conversation.status == "queued" and conversation.queued_at is not None:
            await _ensure_queue_deadlines(handoff, conversation.id, conversation.queued_at, only_ahead=False)
            continue
        if conversation.assigned_at is not None and conversation.first_reply_at is None:
            due = conversation.assigned_at + (greet_after if conversation.person_at is not None else timedelta())
            await scheduler.ensure(GREET, episode(conversation.id, conversation.assigned_at), due)
        owed = owed_from(conversation)
        if owed is None:
            await _ensure_idle_release(handoff, conversation)
        else:
            member = episode(conversation.id, owed)
            await scheduler.ensure(MOVE, member, owed + timedelta(seconds=settings.sla_move_untouched_after_s))
            await scheduler.ensure(LAPSE, member, owed + timedelta(seconds=settings.sla_reply_s))
            await scheduler.ensure(REASSIGN, member, owed + timedelta(seconds=settings.sla_reassign_after_s))


async def _ensure_idle_release(handoff: Handoff, conversation: Conversation) -> None:
    """Nothing owed: the silence since the holder's last message runs toward handing it back."""
    last = await Message.filter(conversation_id=conversation.id).exclude(author="system").order_by("-id").first()
    if last is not None and agent_of(last.author) is not None:
        idle_after = timedelta(seconds=handoff.settings.handoff_idle_release_s)
        await handoff.scheduler.ensure(IDLE, episode(conversation.id, last.created_at), last.created_at + idle_after)


async def _ensure_recent_queue_deadlines(handoff: Handoff) -> None:
    """The offer (留言) and alert deadlines of conversations queued recently, re-armed if an escalation
    failed to write them (its store writes go together; one may fail while the database says queued).
    A pass runs every `reconcile_interval_s`, well within the first of them. Cheap: queued
    conversations only."""
    settings, now = handoff.settings, handoff.clock.now()
    recent = now - timedelta(seconds=max(settings.queue_offer_message_after_s, settings.queue_alert_after_s))
    for conversation_id, queued_at in await Conversation.filter(status="queued", queued_at__gt=recent).values_list(
            "id", "queued_at"):
        await _ensure_queue_deadlines(handoff, conversation_id, queued_at, only_ahead=True)


async def _ensure_queue_deadlines(handoff: Handoff, conversation_id: int, queued_at: datetime,
                                  only_ahead: bool) -> None:
    """A queued conversation's offer and alert deadlines (`Handoff.queue_deadlines`). `only_ahead`: the
    store was not lost, so one already past may have fired (a fired or cancelled deadline is gone from
    the store too) and is left alone; an offer cancelled before it was due may still be re-armed, and
    `Handoff` offers 留言 once per queue episode whatever fires."""
    offer_at, alert_at = handoff.queue_deadlines(queued_at)
    now = handoff.clock.now()
    if not only_ahead or alert_at > now:
        await handoff.scheduler.ensure(ALERT, episode(conversation_id, queued_at), alert_at)
    if not only_ahead or min(offer_at, alert_at) > now:  # an alert offers 留言 itself and cancels the offer
        await handoff.scheduler.ensure(OFFER, str(conversation_id), offer_at)
