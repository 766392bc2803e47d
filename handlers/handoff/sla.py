"""The 15 s / 20 s promise, kept and recorded from the customer's side (docs/rules.md R-TIME-1..5, docs/handoff-sla.md).

Three promises, each recorded as an `SlaEvent` with its due and actual time:

- `person_reached`: from the escalation (`queued_at`, queue time included) to the first message of a
  person, or the greeting sent on their behalf once someone holds the conversation; due in
  `SLA_FIRST_RESPONSE_S`. Once per escalation.
- `acknowledged`: any message to the customer (agent, holding message, greeting) within
  `SLA_REPLY_S` of a customer message (`unacked_since`, the oldest one not yet acknowledged).
- `person_answered`: the holder's own message after a customer message, timed from that message
  (`waiting_since`, the oldest one still owed), due in `SLA_REPLY_S`. Holding messages do not
  count and never reset it; a reassigned or transferred conversation keeps it: the next holder owes
  that answer.

Deadlines are scheduler entries (in the store, so they survive restarts and fire once across
workers), named `<conversation id>:<moment>`; a timer whose moment has since changed (answered,
moved on) finds nothing to do.

- Greeting: the first holder is greeted for (问候语 + 征询语) as soon as they hold the conversation;
  a later holder who has not written by `first response − margin` after taking over likewise. A
  handover nobody greeted keeps its holder from the next customer until then only (`greeting_grace`):
  the queue is served at that moment, written or not.
- Move: `SLA_MOVE_UNTOUCHED_AFTER_S` after a question whose holder has not started on it (their
  console has not pinged typing in this conversation since it was asked; answering other customers is not working on
  this one) while another agent is free to answer now (a free place, greeted, nobody waiting on
  them), the conversation goes to that agent ("slow_reply": not a lapse, it does not count toward
  judging the holder away).
- Acknowledge: at `reply − margin` after an unacknowledged message, a holding message (rationed,
  and never when the channel's send budget is needed for the answer itself); the holder's console
  flashes. When the holder is not at the console (away/offline) the conversation goes to someone
  with room now.
- Wrapping up (the customer only said thanks or goodbye): the goodbye is still owed and timed
  (answered, breach), but it is never moved, held for (no holding message) or counted as a lapse.
- Breach: a question still unanswered by a person at `reply` is recorded as a broken promise.
- Lapse: a question still unanswered `SLA_REASSIGN_AFTER_S` after the holder owed it is a lapse of
  the holder (a slow but present agent answers well before); it goes to someone with room, never
  back to an agent who lapsed on it. One lapse is one slow reply; several lapses in different
  conversations within a window, with no console action in between, mean the agent walked away
  (`on_lapse`). Time the store or the database was down (as this worker's scheduler saw it) does
  not count toward a lapse: nobody could answer then, so the holder's time is extended by it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from bot.config import Settings
from bot.context import Services
from bot.messenger import CustomerMessenger
from bot.scheduler import Scheduler
from handlers.handoff.people import may_spend, nickname, typed_since
from handlers.handoff.queue import Queue, greeting_grace
from models.agent import Agent
from models.conversation import Conversation

GREET, ACK, MOVE, LAPSE, REASSIGN = "sla-greet", "sla-ack", "sla-move", "sla-lapse", "sla-reassign"
#: A handover nobody greeted stops keeping its holder from the next customer (`greeting_grace`): a pass then.
READY = "sla-ready"
Reassign = Callable[..., Awaitable[None]]  # Handoff.reassign(conversation, reason, lapsed=, to=)
OnLapse = Callable[[int], Awaitable[None]]
AssignNext = Callable[[], Awaitable[object]]


def episode(conversation_id: int, started: datetime) -> str:
    return f"{conversation_id}:{started.timestamp():.3f}"


def parse_episode(member: str) -> tuple[int, str]:
    conversation_id, started = member.split(":", 1)
    return int(conversation_id), started


def stamp(moment: datetime | None) -> str | None:
    return None if moment is None else f"{moment.timestamp():.3f}"


def greeting_from(conversation: Conversation) -> datetime | None:
    """Whence the holder's greeting is timed: the escalation for the first holder, the handover after."""
    if conversation.assigned_at is None:
        return None
    if conversation.person_at is None and conversation.queued_at is not None:
        return conversation.queued_at
    return conversation.assigned_at


def greeting_due(conversation: Conversation, settings: Settings) -> datetime | None:
    """When the customer must hear from a person (the 15 s promise), if nobody greeted them yet."""
    start = greeting_from(conversation)
    return None if start is None else start + timedelta(seconds=settings.sla_first_response_s)


def reply_due(conversation: Conversation, settings: Settings) -> datetime | None:
    """When the oldest question still owed a person's answer must have it (the 20 s promise)."""
    if conversation.waiting_since is None:
        return None
    return conversation.waiting_since + timedelta(seconds=settings.sla_reply_s)


def owed_from(conversation: Conversation) -> datetime | None:
    """Since when the current holder owes the open answer: the question, or their taking over."""
    if conversation.waiting_since is None:
        return None
    if conversation.assigned_at is None:
        return conversation.waiting_since
    return max(conversation.waiting_since, conversation.assigned_at)


def user_of(conversation: Conversation) -> tuple[str, str]:
    channel, user_id = conversation.key.split(":", 1)
    return channel, user_id


class SlaClock:
    def __init__(self, services: Services, scheduler: Scheduler, messenger: CustomerMessenger, queue: Queue,
                 reassign: Reassign, on_lapse: OnLapse, assign_next: AssignNext) -> None:
        self.queue = queue
        self.reassign = reassign
        self.on_lapse = on_lapse
        self.assign_next = assign_next
        self.settings = services.settings
        self.clock = services.clock
        self.store = services.store
        self.templates = services.templates
        self.scheduler = scheduler
        self.messenger = messenger
        scheduler.on(GREET, self._greeting_due)
        scheduler.on(ACK, self._ack_due)
        scheduler.on(MOVE, self._move_due)
        scheduler.on(LAPSE, self._lapse_due)
        scheduler.on(REASSIGN, self._reassign_due)
        scheduler.on(READY, self._ready_due)

    def _seconds(self, value: float) -> timedelta:
        return timedelta(seconds=value)

    # --- starting clocks ---
    async def assigned(self, conversation: Conversation) -> None:
        """A holder took over: their greeting, and the open question if any, are now theirs to keep.

        The customer's first holder is greeted for at once: the customer asked for a person and one
        now holds the conversation (the 15 s run from the escalation, and the customer starts saying
        what they need sooner). A later holder (reassigned, transferred) has until `first response −
        margin` after taking over to write first; the customer was told who took over meanwhile."""
        assert conversation.assigned_at is not None
        due = conversation.assigned_at
        if conversation.person_at is not None:
            due += greeting_grace(self.settings)
        scheduler = self.scheduler
        await scheduler.at(GREET, episode(conversation.id, conversation.assigned_at), due)
        owed = owed_from(conversation)
        if owed is not None:
            await self._start_owed(conversation, owed)

    async def customer_wrote(self, conversation: Conversation) -> None:
        now = self.clock.now()
        fields = []
        if conversation.unacked_since is None:
            conversation.unacked_since = now
            fields.append("unacked_since")
            ack = now + self._seconds(self.settings.sla_reply_s - self.settings.sla_hold_margin_s)
            await self.scheduler.at(ACK, episode(conversation.id, now), ack)
        if conversation.waiting_since is None:
            conversation.waiting_since = now
            fields.append("waiting_since")
            await self._start_owed(conversation, now)
        if fields:
            await conversation.save(update_fields=fields)

    async def _start_owed(self, conversation: Conversation, owed: datetime) -> None:
        member = episode(conversation.id, owed)
        await self.scheduler.at(MOVE, member, owed + self._seconds(self.settings.sla_move_untouched_after_s))
        await self.scheduler.at(LAPSE, member, owed + self._seconds(self.settings.sla_reply_s))
        await self.scheduler.at(REASSIGN, member, owed + self._seconds(self.settings.sla_reassign_after_s))

    # --- messages reaching the customer ---
    async def agent_wrote(self, conversation: Conversation, agent: Agent) -> None:
        """The holder's own message: reaches, acknowledges and answers the customer."""
        now = self.clock.now()
        if conversation.first_reply_at is None:
            conversation.first_reply_at = now
        await self._reached(conversation, agent.id, "agent")
        await self._acknowledged(conversation, agent.id, "agent")
        if conversation.waiting_since is not None:
            await self._record("person_answered", conversation, agent.id, conversation.waiting_since,
                               self.settings.sla_reply_s)
            conversation.waiting_since = None
        await conversation.save(update_fields=["first_reply_at", "person_at", "unacked_since", "waiting_since"])

    async def _reached(self, conversation: Conversation, agent_id: int | None, how: str) -> None:
        if conversation.person_at is not None or conversation.queued_at is None:
            return
        conversation.person_at = self.clock.now()
        await self._record("person_reached", conversation, agent_id, conversation.queued_at,
                           self.settings.sla_first_response_s, detail=how)

    async def _acknowledged(self, conversation: Conversation, agent_id: int | None, how: str) -> None:
        if conversation.unacked_since is None:
            return
        await self._record("acknowledged", conversation, agent_id, conversation.unacked_since,
                           self.settings.sla_reply_s, detail=how)
        conversation.unacked_since = None

    async def _record(self, kind: str, conversation: Conversation, agent_id: int | None, since: datetime,
                      limit_s: float, detail: str | None = None) -> None:
        waited = (self.clock.now() - since).total_seconds()
        await self.queue.record(conversation, kind, agent_id=agent_id, due_at=since + self._seconds(limit_s),
                                waited_s=waited, within=waited <= limit_s, detail=detail)

    # --- timers ---
    async def current(self, member: str, moment: Callable[[Conversation], datetime | None],
                       statuses: tuple[str, ...] = ("handoff",)) -> Conversation | None:
        conversation_id, started = parse_episode(member)
        conversation = await Conversation.get_or_none(id=conversation_id)
        if conversation is None or conversation.status not in statuses:
            return None
        return conversation if stamp(moment(conversation)) == started else None

    async def _greeting_due(self, member: str) -> None:
        conversation = await self.current(member, lambda c: c.assigned_at)
        if conversation is None or conversation.first_reply_at is not None:
            return
        if conversation.person_at is not None and conversation.waiting_since is not None:
            # a later holder owes an answer, not a greeting (the customer was told who took over)
            await self._not_greeted(conversation)
            return
        if not await may_spend(self.messenger, conversation, keep=1):
            await self._not_greeted(conversation)  # the one message left is the holder's answer
            return
        agent = await Agent.get(id=conversation.assignee_id)
        outcome = await self.say(conversation, "handoff.auto_greeting", agent_name=nickname(self.templates, agent))
        if outcome != "sent":
            await self._not_greeted(conversation)
            return
        conversation.first_reply_at = self.clock.now()
        await self.queue.record(conversation, "auto_greeting", due_at=greeting_due(conversation, self.settings))
        await self._reached(conversation, conversation.assignee_id, "on_behalf")
        await self._acknowledged(conversation, conversation.assignee_id, "greeting")
        await conversation.save(update_fields=["first_reply_at", "person_at", "unacked_since"])
        await self.assign_next()  # the holder is greeted for: ready for the next one

    async def _not_greeted(self, conversation: Conversation) -> None:
        """Nobody greeted the customer for the holder: the handover keeps its holder from the next
        customer until `greeting_grace` after it (`Queue.ungreeted`), and then the queue is served,
        whether or not the holder has written by then (a later holder's greeting deadline is that
        moment: served now)."""
        assert conversation.assigned_at is not None
        ready_at = conversation.assigned_at + greeting_grace(self.settings)
        if ready_at <= self.clock.now():
            await self.assign_next()
        else:
            await self.scheduler.at(READY, episode(conversation.id, conversation.assigned_at), ready_at)

    async def _ready_due(self, member: str) -> None:
        """`_not_greeted`'s pass, for a handover still not greeted (a greeted one ran its own)."""
        conversation = await self.current(member, lambda c: c.assigned_at)
        if conversation is not None and conversation.first_reply_at is None:
            await self.assign_next()

    async def _ack_due(self, member: str) -> None:
        conversation = await self.current(member, lambda c: c.unacked_since, ("handoff", "queued"))
        if conversation is None:
            return
        waited = (self.clock.now() - conversation.unacked_since).total_seconds()
        await self.queue.record(conversation, "near_breach", waited_s=waited,
                                due_at=conversation.unacked_since + self._seconds(self.settings.sla_reply_s))
        if conversation.status == "handoff":
            await self.queue.notify(conversation.assignee_id, {
                "type": "sla.alert", "conversation_id": conversation.id,
                "seconds_left": max(0.0, self.settings.sla_reply_s - waited)})
            if await self.queue.wrapping_up(conversation.id):
                # the goodbye is owed (and timed), but the customer waits on no question: their thanks
                # is acknowledged with a closing word on the holder's behalf, never "please wait"
                await self._hold(conversation, waited, "handoff.closing_ack")
                return
            holder = await Agent.get_or_none(id=conversation.assignee_id)
            if holder is None or holder.presence != "online":  # nobody at that console: someone with room
                await self.reassign(conversation, "holder_away")
                return
        await self._hold(conversation, waited)

    async def _move_due(self, member: str) -> None:
        """`SLA_MOVE_UNTOUCHED_AFTER_S` after a question its holder has not started on (no typing
        since): to an agent free to answer now, if there is one; an answer beats a holding message."""
        conversation = await self.current(member, owed_from)
        if conversation is None or await self.queue.wrapping_up(conversation.id):
            return  # a customer saying thanks waits for no answer: the goodbye is not moved
        holder = await Agent.get_or_none(id=conversation.assignee_id)
        if holder is None or holder.presence != "online" or not await self._untouched(conversation, holder):
            return  # not at the console: the acknowledgement timer moves it; typing: it stays
        target = await self.queue.ready_to_answer(exclude=[holder.id, *await self.queue.barred(conversation)])
        if target is not None:
            await self.reassign(conversation, "slow_reply", lapsed=False, to=target)

    async def _untouched(self, conversation: Conversation, holder: Agent) -> bool:
        """The holder owes an answer and has not typed since they owed it (their own message would
        have answered it): nobody is about to answer it at that console. Busy in other conversations
        is not working on this one."""
        owed = owed_from(conversation)
        return owed is not None and not await typed_since(self.store, holder.id, conversation.id, owed)

    async def acknowledge(self, conversation: Conversation, how: str) -> None:
        """A system message that tells the customer what happens (who took over) acknowledges them."""
        await self._acknowledged(conversation, conversation.assignee_id, how)
        await conversation.save(update_fields=["unacked_since"])

    async def _hold(self, conversation: Conversation, waited: float, key: str = "handoff.holding") -> None:
        """A holding message (`key`), unless rationed out or the budget is needed for the answer itself."""
        if conversation.holding_sent >= self.settings.sla_max_holding_messages:
            return
        if not await may_spend(self.messenger, conversation, keep=self.settings.send_budget_reserve):
            await self.queue.record(conversation, "holding_skipped", waited_s=waited, detail="send budget")
            return
        step = conversation.holding_sent
        if await self.say(conversation, key, seed=step) != "sent":
            return
        conversation.holding_sent += 1
        await self.queue.record(conversation, "holding_message", waited_s=waited, detail=f"step {step + 1}")
        await self._acknowledged(conversation, conversation.assignee_id, "holding")
        await conversation.save(update_fields=["holding_sent", "unacked_since"])

    async def _lapse_due(self, member: str) -> None:
        conversation = await self.current(member, owed_from)
        if conversation is None:
            return
        assert conversation.waiting_since is not None
        waited = (self.clock.now() - conversation.waiting_since).total_seconds()
        await self.queue.record(conversation, "breach", waited_s=waited, within=False,
                                due_at=reply_due(conversation, self.settings))

    async def _reassign_due(self, member: str) -> None:
        """The holder lapsed on this question (a distracted but present agent answers before this);
        someone with room takes it over, and the lapse counts toward judging the holder away."""
        conversation = await self.current(member, owed_from)
        if conversation is None or await self.queue.wrapping_up(conversation.id):
            return  # an owed goodbye is not a lapse and is not moved
        owed, now, allowed = owed_from(conversation).timestamp(), self.clock.time(), self.settings.sla_reassign_after_s
        down = self.scheduler.down_between(owed, now)
        if down and now - owed - down < allowed:  # the store or database was down: time nobody could answer in
            await self.scheduler.at(REASSIGN, member, owed + allowed + down)
            return
        holder = conversation.assignee_id
        await self.queue.record(conversation, "lapse", agent_id=holder)
        await self.reassign(conversation, "missed_replies")
        if holder is not None:
            await self.on_lapse(holder)

    async def say(self, conversation: Conversation, key: str, seed: int = 0, **fields: object) -> str:
        """Send a system message in the customer's channel; returns "sent" or the refusal reason."""
        channel, user_id = user_of(conversation)
        outcomes = await self.messenger.say(channel, user_id, key, fields, author="system", seed=seed)
        return outcomes[0] if outcomes else "sent"
