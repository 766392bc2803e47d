"""The 15 s / 20 s promise while a person holds the conversation (docs/rules.md R-TIME-1..5).

Deadlines are scheduler entries (in the store, so they survive restarts and fire once across
workers), named `<conversation id>:<episode start>`; a timer whose episode has since ended (the
agent answered, the conversation moved) finds nothing to do.

- Greeting: when an agent takes a conversation and has not written by `first response − margin`,
  the system greets on their behalf (问候语 + 征询语).
- Reply: each customer message while a person holds the conversation starts a wait; at
  `reply − margin` an unanswered wait gets a holding message (the shop's steps, rationed), the
  agent's console flashes, and a near-breach is recorded; after N misses in a row, or when no holding
  message may be sent (rationed out, or the channel refuses), the conversation is reassigned with
  its history, never to the agent who let it lapse. A wait still unanswered at `reply` is a breach.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from bot.config import Settings
from bot.runtime import Runtime
from handlers.handoff.queue import Queue
from models.agent import Agent
from models.conversation import Conversation

GREET, HOLD, BREACH = "sla-greet", "sla-hold", "sla-breach"
Reassign = Callable[[Conversation, str], Awaitable[None]]


def episode(conversation_id: int, started: datetime) -> str:
    return f"{conversation_id}:{started.timestamp():.3f}"


def parse_episode(member: str) -> tuple[int, str]:
    conversation_id, started = member.split(":", 1)
    return int(conversation_id), started


def greeting_due(conversation: Conversation, settings: Settings) -> datetime | None:
    """When the holder's first message is due (the 15 s promise), if someone holds it."""
    if conversation.assigned_at is None:
        return None
    return conversation.assigned_at + timedelta(seconds=settings.sla_first_response_s)


def reply_due(conversation: Conversation, settings: Settings) -> datetime | None:
    """When the waiting customer must have an answer (the 20 s promise), if anyone is waiting."""
    if conversation.waiting_since is None:
        return None
    return conversation.waiting_since + timedelta(seconds=settings.sla_reply_s)


def user_of(conversation: Conversation) -> tuple[str, str]:
    channel, user_id = conversation.key.split(":", 1)
    return channel, user_id


class SlaClock:
    def __init__(self, runtime: Runtime, queue: Queue, reassign: Reassign) -> None:
        self.runtime = runtime
        self.queue = queue
        self.reassign = reassign
        self.settings = runtime.settings
        self.clock = runtime.clock
        runtime.scheduler.on(GREET, self._greeting_due)
        runtime.scheduler.on(HOLD, self._hold_due)
        runtime.scheduler.on(BREACH, self._breach_due)

    # --- starting clocks ---
    async def assigned(self, conversation: Conversation) -> None:
        assert conversation.assigned_at is not None
        due = conversation.assigned_at + timedelta(
            seconds=self.settings.sla_first_response_s - self.settings.sla_hold_margin_s
        )
        await self.runtime.scheduler.at(GREET, episode(conversation.id, conversation.assigned_at), due)

    async def customer_wrote(self, conversation: Conversation) -> None:
        if conversation.waiting_since is None:
            await self._start_wait(conversation, self.clock.now())

    async def _start_wait(self, conversation: Conversation, since: datetime) -> None:
        conversation.waiting_since = since
        await conversation.save(update_fields=["waiting_since"])
        member = episode(conversation.id, since)
        reply = timedelta(seconds=self.settings.sla_reply_s)
        margin = timedelta(seconds=self.settings.sla_hold_margin_s)
        await self.runtime.scheduler.at(HOLD, member, since + reply - margin)
        await self.runtime.scheduler.at(BREACH, member, since + reply)

    # --- the agent answers ---
    async def agent_wrote(self, conversation: Conversation, agent: Agent) -> None:
        now = self.clock.now()
        if conversation.first_reply_at is None and conversation.assigned_at is not None:
            conversation.first_reply_at = now
            waited = (now - conversation.assigned_at).total_seconds()
            await self.queue.record(
                conversation,
                "greeting_sent",
                agent_id=agent.id,
                due_at=greeting_due(conversation, self.settings),
                waited_s=waited,
                within=waited <= self.settings.sla_first_response_s,
            )
        if conversation.waiting_since is not None:
            waited = (now - conversation.waiting_since).total_seconds()
            await self.queue.record(
                conversation,
                "reply_sent",
                agent_id=agent.id,
                due_at=reply_due(conversation, self.settings),
                waited_s=waited,
                within=waited <= self.settings.sla_reply_s,
            )
        conversation.waiting_since, conversation.misses = None, 0
        await conversation.save(update_fields=["first_reply_at", "waiting_since", "misses"])

    # --- timers ---
    async def _current(self, member: str, started_field: str) -> Conversation | None:
        conversation_id, started = parse_episode(member)
        conversation = await Conversation.get_or_none(id=conversation_id)
        if conversation is None or conversation.status != "handoff":
            return None
        moment = getattr(conversation, started_field)
        if moment is None or f"{moment.timestamp():.3f}" != started:
            return None
        return conversation

    async def _greeting_due(self, member: str) -> None:
        conversation = await self._current(member, "assigned_at")
        if conversation is None or conversation.first_reply_at is not None:
            return
        agent = await Agent.get(id=conversation.assignee_id)
        outcome = await self.say(conversation, "handoff.auto_greeting", agent_name=agent.name)
        conversation.first_reply_at = self.clock.now()
        await conversation.save(update_fields=["first_reply_at"])
        waited = (self.clock.now() - conversation.assigned_at).total_seconds()
        await self.queue.record(
            conversation,
            "auto_greeting",
            due_at=greeting_due(conversation, self.settings),
            waited_s=waited,
            within=outcome == "sent" and waited <= self.settings.sla_first_response_s,
        )

    async def _hold_due(self, member: str) -> None:
        conversation = await self._current(member, "waiting_since")
        if conversation is None:
            return
        waited = (self.clock.now() - conversation.waiting_since).total_seconds()
        conversation.misses += 1
        await conversation.save(update_fields=["misses"])
        await self.queue.record(
            conversation, "near_breach", waited_s=waited, due_at=reply_due(conversation, self.settings)
        )
        await self.queue.notify(
            conversation.assignee_id,
            {
                "type": "sla.alert",
                "conversation_id": conversation.id,
                "seconds_left": max(0.0, self.settings.sla_reply_s - waited),
            },
        )
        if conversation.misses >= self.settings.sla_misses_before_reassign:
            await self.reassign(conversation, "missed_replies")
            return
        if conversation.holding_sent < self.settings.sla_max_holding_messages:
            step = conversation.holding_sent
            if await self.say(conversation, "handoff.holding", seed=step) == "sent":
                conversation.holding_sent += 1
                await conversation.save(update_fields=["holding_sent"])
                await self.queue.record(
                    conversation,
                    "holding_message",
                    waited_s=waited,
                    within=True,
                    detail=f"step {step + 1}",
                    due_at=reply_due(conversation, self.settings),
                )
                await self._start_wait(conversation, self.clock.now())
                return
        await self.reassign(conversation, "holding_unavailable")

    async def _breach_due(self, member: str) -> None:
        conversation = await self._current(member, "waiting_since")
        if conversation is None:
            return
        waited = (self.clock.now() - conversation.waiting_since).total_seconds()
        await self.queue.record(
            conversation, "breach", waited_s=waited, within=False, due_at=reply_due(conversation, self.settings)
        )
        await self.reassign(conversation, "breach")

    async def say(self, conversation: Conversation, key: str, seed: int = 0, **fields: object) -> str:
        """Send a system message in the customer's channel; returns "sent" or the refusal reason."""
        channel, user_id = user_of(conversation)
        text = self.runtime.templates.render_safe(key, fields, seed=seed)
        outcomes = await self.runtime.outbox.send(channel, user_id, [text], author="system")
        return outcomes[0] if outcomes else "sent"
