"""Who holds a conversation, and the queue of those waiting for a person.

Assignment (and transfer) runs under one store lock per shop, so two workers never hand the same
conversation out twice and an agent never goes over capacity. The order is VIPs first, then first
come; conversations are handed out one at a time: an agent gets the next one only once they (or
the greeting on their behalf) have greeted the last, or `greeting_grace` after it was handed to them
when nobody greeted it, so a queue spreads over everyone with room instead of landing on whoever came
online first, and never waits on a holder who stays silent. Each conversation goes back to the agent who
served the customer last when that agent has room (docs/rules.md R-HANDOFF-2), otherwise to the
least-loaded online agent under capacity, never to an agent who already let its clock lapse; when
no agent has room an online supervisor takes it. Who holds a
conversation is also written to the store (`handoff:<conversation key>`), which is what the chat
path reads on every message.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from tortoise.expressions import Q
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from bot.config import Settings
from bot.context import ServiceKey, Services
from bot.logs import describe_failure
from bot.prebuilt_sql import Prebuilt, default_connection
from bot.store.base import Batch, Store
from bot.store.keys import CONSOLE_TOPIC, agent_topic
from handlers.handoff import reads
from handlers.handoff.reads import QueuedRow
from models.agent import SERVING, SUPERVISORS, Agent
from models.complaint import Complaint
from models.conversation import Conversation
from models.customer import Customer
from models.handoff import SlaEvent

ASSIGN_LOCK = "handoff-assign"
#: A conversation wrapping up is released (or idle-released) within minutes; see `Queue.set_wrapping_up`.
WRAPPING_UP_TTL_S = 24 * 3600.0
#: Extra queue priority for a customer id (the archive's class, docs/rules.md R-ARCHIVE-7), if an area set one.
QUEUE_PRIORITY: ServiceKey[Callable[[int], Awaitable[int]]] = ServiceKey("queue-priority")
#: An escalation queues the conversation (VIPs first: priority 1 plus an area's boost), marks the request
#: for a person on it (the dispatcher's `record_escalation`) and starts its time to a person anew, unless it
#: is queued or held already; the columns the escalation reads come back (`reads.QueuedRow`). On PostgreSQL
#: the escalation sends it inside `_ESCALATE`, which inserts the `queued` SLA event too (`event_recorded`).
_QUEUE_IT = (
    "UPDATE conversation SET escalation_reason = ?, escalated_at = ?, status = 'queued', queued_at = ?, "
    "priority = COALESCE((SELECT CASE WHEN u.is_vip THEN 1 ELSE 0 END FROM customer u "
    "WHERE u.id = conversation.customer_id), 0) + ?, lapsed_agents = '[]', person_at = NULL "
    "WHERE id = ? AND status NOT IN ('queued', 'handoff')")
_ENQUEUE = Prebuilt(lambda: f"{_QUEUE_IT} RETURNING {reads.queued_columns('')}", returning=True)
#: A request for a person while the conversation is queued or held already: the request recorded on it
#: (the dispatcher's `record_escalation`), its place kept.
_MARK_IT = ("UPDATE conversation SET escalation_reason = ?, escalated_at = ? "
            "WHERE id = ? AND status IN ('queued', 'handoff')")
#: `_ENQUEUE` and, when the conversation is queued or held already, `_MARK_IT` in one statement
#: (PostgreSQL only: data-modifying CTEs). Both see the statement's one snapshot, where their conditions
#: exclude each other, so at most one writes the row; a row another worker changed meanwhile (its
#: status re-read under the row's lock) may make neither write, and no row comes back (`Queue.escalate` asks again).
#: Values: `_QUEUE_IT`'s five, then `_MARK_IT`'s three.
_ESCALATE = Prebuilt(lambda: (
    f"WITH queued AS ({_QUEUE_IT} RETURNING *), event AS (INSERT INTO sla_event (conversation_id, agent_id, "
    "kind, at, detail) SELECT id, NULL, 'queued', queued_at, escalation_reason FROM queued), "
    f"marked AS ({_MARK_IT} RETURNING *) "
    f"SELECT {reads.queued_columns('queued')}, TRUE AS newly_queued FROM queued "
    f"UNION ALL SELECT {reads.queued_columns('marked')}, FALSE AS newly_queued FROM marked"), returning=True)
#: A queued conversation back with the bot (`release(conversation, "bot")`'s columns), only if still queued.
_LEAVE_QUEUE_SQL = (
    "UPDATE conversation SET status = 'bot', assignee_id = NULL, waiting_since = NULL, unacked_since = NULL "
    "WHERE id = ? AND status = 'queued' RETURNING id, key")
_LEAVE_QUEUE = Prebuilt(lambda: _LEAVE_QUEUE_SQL, returning=True)
#: A 留言's row, `_LEAVE_QUEUE` and the promise the customer is told (`Queue.promise_kept`) in one statement
#: (PostgreSQL only: data-modifying CTEs), one row always: the id and key the UPDATE returned (NULL when
#: not queued), and the promise of the 留言 this statement wrote or renewed (its promise had passed), or
#: else the open 留言 of the text in the statement's snapshot (from before this one's insert); NULL when
#: none, which is a copy of the message committed after the snapshot, whose 留言 the unique key kept this
#: one from writing. Values: the 留言's four (`reads.left_message_sql`), the conversation's id, then the
#: conversation's id and the text again.
_LEAVE_QUEUE_WITH_MESSAGE = Prebuilt(lambda: (
    f"WITH left_message_row AS ({reads.left_message_sql('postgres')} RETURNING promised_by), "
    f"left_queue AS ({_LEAVE_QUEUE_SQL}) "
    "SELECT (SELECT id FROM left_queue) AS id, (SELECT key FROM left_queue) AS key, "
    f"COALESCE((SELECT promised_by FROM left_message_row), ({reads.KEPT_PROMISE_SQL})) AS kept"), returning=True)
#: `Queue.record(conversation, "queued", agent_id=None, detail=<the escalation's reason>)`, prebuilt.
_QUEUED_EVENT = Prebuilt(lambda: (
    "INSERT INTO sla_event (conversation_id, agent_id, kind, at, detail) VALUES (?, NULL, 'queued', ?, ?)"))


log = logging.getLogger("csbot.handoff")


async def _record_queued(conversation: QueuedRow) -> None:
    """The `queued` event of a conversation just queued, where its UPDATE did not write it (SQLite)."""
    await _QUEUED_EVENT.rows(conversation.id, conversation.queued_at, conversation.escalation_reason)


def _left(rows: Sequence[Mapping[str, Any]]) -> tuple[int, str] | None:
    """The id and key `_LEAVE_QUEUE` returned, or None when the conversation was not queued."""
    return (rows[0]["id"], rows[0]["key"]) if rows else None


def log_lost_writes(conversation_id: int, outcomes: list[object]) -> None:
    """The failures among `outcomes` (a gather's, with `return_exceptions`; a batch's outcomes, from
    `Store.send`, as a list in its place) of writes made after the database said what happened, each of
    which has a way back (the caller says which): logged, so the customer is not answered with an error
    for something done; a cancellation goes on up."""
    outcomes = [each for outcome in outcomes for each in (outcome if isinstance(outcome, list) else [outcome])]
    for outcome in outcomes:
        if isinstance(outcome, BaseException) and not isinstance(outcome, Exception):
            raise outcome
    for outcome in outcomes:
        if isinstance(outcome, Exception):
            log.warning("conversation %d: a write after the database's failed: %s", conversation_id,
                        describe_failure(outcome))


def greeting_grace(settings: Settings) -> timedelta:
    """How long after a handover its holder has to write first before the customer must hear from a
    person (15 s − `SLA_HOLD_MARGIN_S`): the later holder's greeting deadline (`SlaClock.assigned`),
    and how long an ungreeted handover keeps its holder from the next customer (`Queue.ungreeted`), so
    the customer behind it is still handed over and greeted within the 15 s."""
    return timedelta(seconds=max(0.0, settings.sla_first_response_s - settings.sla_hold_margin_s))


def serving_online() -> QuerySet[Agent]:
    """The staff online who serve customers (`SERVING`): the only ones handed conversations."""
    return Agent.filter(presence="online", role__in=SERVING)


def _someone_can_take(online: Iterable[Agent], loads: Counter[int]) -> bool:
    """Whether any of the agents `online` could take a conversation: one below capacity, or a supervisor
    (whose places are no cap, `_choose`)."""
    return any(a.role in SUPERVISORS or loads[a.id] < a.capacity for a in online)


async def _accused(customer_ids: list[int]) -> dict[int, set[int]]:
    """The agents each customer has an open complaint about (R-HANDOFF-6), in one query for them all."""
    accused: dict[int, set[int]] = {}
    for customer_id, agent_id in await Complaint.filter(
            customer_id__in=customer_ids, closed_at__isnull=True, accused_agent_id__isnull=False).values_list(
            "customer_id", "accused_agent_id"):
        accused.setdefault(customer_id, set()).add(agent_id)
    return accused


def holder_key(store: Store, conversation_key: str) -> str:
    """Where the store keeps who holds a conversation (`Holder`), read on every customer message."""
    return store.keys("handoff", conversation_key)


@dataclass(frozen=True, slots=True)
class Holder:
    """What the chat path needs to know about a conversation held or awaited by a person."""

    status: str  # "queued" or "handoff"
    conversation_id: int
    agent_id: int | None = None


@dataclass(frozen=True, slots=True)
class Escalated:
    """What `Queue.escalate` did: queued the conversation (`queued`), or recorded the request on one
    queued or held already (`kept`: its columns after the write); neither when it could not tell (SQLite,
    or the row changed under the statement twice), and the caller asks as `enqueue`'s callers do."""

    queued: Queued | None = None
    kept: QueuedRow | None = None


@dataclass(frozen=True, slots=True)
class Queued:
    """A conversation `Queue.enqueue` has just queued, and whether its `queued` event is written."""

    conversation: QueuedRow
    event_recorded: bool


class Queue:
    def __init__(self, services: Services) -> None:
        self.services = services  # an area may add a queue priority there (QUEUE_PRIORITY) at start-up
        self.store = services.store
        self.clock = services.clock

    # --- the store's view, read on every customer message ---
    def holder_key(self, conversation_key: str) -> str:
        return holder_key(self.store, conversation_key)

    async def holder(self, conversation_key: str, stored: dict[str, str | None] | None = None) -> Holder | None:
        """`stored`: values the dispatcher read with the state (`Context.stored`), saving a round trip."""
        key = self.holder_key(conversation_key)
        raw = stored[key] if stored is not None and key in stored else await self.store.get(key)
        return Holder(**json.loads(raw)) if raw else None

    async def publish_holder(self, conversation: Conversation | QueuedRow) -> None:
        key, value = self._holder(conversation)
        if value is not None:
            await self.store.set(key, value)
        else:
            await self.store.delete(key)

    def write_holder(self, batch: Batch, conversation: Conversation | QueuedRow) -> None:
        """`publish_holder`, listed in `batch`."""
        key, value = self._holder(conversation)
        if value is not None:
            batch.set(key, value)
        else:
            batch.delete(key)

    def _holder(self, conversation: Conversation | QueuedRow) -> tuple[str, str | None]:
        """The holder's key and what it holds (None: nobody, the key is deleted)."""
        key = self.holder_key(conversation.key)
        if conversation.status not in ("queued", "handoff"):
            return key, None
        return key, json.dumps(asdict(Holder(conversation.status, conversation.id, conversation.assignee_id)))

    # --- events for consoles on any worker ---
    async def notify(self, agent_id: int | None, payload: dict[str, Any]) -> None:
        topic = agent_topic(agent_id) if agent_id is not None else CONSOLE_TOPIC
        await self.store.publish(topic, payload)

    async def record(self, conversation: Conversation, kind: str, **fields: Any) -> None:
        await SlaEvent.create(
            conversation=conversation,
            agent_id=fields.pop("agent_id", conversation.assignee_id),
            kind=kind,
            at=self.clock.now(),
            **fields,
        )

    # --- queue ---
    async def enqueue(self, conversation_id: int, customer_id: int, reason: str) -> Queued | None:
        """Queue the conversation for `reason` unless it is queued or held already (None then, and nothing
        written): one prebuilt UPDATE that also records the escalation, takes the priority from whether the
        customer is a VIP now and returns the columns the escalation reads, where the dispatcher marked
        the escalation and the ORM read the conversation and the customer and saved it back. What follows
        in the store and the event log is `announce_queued`'s, which the caller sends with its other
        operations (on PostgreSQL `escalate` writes the event in the same statement)."""
        boost = self.services.extras.get(QUEUE_PRIORITY)
        extra = await boost(customer_id) if boost is not None else 0
        now = self.clock.now()
        rows = await _ENQUEUE.rows(reason, now, now, extra, conversation_id)
        return Queued(reads.queued_row(rows[0]), False) if rows else None

    async def escalate(self, conversation_id: int, customer_id: int, reason: str) -> Escalated:
        """`enqueue`, and on PostgreSQL the request recorded on a conversation queued or held already in
        the same statement, its columns returned: where the escalation then marked it (the dispatcher's
        `record_escalation`) and read it back, two statements one after the other on a busy worker's
        loop (docs/performance.md, "Twelfth round")."""
        if default_connection().capabilities.dialect != "postgres":
            return Escalated(await self.enqueue(conversation_id, customer_id, reason))
        boost = self.services.extras.get(QUEUE_PRIORITY)
        extra = await boost(customer_id) if boost is not None else 0
        now = self.clock.now()
        for _ in range(2):
            rows = await _ESCALATE.rows(reason, now, now, extra, conversation_id, reason, now, conversation_id)
            if rows:
                break
            # Another worker changed the row under the statement (its snapshot and the row it re-read under
            # the lock disagree): asked once more, from a snapshot that has the change. Queued there and
            # handed back to the bot meanwhile, the caller's mark-and-read found it with the bot and
            # answered nothing (tests/test_escalation_races.py).
        else:
            return Escalated()
        row = reads.queued_row(rows[0])
        return Escalated(Queued(row, True)) if rows[0]["newly_queued"] else Escalated(kept=row)

    def announce_queued(self, queued: Queued, armed: Batch | None = None) -> list[Awaitable[Any]]:
        """After `enqueue` said it is queued in the database: the `queued` event (unless the UPDATE
        recorded it), then one batch of the store's view, the caller's `armed` (its deadlines) and the
        consoles' news: independent operations for the caller to send together (`Store.together`), in
        the order the in-process store does them one by one. The news comes last, so on the in-process
        store a console refreshing on it finds everything it announces written
        (tests/test_handoff_order.py); on Redis the batch is one pipeline, and a console that refreshes
        before the deadlines land sees the queue from the database, written before any of them."""
        conversation = queued.conversation
        assert conversation.queued_at is not None
        batch = Batch()
        self.write_holder(batch, conversation)
        batch.commands += armed.commands if armed is not None else ()
        batch.publish(CONSOLE_TOPIC, {"type": "queue.changed"})
        sends = [self.store.send(batch)]
        if not queued.event_recorded:
            sends.insert(0, _record_queued(conversation))
        return sends

    @staticmethod
    def waiting() -> QuerySet[Conversation]:
        """Queued conversations in the order they will be served: VIPs first, then first come."""
        return Conversation.filter(status="queued").order_by("-priority", "queued_at", "id")

    async def position(self, conversation: Conversation | QueuedRow) -> int:
        """1 for the next customer to be served (0: not queued): the queued conversations ahead of this
        one in `waiting`'s order, counted by the database from this one's (just enqueued) priority and
        time, rather than the whole queue read to find it."""
        if conversation.status != "queued" or conversation.queued_at is None:
            return 0
        priority, queued_at = conversation.priority, conversation.queued_at
        ahead = Q(priority__gt=priority) | Q(priority=priority, queued_at__lt=queued_at) | Q(
            priority=priority, queued_at=queued_at, id__lt=conversation.id)
        return await Conversation.filter(ahead, status="queued").count() + 1

    async def loads(self) -> Counter[int]:
        """Places taken per agent: held conversations, except those wrapping up (the customer said
        thanks or goodbye; the holder still owes the goodbye, which takes no place)."""
        rows = await Conversation.filter(status="handoff", assignee_id__isnull=False).values_list("id", "assignee_id")
        closing = await self.store.get_many([self.closing_key(conversation_id) for conversation_id, _ in rows])
        return Counter(agent_id for (_, agent_id), wraps_up in zip(rows, closing, strict=True) if wraps_up is None)

    # --- wrapping up: the customer said thanks or goodbye (a store key per conversation; release
    # deletes it, and its expiry bounds a key that a crash between the two writes left behind) ---
    def closing_key(self, conversation_id: int) -> str:
        return self.store.keys("handoff", "closing", str(conversation_id))

    async def wrapping_up(self, conversation_id: int) -> bool:
        return await self.store.get(self.closing_key(conversation_id)) is not None

    async def set_wrapping_up(self, conversation_id: int, closing: bool) -> None:
        if closing:
            await self.store.set(self.closing_key(conversation_id), "1", WRAPPING_UP_TTL_S)
        else:
            await self.store.delete(self.closing_key(conversation_id))

    async def ungreeted(self) -> set[int]:
        """Agents holding a conversation handed to them within `greeting_grace` that nobody greeted yet
        (not ready for the next one). An older one no longer counts: a holder who never writes in a
        conversation moved to them, or whose greeting could not be sent, would otherwise stop the queue
        for as long as they stay silent (docs/handoff-sla.md "The queue never waits on a silent holder")."""
        since = self.clock.now() - greeting_grace(self.services.settings)
        rows = await Conversation.filter(status="handoff", first_reply_at__isnull=True,
                                         assigned_at__gt=since).values_list("assignee_id", flat=True)
        return {agent_id for agent_id in rows if agent_id is not None}

    async def has_room(self, exclude: Iterable[int] = ()) -> bool:
        """Whether an online agent other than `exclude` could take a conversation now."""
        skip = set(exclude)
        online = [a for a in await serving_online() if a.id not in skip]
        return _someone_can_take(online, await self.loads())

    async def ready_to_answer(self, exclude: Iterable[int] = ()) -> Agent | None:
        """An online agent other than `exclude` with a free place, their last customer greeted and
        nobody waiting for their answer (least loaded first): they could answer a moved question now."""
        skip = set(exclude) | await self.ungreeted()
        owing = await Conversation.filter(status="handoff", waiting_since__not_isnull=True).values_list(
            "assignee_id", flat=True)
        skip.update(agent_id for agent_id in owing if agent_id is not None)
        loads = await self.loads()
        ready = [a for a in await serving_online()
                 if a.id not in skip and a.role not in SUPERVISORS and loads[a.id] < a.capacity]
        return min(ready, key=lambda a: (loads[a.id], a.id), default=None)

    async def assign_waiting(self) -> list[Conversation]:
        """Give queued conversations to agents with room, in queue order; returns those assigned."""
        assigned: list[Conversation] = []
        if not await reads.anyone_online():
            # Nobody to assign to: no shop-wide lock, so escalations do not queue behind each other
            # (an agent coming online runs this pass itself and finds every conversation queued by then).
            return assigned
        async with self.store.lock(ASSIGN_LOCK, timeout=10, wait=10):
            online = {agent.id: agent for agent in await serving_online()}
            if not online:
                return assigned
            loads = await self.loads()
            if not _someone_can_take(online.values(), loads):
                # every agent full and no supervisor: nobody can take one, so the queue is not walked
                # (under the shop-wide lock, each escalation's pass would read it all at a busy hour)
                return assigned
            busy = await self.ungreeted()
            waiting = await self.waiting()
            last_agents, accused = await self._about_customers(waiting)
            for conversation in waiting:
                barred = {*conversation.lapsed_agents, *accused.get(conversation.customer_id, ())}
                agent = self._choose(barred, last_agents.get(conversation.customer_id), online, loads, busy)
                if agent is None:
                    continue
                loads[agent.id] += 1
                busy.add(agent.id)  # one at a time: their next once this one is greeted
                await self._hand_to(conversation, agent)
                assigned.append(conversation)
        for conversation in assigned:
            await self.notify(
                conversation.assignee_id, {"type": "conversation.assigned", "conversation_id": conversation.id}
            )
        if assigned:
            await self.notify(None, {"type": "queue.changed"})
        return assigned

    @staticmethod
    async def _about_customers(waiting: list[Conversation]) -> tuple[dict[int, int | None], dict[int, set[int]]]:
        """For the queued conversations' customers: the agent who served each last, and the agents each
        has an open complaint about: two queries for the whole queue, not two per conversation."""
        customers = list({conversation.customer_id for conversation in waiting})
        if not customers:
            return {}, {}
        last = dict(await Customer.filter(id__in=customers).values_list("id", "last_agent_id"))
        return last, await _accused(customers)

    @staticmethod
    def _choose(barred: set[int], last_agent_id: int | None, online: dict[int, Agent], loads: Counter[int],
                busy: set[int]) -> Agent | None:
        """The customer's last agent if they have room, else the least loaded who is ready; never an
        agent who let it lapse, nor one the customer has an open complaint about (R-HANDOFF-6): those
        are `barred`."""
        allowed = {aid: a for aid, a in online.items() if aid not in barred}
        free = {aid: a for aid, a in allowed.items() if loads[aid] < a.capacity}
        if last_agent_id in free:
            return free[last_agent_id]
        allowed = {aid: a for aid, a in allowed.items() if aid not in busy}
        free = {aid: a for aid, a in free.items() if aid not in busy}
        if free:
            return min(free.values(), key=lambda a: (loads[a.id], a.id))
        supervisors = [a for a in allowed.values() if a.role in SUPERVISORS]
        return min(supervisors, key=lambda a: (loads[a.id], a.id)) if supervisors else None

    async def barred(self, conversation: Conversation) -> set[int]:
        """Agents this conversation never goes to: those who let it lapse, and any the customer has an
        open complaint about (R-HANDOFF-6)."""
        accused = await _accused([conversation.customer_id])
        return {*conversation.lapsed_agents, *accused.get(conversation.customer_id, ())}

    async def _hand_to(self, conversation: Conversation, agent: Agent) -> None:
        # a new hold: a wrapping-up mark of an earlier one (queued again, or left by a failed write)
        # must not make this one take no place; cleared before the save, as in `release`: a failed
        # delete leaves it queued (the next pass retries), never held with a stale mark
        await self.set_wrapping_up(conversation.id, False)
        now = self.clock.now()
        conversation.status, conversation.assignee_id = "handoff", agent.id
        conversation.assigned_at, conversation.first_reply_at, conversation.holding_sent = now, None, 0
        await conversation.save()
        await self.publish_holder(conversation)
        await self.record(conversation, "assigned", agent_id=agent.id)

    async def take(self, conversation: Conversation, agent: Agent) -> bool:
        """An agent picks a queued conversation themselves (under the same lock and capacity rule)."""
        async with self.store.lock(ASSIGN_LOCK, timeout=10, wait=10):
            await conversation.refresh_from_db()
            loads = await self.loads()
            if conversation.status != "queued" or loads[agent.id] >= agent.capacity:
                return False
            await self._hand_to(conversation, agent)
        await self.notify(None, {"type": "queue.changed"})
        return True

    async def transfer(self, conversation: Conversation, target: Agent) -> bool:
        """Move a held conversation to `target` if they have room, under the assignment lock."""
        async with self.store.lock(ASSIGN_LOCK, timeout=10, wait=10):
            await conversation.refresh_from_db()
            await target.refresh_from_db()
            loads = await self.loads()
            if conversation.status != "handoff" or target.id == conversation.assignee_id:
                return False
            if target.presence == "offline" or (target.role not in SUPERVISORS and loads[target.id] >= target.capacity):
                return False
            conversation.assignee_id, conversation.assigned_at = target.id, self.clock.now()
            conversation.first_reply_at, conversation.holding_sent = None, 0
            await conversation.save()
            await self.publish_holder(conversation)
        return True

    async def leave_queue(self, conversation_id: int) -> tuple[int, str] | None:
        """A queued conversation goes back to the bot (a 留言 was left): one conditional UPDATE where the
        ORM read the row and saved all of it back; its id and key, or None when it was not queued."""
        return _left(await _LEAVE_QUEUE.rows(conversation_id))

    async def leave_queue_with_message(self, conversation_id: int, text: str, promised_by: datetime,
                                       created_at: datetime) -> tuple[tuple[int, str] | None, datetime | None]:
        """Record a 留言 and `leave_queue`, both written or neither, so a failure (answered 503, the
        customer's message sent again) cannot leave a 留言 that the resend writes a second time; a
        failure after both were written (the message handled again, still open) finds its 留言 already
        there (`reads.left_message_sql`). Returns `leave_queue`'s answer and, on PostgreSQL, the promise
        `promise_kept` reads (None on SQLite: the caller reads it). On PostgreSQL one statement (a
        data-modifying CTE, whose parameters differ from the two statements', hence the dialect chosen
        here), which reads the promise too, where a statement after it did (docs/performance.md, "Twelfth
        round"), except when a copy of the message handled at the same moment wrote the 留言 after the
        statement began: its promise is read then, by a statement of its own, so both copies tell the
        customer one promise. SQLite has no such CTE: the two statements in one transaction."""
        if default_connection().capabilities.dialect == "postgres":
            row = (await _LEAVE_QUEUE_WITH_MESSAGE.rows(conversation_id, text, promised_by, created_at,
                                                        conversation_id, conversation_id, text))[0]
            left = (row["id"], row["key"]) if row["id"] is not None else None
            kept = reads.promise(row["kept"])
            return left, kept if kept is not None else await self.promise_kept(conversation_id, text, promised_by)
        async with in_transaction():
            await reads.record_left_message(conversation_id, text, promised_by, created_at)
            return await self.leave_queue(conversation_id), None

    @staticmethod
    async def promise_kept(conversation_id: int, text: str, promised: datetime) -> datetime:
        """The reply time the open 留言 of `text` holds, which the customer is told: `promised` when this
        message wrote it or renewed it (the first one's had passed), the first one's when it was there
        already and still ahead (a resend after a lost reply, whose fresh promise the row never took).
        `promised` when there is none (done meanwhile)."""
        kept = await reads.kept_promise(conversation_id, text)
        return promised if kept is None else kept

    async def left_queue(self, left: tuple[int, str]) -> None:
        """After `leave_queue`: the wrapping-up mark of an earlier hold and the store's holder go in one
        command (after the UPDATE, unlike `release`'s order: a mark that a failed delete leaves is
        cleared by the next hold, `_hand_to`, before it counts), and the consoles are told. A failure is
        logged, not raised: the 留言 and the database's "bot" are written, and an error would make the
        customer resend and the 留言 be written twice; a holder left saying "queued" is read only by a
        留言, which the database then overrules, and is rewritten by the next queueing or hold."""
        conversation_id, key = left
        news = Batch()  # one pipeline on Redis, where a command each took a connection and a round trip
        news.delete(self.closing_key(conversation_id), self.holder_key(key))
        news.publish(CONSOLE_TOPIC, {"type": "queue.changed"})
        try:  # awaited here: a gather of the one send cost three turns of the loop more
            outcomes: list[Any] = await self.store.send(news)
        except Exception as exc:
            outcomes = [exc]
        log_lost_writes(conversation_id, outcomes)

    async def release(self, conversation: Conversation, status: str) -> None:
        """Leave the person's hands: back to the bot (`bot`) or back to the queue (`queued`)."""
        if status == "queued":  # the open question keeps its clock: the next holder owes that answer
            conversation.queued_at = conversation.queued_at or self.clock.now()
        else:  # not wrapping up any more, cleared before the save: a failed delete leaves it held, not a
            # stale mark on a conversation back with the bot (held again, it would take no place)
            conversation.waiting_since = conversation.unacked_since = None
            await self.set_wrapping_up(conversation.id, False)
        conversation.status, conversation.assignee_id = status, None
        await conversation.save()
        # the database says it: the store's view and the consoles' news, one batch (Redis: one pipeline)
        batch = Batch()
        self.write_holder(batch, conversation)
        batch.publish(CONSOLE_TOPIC, {"type": "queue.changed"})
        for outcome in await self.store.send(batch):
            if isinstance(outcome, Exception):
                raise outcome
