"""After the store lost its data (a Redis restart without persistence), rebuild what handoff keeps there.

Who holds a conversation (`handoff:<key>`, read on every customer message) and the SLA and offer
deadlines live in the store; the database has everything needed to rebuild them: a conversation's
status, when it was queued and assigned, whether the agent has written, and since when the customer
waits. Deadlines are re-armed with `Scheduler.ensure`, so one already set is never moved; a deadline
already past fires at once, and each timer checks the conversation's episode before acting, so a
re-armed timer of an episode that has ended does nothing (see `sla`).
"""

from __future__ import annotations

from datetime import timedelta

from bot.runtime import Runtime
from handlers.handoff.service import HANDOFF, OFFER
from handlers.handoff.sla import BREACH, GREET, HOLD, episode, greeting_due, reply_due
from models.conversation import Conversation


async def reconcile(runtime: Runtime, store_lost: bool) -> None:
    if not store_lost:
        return  # handoff's deadlines are armed by events, not recurring
    handoff = runtime.services[HANDOFF]
    settings, scheduler = runtime.settings, runtime.scheduler
    margin = timedelta(seconds=settings.sla_hold_margin_s)
    offer_after = timedelta(seconds=settings.queue_offer_message_after_s)
    for conversation in await Conversation.filter(status__in=("queued", "handoff")):
        await handoff.queue.publish_holder(conversation)
        if conversation.status == "queued" and conversation.queued_at is not None:
            await scheduler.ensure(OFFER, str(conversation.id), conversation.queued_at + offer_after)
            continue
        greet_by = greeting_due(conversation, settings)
        if greet_by is not None and conversation.first_reply_at is None:
            await scheduler.ensure(GREET, episode(conversation.id, conversation.assigned_at), greet_by - margin)
        answer_by = reply_due(conversation, settings)
        if answer_by is not None:
            member = episode(conversation.id, conversation.waiting_since)
            await scheduler.ensure(HOLD, member, answer_by - margin)
            await scheduler.ensure(BREACH, member, answer_by)
