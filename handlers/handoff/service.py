"""The handoff to people: one service that the chat handlers, the console API and the timers share.

It composes the queue (who holds what) and the SLA clock (the 15 s / 20 s promise), and decides
what the customer is told at each step: a place in the queue and the expected wait, that a person
is on the way, that it is outside staffed hours and when they are back, or an offer to leave a
message (留言) after waiting too long. Agents' messages go through here too, so the forbidden-language
check, long-message splitting and the SLA bookkeeping apply to every one of them.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from bot.context import Context, ServiceKey
from bot.events import Say
from bot.hours import StaffedHours
from bot.runtime import Runtime
from bot.splitter import split_message
from bot.state import ConversationState
from handlers.handoff.queue import Queue
from handlers.handoff.sla import SlaClock, user_of
from models.agent import Agent
from models.conversation import Conversation
from models.customer import Customer
from models.handoff import HandoverNote, LeftMessage

OFFER = "handoff-offer"
#: Reassignment reasons that say the agent is not at the console (not merely slow once).
WALKED_AWAY = frozenset({"missed_replies", "breach"})
TIME_FORMAT = "%m-%d %H:%M"


class ForbiddenLanguage(Exception):
    def __init__(self, phrases: list[str]) -> None:
        super().__init__(", ".join(phrases))
        self.phrases = phrases


class Handoff:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.settings = runtime.settings
        self.clock = runtime.clock
        self.queue = Queue(runtime)
        self.sla = SlaClock(runtime, self.queue, self.reassign)
        self.hours = StaffedHours(self.settings.staffed_hours, self.settings.zone)
        runtime.scheduler.on(OFFER, self._offer_due)

    def local(self, moment: datetime) -> str:
        return moment.astimezone(self.settings.zone).strftime(TIME_FORMAT)

    # --- a reply escalated: queue the conversation and tell the customer what happens ---
    async def escalate(self, ctx: Context, reason: str) -> list[Say]:
        now = self.clock.now()
        if not self.hours.is_open(now):
            ctx.state.start_flow("handoff.leave_message")
            return [Say("handoff.closed_hours", {"back_at": self.local(self.hours.next_open(now))})]
        conversation = await Conversation.get(id=ctx.identity.conversation_id)
        if conversation.status == "handoff":
            return []
        customer = await Customer.get(id=ctx.identity.customer_id)
        await self.queue.enqueue(conversation, vip=customer.is_vip)
        await self.runtime.scheduler.at(
            OFFER, str(conversation.id), now + timedelta(seconds=self.settings.queue_offer_message_after_s)
        )
        for taken in await self.assign_waiting():
            if taken.id == conversation.id:
                agent = await Agent.get(id=taken.assignee_id)
                return [Say("handoff.assigned", {"agent_name": agent.name})]
        position = await self.queue.position(conversation)
        wait = max(1, math.ceil(position * self.settings.queue_minutes_per_position))
        return [Say("handoff.queued", {"position": position, "wait_minutes": wait})]

    async def assign_waiting(self) -> list[Conversation]:
        taken = await self.queue.assign_waiting()
        for conversation in taken:
            await self.sla.assigned(conversation)
        return taken

    # --- the customer writes while a person holds the conversation ---
    async def customer_wrote(self, conversation_id: int, text: str) -> None:
        conversation = await Conversation.get(id=conversation_id)
        if conversation.status != "handoff":
            return
        await self.sla.customer_wrote(conversation)
        await self.queue.notify(
            conversation.assignee_id,
            {
                "type": "message",
                "conversation_id": conversation.id,
                "message": {"direction": "in", "author": "customer", "text": text, "created_at": self.clock.time()},
            },
        )

    async def leave_message(self, ctx: Context, text: str) -> datetime:
        """Record a 留言 as a follow-up task and return the promised reply time."""
        now = self.clock.now()
        opens = self.hours.next_open(now)
        promised = max(now, opens) + timedelta(minutes=self.settings.message_reply_within_minutes)
        conversation = await Conversation.get(id=ctx.identity.conversation_id)
        await LeftMessage.create(conversation=conversation, text=text, promised_by=promised, created_at=now)
        if conversation.status == "queued":
            await self.queue.release(conversation, "bot")
        await self.queue.notify(None, {"type": "queue.changed"})
        return promised

    async def _offer_due(self, member: str) -> None:
        conversation = await Conversation.get_or_none(id=int(member))
        if conversation is None or conversation.status != "queued":
            return
        promised = self.clock.now() + timedelta(minutes=self.settings.message_reply_within_minutes)
        store = self.runtime.store
        async with store.lock(conversation.key):
            state = ConversationState.from_dict(await store.get_state(conversation.key))
            state.start_flow("handoff.leave_message")
            await store.set_state(conversation.key, state.to_dict())
        await self.sla.say(conversation, "handoff.offer_message", reply_by=self.local(promised))

    # --- agents ---
    async def agent_message(self, conversation: Conversation, agent: Agent, text: str, confirm: bool) -> list[str]:
        """Send an agent's message (split like the bot's); refuses forbidden language unless confirmed."""
        phrases = self.runtime.templates.forbidden_in(text)
        if phrases and not confirm:
            raise ForbiddenLanguage(phrases)
        channel, user_id = user_of(conversation)
        limit = self.runtime.channels[channel].max_bytes if channel in self.runtime.channels else 2000
        parts = split_message(text, limit)
        await self.runtime.outbox.send(channel, user_id, parts, author=f"agent:{agent.id}")
        await self.sla.agent_wrote(conversation, agent)
        await Customer.filter(id=conversation.customer_id).update(last_agent_id=agent.id)
        return parts

    async def set_presence(self, agent: Agent, presence: str) -> None:
        agent.presence, agent.last_seen_at = presence, self.clock.now()
        await agent.save(update_fields=["presence", "last_seen_at"])
        if presence == "online":
            await self.assign_waiting()
            return
        if presence == "offline":
            for conversation in await Conversation.filter(status="handoff", assignee_id=agent.id):
                await self.reassign(conversation, "agent_offline", lapsed=False)
        await self.queue.notify(None, {"type": "queue.changed"})

    async def take(self, conversation: Conversation, agent: Agent) -> bool:
        if not await self.queue.take(conversation, agent):
            return False
        await self.sla.assigned(conversation)
        return True

    async def reassign(self, conversation: Conversation, reason: str, lapsed: bool = True) -> None:
        """To another agent (or a supervisor), history intact; never back to an agent who lapsed."""
        previous = conversation.assignee_id
        if lapsed and previous is not None and previous not in conversation.lapsed_agents:
            conversation.lapsed_agents = [*conversation.lapsed_agents, previous]
        await self.queue.release(conversation, "queued")
        await self.queue.record(conversation, "reassigned", agent_id=previous, detail=reason)
        await self.queue.notify(previous, {"type": "conversation.updated", "conversation_id": conversation.id})
        if previous is not None and reason in WALKED_AWAY:
            await self._mark_away(previous)
        await self.sla.say(conversation, "handoff.reassigning")
        await self.assign_waiting()

    async def _mark_away(self, agent_id: int) -> None:
        """An agent who lets a customer's clock lapse again and again has most likely walked away: no new
        conversations go to them until they say they are back (their console shows it)."""
        if await Agent.filter(id=agent_id, presence="online").update(presence="away", last_seen_at=self.clock.now()):
            await self.queue.notify(agent_id, {"type": "presence.changed", "presence": "away"})

    async def hand_back(self, conversation: Conversation, agent: Agent) -> None:
        await self.queue.release(conversation, "bot")
        await self.queue.record(conversation, "handed_back", agent_id=agent.id)
        await self.sla.say(conversation, "handoff.handed_back")
        await self.assign_waiting()  # the agent has room again: the next customer in the queue

    async def transfer(self, conversation: Conversation, agent: Agent, target: Agent, note: str) -> None:
        """Hand the conversation to `target` with a note; the customer is never left without an owner."""
        if note.strip():
            await HandoverNote.create(
                conversation=conversation, author=agent, pending=note.strip(), created_at=self.clock.now()
            )
        conversation.assignee_id, conversation.assigned_at = target.id, self.clock.now()
        conversation.first_reply_at, conversation.misses, conversation.holding_sent = None, 0, 0
        await conversation.save()
        await self.queue.publish_holder(conversation)
        await self.queue.record(conversation, "transferred", agent_id=target.id, detail=f"from agent {agent.id}")
        await self.sla.assigned(conversation)
        await self.sla.say(conversation, "handoff.transferred", agent_name=target.name)
        await self.queue.notify(target.id, {"type": "conversation.assigned", "conversation_id": conversation.id})


HANDOFF = ServiceKey[Handoff]("handoff")
