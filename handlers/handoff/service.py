"""The handoff to people: one service that the chat handlers, the console API and the timers share.

It composes the queue (who holds what) and the SLA clock (the 15 s / 20 s promise), and decides
what the customer is told at each step, truthfully: the expected wait from the agents actually
online and how long recent conversations took; with nobody online, that no person is available now
and an offer to leave a message (留言); "another colleague" only when someone can take it; outside
staffed hours, when they are back. Agents' messages go through here too, so the forbidden-language
check, long-message splitting, the channel's send budget and the SLA bookkeeping apply to every
one of them.

Presence: any console action of an agent proves they are there and restores `online`; an agent is
set `away` only when several of their customers' questions lapsed, in different conversations,
with no console action since (one slow reply is not walking away), and their console is told at
once. Customers queued too long while nobody can take them raise a supervisor alert (console, and
`ALERT_WEBHOOK_URL`) and are offered 留言 straight away.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import math
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from bot.alerts import post_webhook
from bot.channels.base import RETRYING
from bot.context import Context, ServiceKey, Services
from bot.dispatcher import record_escalation
from bot.events import Say
from bot.hours import StaffedHours
from bot.logs import MESSAGE_ID, describe_failure
from bot.messenger import CustomerMessenger
from bot.scheduler import Scheduler
from bot.sqlite_client import SHORT_READS
from bot.state import ConversationState
from bot.store.base import Batch
from bot.text_input import visible
from handlers.handoff import reads
from handlers.handoff.delivery import SENT, counted, refused_for_good
from handlers.handoff.people import may_spend, nickname
from handlers.handoff.queue import Queue, log_lost_writes, serving_online
from handlers.handoff.sla import SlaClock, episode, parse_episode, user_of
from models.agent import SERVING, Agent
from models.conversation import Conversation
from models.customer import Customer
from models.handoff import HandoverNote, LeftMessage, SlaEvent
from models.message import Message

log = logging.getLogger("csbot.handoff")
#: What the dispatcher sets for one customer's message, reset for a shared pass (`_outside_any_message`).
MESSAGE_PATH: tuple[contextvars.ContextVar, ...] = (MESSAGE_ID, SHORT_READS)

OFFER, ALERT, IDLE = "handoff-offer", "handoff-alert", "handoff-idle"
#: The dialogue flow whose next customer message is taken as a 留言 (handled in `chat`).
LEAVE_MESSAGE = "handoff.leave_message"
TIME_FORMAT = "%m-%d %H:%M"
#: Weight of the latest handover in the running average of handling time.
HANDLING_WEIGHT = 0.2



class ForbiddenLanguage(Exception):
    def __init__(self, phrases: list[str]) -> None:
        super().__init__(", ".join(phrases))
        self.phrases = phrases


class ChannelNotHere(Exception):
    """The customer's channel does not run in this process: the agent's message cannot go out."""


class NotServing(Exception):
    """The staff member's role serves no customers (`SERVING`): never online, handed, taking or transferred a
    conversation (docs/handoff-sla.md "Who serves customers")."""


def serves_customers(agent: Agent) -> None:
    """`NotServing` unless the agent's role serves customers."""
    if agent.role not in SERVING:
        raise NotServing(agent.role)


class EmptyReply(Exception):
    """An agent's message with nothing to send (blank): refused before anything is sent or closed."""


class AgentReply(NamedTuple):
    """An agent's message as it went out: its parts (split to the channel's limit), each one's outcome
    ("sent", else why the platform did not take it: bot/outbox.py), and how many of the conversation's
    留言 are still open after it."""

    parts: list[str]
    outcomes: list[str]
    left_open: int = 0

    @property
    def delivered(self) -> bool:
        """Every part reached the platform, or is the channel's to send later itself (`RETRYING`: it goes,
        or its row is marked undeliverable, which the console shows): only then is the customer answered
        (`Handoff.answered`). An agent told otherwise would type it again and send it twice."""
        return bool(self.outcomes) and all(outcome in (SENT, RETRYING) for outcome in self.outcomes)

    @property
    def counted(self) -> bool:
        """The reply counts as the agent's answer for the SLA (handlers/handoff/delivery.py `counted`)."""
        return counted(self.outcomes)

    @property
    def refused_for_good(self) -> bool:
        """A part the platform refused for good: resending it now reaches nobody (delivery.py `FINAL`)."""
        return refused_for_good(self.outcomes)


class Handoff:
    """Built at start-up from the shared `Services` (clock, store, settings, templates), the scheduler
    and the messenger (every message to a customer: agents', holding, greetings), not the runtime."""

    def __init__(self, services: Services, scheduler: Scheduler, messenger: CustomerMessenger) -> None:
        self.settings = services.settings
        self.clock = services.clock
        self.store = services.store
        self.templates = services.templates
        self.scheduler = scheduler
        self.messenger = messenger
        self.queue = Queue(services)
        self.sla = SlaClock(services, scheduler, messenger, self.queue, self.reassign, self.judge_presence,
                            self.assign_waiting)
        self.hours = StaffedHours(self.settings.staffed_hours, self.settings.zone)
        self._next_pass: asyncio.Future[list[Conversation]] | None = None
        self._passes: asyncio.Future[None] | None = None
        scheduler.on(OFFER, self._offer_due)
        scheduler.on(ALERT, self._alert_due)
        scheduler.on(IDLE, self._idle_due)

    def local(self, moment: datetime) -> str:
        return moment.astimezone(self.settings.zone).strftime(TIME_FORMAT)

    def nickname(self, agent: Agent) -> str:
        return nickname(self.templates, agent)

    # --- a reply escalated: queue the conversation and tell the customer what happens ---
    async def escalate(self, ctx: Context, reason: str) -> list[Say]:
        """The request for a person (`reason`), recorded on the conversation (the queue's UPDATE does it
        when it queues the conversation: `Extension.on_escalate`)."""
        now, identity = self.clock.now(), ctx.identity
        if not self.hours.is_open(now):
            await record_escalation(identity.conversation_id, reason, now)
            ctx.state.start_flow(LEAVE_MESSAGE)
            return [Say("handoff.closed_hours", {"back_at": self.local(self.hours.next_open(now))})]
        escalated = await self.queue.escalate(identity.conversation_id, identity.customer_id, reason)
        queued = escalated.queued
        if queued is not None:
            conversation = queued.conversation
        else:  # queued or held already
            conversation = escalated.kept
            if conversation is None:  # not told by the queue's statement: marked and read here
                await record_escalation(identity.conversation_id, reason, now)
                conversation = await reads.queued_conversation(identity.conversation_id)
            if conversation.status != "queued":
                return []
        assert conversation.queued_at is not None
        offer_at, alert_at = self.queue_deadlines(conversation.queued_at)
        # Independent operations once the database says queued: the event, the store's view, the two
        # deadlines, the consoles' news (the store's in one batch: one pipeline on Redis), and whether
        # anyone is online (asked after the UPDATE: an agent coming online later finds this conversation
        # queued in their own pass). Sent together to Redis and PostgreSQL (round trips); the in-process
        # store does them one by one, in this order (`Store.together_with_read`).
        deadlines = Batch()
        deadlines.schedule(OFFER, str(conversation.id), offer_at.timestamp())
        deadlines.schedule(ALERT, episode(conversation.id, conversation.queued_at), alert_at.timestamp())
        operations = (self.queue.announce_queued(queued, deadlines) if queued is not None
                      else [self.store.send(deadlines)])
        *writes, online = await self.store.together_with_read(operations, reads.anyone_online())
        # Each write has a way back, so a failed one is logged and the customer, queued in the database,
        # still goes on to the assignment pass (the 15 s promise) instead of getting an error and waiting
        # for the alert's pass: the holder is rewritten by the hold, a deadline re-armed by the periodic
        # reconcile (recovery.py), the consoles' news sent by the next change; a `queued` event (SQLite)
        # is lost, and logged.
        log_lost_writes(conversation.id, writes)
        if isinstance(online, BaseException):
            raise online
        # no promise nobody can keep; and nobody to assign to, so the assignment pass is not run
        if not online:  # the 留言 offer of this queue episode: the 45 s and 120 s timers do not repeat it
            ctx.state.start_flow(LEAVE_MESSAGE, offered=_queue_episode(conversation))
            return [Say("handoff.nobody_online", {"reply_by": self.local(self._message_reply_by())})]
        taken = {c.id: c for c in await self.assign_waiting()}
        # a pass that was running when this one was queued may have taken it (not in this pass's result)
        now_held = taken.get(conversation.id) or await reads.conversation(conversation.id)
        if queued is not None and conversation.id not in taken and now_held.status != "queued":
            # another worker's pass (or a 留言) changed it after the UPDATE: this escalation's holder
            # ("queued") may have landed after theirs, and the chat path reads the holder
            await self.queue.publish_holder(now_held)
        if now_held.status == "handoff" and now_held.assignee_id is not None:
            agent = await Agent.get(id=now_held.assignee_id)
            # the holder's console opened the conversation on the assignment's news, before this message
            # (the escalating one) was written: it refreshes again once it is
            ctx.once_recorded.append(self._news_once_recorded(now_held.id, agent.id, {
                "type": "conversation.updated", "conversation_id": now_held.id}))
            return [Say("handoff.assigned", {"agent_name": self.nickname(agent)})]
        position = await self.queue.position(conversation)
        return [Say("handoff.queued", {"position": position, "wait_minutes": await self.expected_wait(position)})]

    def queue_deadlines(self, queued_at: datetime) -> tuple[datetime, datetime]:
        """When a conversation queued at `queued_at` is offered 留言 and raises the supervisor alert:
        escalation arms them and recovery re-arms them from here, both from when it was queued."""
        settings = self.settings
        return (queued_at + timedelta(seconds=settings.queue_offer_message_after_s),
                queued_at + timedelta(seconds=settings.queue_alert_after_s))

    async def expected_wait(self, position: int) -> int:
        """Minutes until the customer at `position` reaches a person, from the places the agents online
        have and how long their recent conversations took."""
        online = await Agent.filter(presence="online", role="agent")
        places = sum(agent.capacity for agent in online) or 1
        raw = await self.store.get(self.store.keys("handoff", "handling-s"))
        handling = float(raw) if raw else self.settings.handling_minutes_default * 60
        return max(1, math.ceil(position * handling / places / 60))

    async def _timed_handover(self, conversation: Conversation) -> None:
        if conversation.assigned_at is None:
            return
        took = (self.clock.now() - conversation.assigned_at).total_seconds()
        key = self.store.keys("handoff", "handling-s")
        raw = await self.store.get(key)
        average = took if raw is None else (1 - HANDLING_WEIGHT) * float(raw) + HANDLING_WEIGHT * took
        await self.store.set(key, f"{average:.1f}")

    def _message_reply_by(self) -> datetime:
        now = self.clock.now()
        return max(now, self.hours.next_open(now)) + timedelta(minutes=self.settings.message_reply_within_minutes)

    async def assign_waiting(self) -> list[Conversation]:
        """Run an assignment pass; returns the conversations it assigned (anyone's, not only the caller's).

        Passes in this worker are shared, one at a time: a caller arriving while a pass runs waits for
        the next one, which starts as soon as the running one ends and serves everyone who asked
        meanwhile (what each queued was written before they asked). So a burst of escalations costs
        two passes, not one each, and none of them waits for the shop-wide store lock behind another
        of this worker (a lock waiter polls every 20 ms); across workers that lock still makes
        passes exclusive. A pass goes on when its caller is cancelled (the others wait for it)."""
        if self._next_pass is None:
            self._next_pass = asyncio.get_running_loop().create_future()
            self._next_pass.add_done_callback(_retrieved)
            if self._passes is None or self._passes.done():
                self._passes = asyncio.create_task(self._run_passes(), context=_outside_any_message())
        return await asyncio.shield(self._next_pass)

    async def _run_passes(self) -> None:
        while self._next_pass is not None:
            promised, self._next_pass = self._next_pass, None
            try:
                taken = await self.queue.assign_waiting()
                for conversation in taken:
                    await self.sla.assigned(conversation)
            except asyncio.CancelledError:  # the worker stops: so do the callers of this pass and the next
                promised.cancel()
                if self._next_pass is not None:
                    self._next_pass.cancel()
                    self._next_pass = None
                raise
            except Exception as exc:
                promised.set_exception(exc)
            else:
                promised.set_result(taken)

    # --- the customer writes while a person holds the conversation ---
    async def customer_wrote(self, conversation_id: int, text: str,
                             once_recorded: Callable[[Callable[[], Awaitable[None]]], None],
                             closing: bool = False) -> None:
        """`closing`: the customer only said thanks or goodbye. The holder still owes the goodbye (the
        clock runs as for any message), but the conversation stops taking a place, so the next
        customer in the queue is assigned at once; anything else the customer writes takes it back.
        The holder's console is told through `once_recorded` (`Context.once_recorded`): after the
        message is committed, since the console refreshes the conversation from the database on the
        news, and a refresh that came first would not show the question (docs/performance.md
        "Seventh round")."""
        conversation = await Conversation.get(id=conversation_id)
        if conversation.status != "handoff":
            return
        await self.sla.customer_wrote(conversation)
        wrapping_up = await self.queue.wrapping_up(conversation.id)
        if closing != wrapping_up:
            await self.queue.set_wrapping_up(conversation.id, closing)
        news = {
            "type": "message",
            "conversation_id": conversation.id,
            "message": {"direction": "in", "author": "customer", "text": text, "created_at": self.clock.time()},
        }

        once_recorded(self._news_once_recorded(conversation.id, conversation.assignee_id, news))
        if closing and not wrapping_up:
            await self.assign_waiting()  # a place is free

    def _news_once_recorded(self, conversation_id: int, agent_id: int | None,
                            payload: dict[str, Any]) -> Callable[[], Awaitable[None]]:
        """News for a console to send once the customer's message is committed (`Context.once_recorded`):
        the console refreshes the conversation from the database on it. A failure is logged: the
        message is written, and the console's poll shows it."""

        async def publish() -> None:
            try:
                await self.queue.notify(agent_id, payload)
            except Exception as exc:
                log.warning("conversation %d: news after a customer message failed: %s", conversation_id,
                            describe_failure(exc))

        return publish

    async def leave_message(self, ctx: Context, text: str) -> datetime:
        """Record a 留言 as a follow-up task and return the promised reply time; a conversation still queued
        leaves the queue. Its only caller (chat.py `leave_message`) writes none when the store's holder
        says a person holds the conversation (they answer); any other holder is a cache of the database
        here: one saying queued, or a missing one, proves nothing (enqueue's write of it may have failed
        after the database said queued), so the database decides (`Queue.leave_queue_with_message`: with
        the insert, one statement on PostgreSQL)."""
        promised = self._message_reply_by()
        conversation_id = ctx.identity.conversation_id
        left, kept = await self.queue.leave_queue_with_message(conversation_id, text, promised, self.clock.now())
        # once the 留言 is written, the consoles' news (`left_queue`'s, with the holder's delete, when it left
        # the queue) and the promise's read (unless the 留言's statement read it) go together: a round trip
        # each, to Redis and to PostgreSQL, where one waited for the other; the in-process store does them
        # in this order (`Store.together_with_read`)
        news = self.queue.left_queue(left) if left is not None else self.queue.notify(None, {"type": "queue.changed"})
        if kept is not None:  # read by the 留言's statement: the news alone
            try:
                told = await news
            except Exception as exc:
                told = exc
        else:
            told, kept = await self.store.together_with_read([news],
                                                       self.queue.promise_kept(conversation_id, text, promised))
        # The news is best effort, as `left_queue`'s own writes are: the 留言 is written, and an error here
        # made the customer resend it (answered 503, or the flow left open); the consoles' poll shows it.
        log_lost_writes(conversation_id, [told])
        if isinstance(kept, BaseException):
            raise kept
        return kept

    async def offer_message(self, conversation: Conversation, key: str = "handoff.offer_message") -> None:
        """Tell a queued customer the truth and let their next message be a 留言. The flow names the
        queue episode it was offered in (`queued_at`, kept by a reassignment), so the timers offer it
        once per episode (`_offered`)."""
        await self.scheduler.cancel(OFFER, str(conversation.id))
        store = self.store
        async with store.lock(conversation.key):
            state = ConversationState.from_dict(await store.get_state(conversation.key))
            state.start_flow(LEAVE_MESSAGE, offered=_queue_episode(conversation))
            await store.set_state(conversation.key, state.to_dict())
        await self.sla.say(conversation, key, reply_by=self.local(self._message_reply_by()))

    async def _offered(self, conversation: Conversation) -> bool:
        """Whether this queue episode's 留言 offer is still pending (say, a reassignment's "nobody
        free"): a timer re-armed by the periodic pass, or the alert after it, must not repeat it."""
        state = ConversationState.from_dict(await self.store.get_state(conversation.key))
        return state.flow == LEAVE_MESSAGE and state.data.get("offered") == _queue_episode(conversation)

    async def _offer_due(self, member: str) -> None:
        conversation = await Conversation.get_or_none(id=int(member))
        if conversation is not None and conversation.status == "queued" and not await self._offered(conversation):
            await self.offer_message(conversation, await self._why_waiting("handoff.offer_message"))

    @staticmethod
    async def _why_waiting(busy: str) -> str:
        """The offer's words for a queued customer: `busy` (colleagues all busy) only when someone who
        serves customers is online; with nobody online, that (`handoff.nobody_online`), as the escalation
        said, never 都在忙 after 都不在线."""
        return busy if await reads.anyone_online() else "handoff.nobody_online"

    # --- supervisors: customers queued too long while nobody can take them ---
    async def _alert_due(self, member: str) -> None:
        conversation = await self.sla.current(member, lambda c: c.queued_at, ("queued",))
        if conversation is None or not self.hours.is_open(self.clock.now()):
            return
        await self.assign_waiting()
        await conversation.refresh_from_db()
        if conversation.status != "queued" or await self.queue.has_room():
            return
        await self.alert_supervisors()
        if not await self._offered(conversation):
            await self.offer_message(conversation, await self._why_waiting("handoff.nobody_free"))

    async def alert_supervisors(self) -> None:
        """Console and webhook, at most once per alert period whatever the number of customers."""
        store = self.store
        if not await store.claim(store.keys("handoff", "alert"), self.settings.queue_alert_after_s):
            return
        oldest = await self.queue.waiting().order_by("queued_at").first()
        waited = (self.clock.now() - oldest.queued_at).total_seconds() if oldest and oldest.queued_at else 0.0
        payload = {
            "type": "supervisor.alert",
            "queued": await Conversation.filter(status="queued").count(),
            "oldest_waited_s": round(waited, 1),
            "agents_online": await serving_online().count(),
            "at": self.clock.time(),
        }
        if oldest is not None:
            await SlaEvent.create(conversation_id=oldest.id, kind="alert", at=self.clock.now(), waited_s=waited)
        await self.queue.notify(None, payload)
        await post_webhook(self.settings.alert_webhook_url, payload)

    # --- agents ---
    async def agent_message(self, conversation: Conversation, agent: Agent, text: str, confirm: bool) -> AgentReply:
        """Send an agent's message (split like the bot's, merged again when the customer's send budget
        is short); refuses a blank one, forbidden language unless confirmed, and a channel this process
        does not run. The conversation's open 留言 are done only when every part reached the platform or is
        the channel's to send later (`AgentReply.delivered`): a reply WeChat refused (outside the 48-hour
        window, the send cap) or whose send failed leaves them open with their promise, and the caller
        tells the agent. The SLA's bookkeeping (answered, acknowledged, the idle release) follows
        `AgentReply.counted`: a reply none of whose parts reached the platform leaves the customer waiting,
        unless the platform refused it for good (docs/handoff-sla.md "A reply that did not reach the customer")."""
        parts = self.messenger.split(user_of(conversation)[0], text)
        if not any(map(visible, parts)):
            raise EmptyReply()
        phrases = self.templates.forbidden_in(text)
        if phrases and not confirm:
            raise ForbiddenLanguage(phrases)
        channel, user_id = user_of(conversation)
        greeting = conversation.first_reply_at is None
        # split to the channel's limit once (a part that fits goes through `send_text` as it is); the
        # outbox merges the parts again when the send budget is short
        outcomes = await self.messenger.send_text(channel, user_id, *parts, author=f"agent:{agent.id}")
        if outcomes is None:
            raise ChannelNotHere(channel)  # before the question counts as answered
        reply = AgentReply(parts, outcomes)
        if reply.delivered:
            await self.answered(conversation.id)
        else:
            reply = reply._replace(left_open=await LeftMessage.filter(conversation_id=conversation.id,
                                                                      done_at=None).count())
        await Customer.filter(id=conversation.customer_id).update(last_agent_id=agent.id)
        await self.touch(agent)
        if not reply.counted:  # the customer still waits: reminders, breach and lapse go on
            return reply
        await self.sla.agent_wrote(conversation, agent)
        now = self.clock.now()
        await self.scheduler.at(IDLE, episode(conversation.id, now),
                                        now + timedelta(seconds=self.settings.handoff_idle_release_s))
        if greeting:
            await self.assign_waiting()  # greeted: ready for the next one
        return reply

    async def answered(self, conversation_id: int) -> None:
        """A person has answered the customer: every open 留言 of the conversation is done, and the same
        words sent again later are a new 留言 with a promise of their own (docs/handoff-sla.md "When a 留言
        is done"). One statement, on a person's paths only (a console reply, a session a person ended
        elsewhere), never on a customer message's."""
        await LeftMessage.filter(conversation_id=conversation_id, done_at=None).update(done_at=self.clock.now())

    async def touch(self, agent: Agent) -> None:
        """A console action (send, take, typing): the agent is there; `away` becomes `online` for a role
        that serves customers only (one that serves none, marked away before that rule, writing in a
        conversation it still holds, stays as it is)."""
        await agent.refresh_from_db(fields=["presence", "role"])
        if agent.presence == "away" and agent.role in SERVING:
            await self.set_presence(agent, "online")
            return
        agent.last_seen_at = self.clock.now()
        await Agent.filter(id=agent.id).update(last_seen_at=agent.last_seen_at)

    async def set_presence(self, agent: Agent, presence: str, reason: str = "self") -> None:
        """`online` and `away` only for a role that serves customers; `offline` for anyone. The member's
        own choice (`reason` "self") of online or away for a role that serves none is `NotServing`; the
        server's (a lapse's away) never raises: that member goes offline instead, and what they hold
        from before the rule goes to a colleague (docs/handoff-sla.md "Presence of a role that serves
        no customers")."""
        if presence != "offline" and agent.role not in SERVING:
            if reason == "self":
                raise NotServing(agent.role)
            presence = "offline"
        agent.presence, agent.last_seen_at = presence, self.clock.now()
        await agent.save(update_fields=["presence", "last_seen_at"])
        await self.queue.notify(agent.id, {"type": "presence.changed", "presence": presence, "reason": reason})
        if presence == "online":
            await self.assign_waiting()
            return
        if presence == "offline":
            for conversation in await Conversation.filter(status="handoff", assignee_id=agent.id):
                await self.reassign(conversation, "agent_offline", lapsed=False)
        await self.queue.notify(None, {"type": "queue.changed"})

    async def judge_presence(self, agent_id: int) -> None:
        """After a lapse: several lapses in different conversations within the window, and no console
        action since the first, mean the agent walked away. Their open questions go to someone else."""
        agent = await Agent.get_or_none(id=agent_id)
        if agent is None or agent.presence != "online":
            return
        since = self.clock.now() - timedelta(seconds=self.settings.presence_lapse_window_s)
        if agent.last_seen_at is not None:
            since = max(since, agent.last_seen_at)
        lapsed = await SlaEvent.filter(agent_id=agent_id, kind="lapse", at__gt=since).values_list(
            "conversation_id", flat=True)
        if len(set(lapsed)) < self.settings.presence_away_lapses:
            return
        await self.set_presence(agent, "away", reason="lapses")
        await SlaEvent.create(conversation_id=lapsed[-1], agent_id=agent_id, kind="away", at=self.clock.now(),
                              detail=f"{len(set(lapsed))} lapses")
        for conversation in await Conversation.filter(status="handoff", assignee_id=agent_id,
                                                      waiting_since__not_isnull=True):
            await self.reassign(conversation, "holder_away")

    async def take(self, conversation: Conversation, agent: Agent) -> bool:
        serves_customers(agent)
        taken = await self.queue.take(conversation, agent)
        if taken:
            await self.sla.assigned(conversation)
        await self.touch(agent)
        return taken

    async def reassign(self, conversation: Conversation, reason: str, lapsed: bool = True,
                       to: Agent | None = None) -> None:
        """To someone with room, history and open question intact; never back to an agent who lapsed.
        The customer hears "another colleague" only when someone took it, else the truth and 留言.
        `to`: straight to that agent (found free to answer now), if they still have room; else it stays."""
        previous = conversation.assignee_id
        if to is not None:
            await self._move(conversation, to, reason)
            return
        if previous is not None and not await self.queue.has_room(exclude=[previous, *conversation.lapsed_agents]):
            if reason == "missed_replies":
                return  # nobody else could answer sooner: it stays with its holder
        if lapsed and previous is not None and previous not in conversation.lapsed_agents:
            conversation.lapsed_agents = [*conversation.lapsed_agents, previous]
        await self.queue.release(conversation, "queued")
        await self.queue.record(conversation, "reassigned", agent_id=previous, detail=reason)
        await self.queue.notify(previous, {"type": "conversation.updated", "conversation_id": conversation.id})
        await self.assign_waiting()
        await conversation.refresh_from_db()
        if conversation.status == "handoff":
            await self._announce(conversation, await Agent.get(id=conversation.assignee_id))
        else:
            await self.offer_message(conversation, await self._why_waiting("handoff.nobody_free"))

    async def _move(self, conversation: Conversation, target: Agent, reason: str) -> None:
        """Under the assignment lock, to the agent found; the holder did not lapse and may get it back."""
        previous = conversation.assignee_id
        if not await self.queue.transfer(conversation, target):
            return  # they no longer have room: it stays with its holder
        await self.queue.record(conversation, "reassigned", agent_id=previous, detail=reason)
        await self.sla.assigned(conversation)
        await self.queue.notify(previous, {"type": "conversation.updated", "conversation_id": conversation.id})
        await self.queue.notify(target.id, {"type": "conversation.assigned", "conversation_id": conversation.id})
        await self._announce(conversation, target)

    async def _announce(self, conversation: Conversation, agent: Agent) -> None:
        """Tell the customer who took over (it acknowledges them), unless the one message left on the
        channel's send budget is the new holder's answer."""
        if not await may_spend(self.messenger, conversation, keep=1):
            await self.queue.record(conversation, "announce_skipped", detail="send budget")
            return
        if await self.sla.say(conversation, "handoff.reassigning", agent_name=self.nickname(agent)) == "sent":
            await self.sla.acknowledge(conversation, "reassigning")

    async def hand_back(self, conversation: Conversation, agent: Agent) -> None:
        await self._timed_handover(conversation)
        await self.queue.release(conversation, "bot")
        await self.queue.record(conversation, "handed_back", agent_id=agent.id)
        await self.sla.say(conversation, "handoff.handed_back")
        await self.touch(agent)
        await self.assign_waiting()  # the agent has room again: the next customer in the queue

    async def _idle_due(self, member: str) -> None:
        """The holder answered and the customer has said nothing since: the conversation is done; it
        goes back to the bot with a closing message and frees the holder's place."""
        conversation_id, answered = parse_episode(member)
        conversation = await Conversation.get_or_none(id=conversation_id)
        if conversation is None:
            return
        # Under the conversation's lock (the dispatcher holds it while a customer message is handled):
        # a question routed to the holder but not yet stored keeps the conversation held.
        async with self.store.lock(conversation.key):
            await conversation.refresh_from_db()
            if conversation.status != "handoff" or conversation.waiting_since is not None:
                return
            since = datetime.fromtimestamp(float(answered), tz=UTC) + timedelta(milliseconds=1)
            if await Message.filter(conversation_id=conversation.id, created_at__gt=since).exclude(
                    author="system").exists():
                return  # someone wrote since: a later answer has its own timer, a question keeps it held
            holder = conversation.assignee_id
            await self._timed_handover(conversation)
            await self.queue.release(conversation, "bot")
        await self.sla.say(conversation, "handoff.closed_idle")
        await self.queue.record(conversation, "released_idle", agent_id=holder)
        await self.queue.notify(holder, {"type": "conversation.updated", "conversation_id": conversation.id})
        await self.assign_waiting()

    async def ended_elsewhere(self, conversation_key: str) -> None:
        """A person serving outside the console ended the session: they answered the customer (its open 留言
        are done), and the conversation leaves the queue or its console holder and is the bot's again
        (docs/rules.md R-HANDOFF-7)."""
        conversation = await Conversation.get_or_none(key=conversation_key)
        if conversation is None:
            return
        await self.answered(conversation.id)  # served by that person, whoever held it here
        if conversation.status not in ("queued", "handoff"):
            return
        holder = conversation.assignee_id
        await self._timed_handover(conversation)
        await self.queue.release(conversation, "bot")
        await self.queue.record(conversation, "ended_elsewhere", agent_id=holder)
        await self.queue.notify(holder, {"type": "conversation.updated", "conversation_id": conversation.id})
        await self.assign_waiting()

    async def transfer(self, conversation: Conversation, agent: Agent, target: Agent, note: str) -> bool:
        """Hand the conversation to `target` if they have room (checked under the assignment lock), with
        a note; the open question goes with it. False: it stays with `agent`. `NotServing`: the target's
        role serves no customers."""
        serves_customers(target)
        await self.touch(agent)
        if not await self.queue.transfer(conversation, target):
            return False
        if note.strip():
            await HandoverNote.create(
                conversation=conversation, author=agent, pending=note.strip(), created_at=self.clock.now()
            )
        await self.queue.record(conversation, "transferred", agent_id=target.id, detail=f"from agent {agent.id}")
        await self.sla.assigned(conversation)
        await self.sla.say(conversation, "handoff.transferred", agent_name=self.nickname(target))
        await self.queue.notify(target.id, {"type": "conversation.assigned", "conversation_id": conversation.id})
        return True


def _outside_any_message() -> contextvars.Context:
    """The caller's context (its database connection and the like) for a pass that serves several
    customers, with what marks one customer's message path back at its defaults: its log lines name no
    customer's message (bot/logs.py MESSAGE_ID), its reads are not that path's (bot/sqlite_client.py
    SHORT_READS)."""
    context = contextvars.copy_context()
    for variable in MESSAGE_PATH:
        context.run(variable.set, contextvars.Context().run(variable.get))  # an empty context: the default
    return context


def _retrieved(future: asyncio.Future[list[Conversation]]) -> None:
    """A pass's failure is raised in each of its callers; one whose callers have all gone (cancelled)
    is logged here instead of as asyncio's "exception never retrieved"."""
    if not future.cancelled() and (exc := future.exception()) is not None:
        log.debug("assignment pass failed: %s", type(exc).__name__)


HANDOFF = ServiceKey[Handoff]("handoff")


def _queue_episode(conversation: Conversation) -> str:
    """The queue episode a 留言 offer belongs to: the conversation and when it was queued."""
    assert conversation.queued_at is not None
    return episode(conversation.id, conversation.queued_at)
