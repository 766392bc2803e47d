"""The complaint desk: registering, the six steps, deadlines and escalation, major complaints, tasks.

One service (built at start-up, `COMPLAINTS`) shared by the chat, the API, the CLI and the timers,
so every path numbers, merges, logs and alerts the same way (docs/rules.md R-COMPLAINT):
- `register` numbers a complaint `TS<date><NNNN>` (R-COMPLAINT-3); a retried message (`source_key`)
  finds the first, and a second complaint on the same matter while the first is open is added to
  it (`open_key`, R-COMPLAINT-4);
- `act` takes a step action after checking the role (R-COMPLAINT-5..7) and logs who/when/what;
- each step's deadline is a scheduler entry; when it passes the step goes one role up and the
  console hears of it (R-COMPLAINT-7);
- `mark_major` alerts managers at once (console and `ALERT_WEBHOOK_URL`) and opens the 24 h legal
  warning task (R-COMPLAINT-9, R-COMPLAINT-10); resolution opens the 24 h feedback task (R-COMPLAINT-11);
- service complaints are counted per accused agent; the third in a month is serious (R-COMPLAINT-12).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from tortoise import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from bot.alerts import post_webhook
from bot.context import ServiceKey
from bot.store.keys import agent_topic
from bot.templates import spec
from handlers.complaints.process import (
    ACTIONS,
    CATEGORIES,
    CLOSED,
    LEVEL_UP,
    STEPS,
    NotAllowed,
    StepError,
    may_act,
    step_role,
)
from handlers.complaints.service import NO_PHONE
from handlers.complaints.settings import ComplaintSettings
from handlers.complaints.visibility import may_see
from models.agent import Agent
from models.complaint import Complaint, ComplaintStep, ComplaintTask
from models.conversation import Conversation
from models.customer import Customer
from models.order import Order

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from bot.clock import Clock
    from bot.messenger import CustomerMessenger
    from bot.scheduler import Scheduler
    from bot.store.base import Store

log = logging.getLogger("csbot.complaints")

OVERDUE = "complaints.overdue"
NUMBERING_ATTEMPTS = 5
MAJOR_REASONS = ("media", "platform", "repeat", "protest", "return", "collective", "staff")
TASK_KINDS = ("legal", "feedback")
SCRIPTS = (spec("complaints.investigating", "number", "reply_by"), spec("complaints.not_standing", "number"),
           spec("complaints.result", "number", "solution"))


@dataclass
class Draft:
    """What is known of a complaint when it is registered (from the chat or a staff member)."""

    customer_id: int
    channel: str
    actor: str
    content: str = ""
    contact: str | None = None
    desired_outcome: str | None = None
    order: Order | None = None
    category: str = "other"
    conversation_id: int | None = None
    accused_agent_id: int | None = None
    owner_id: int | None = None
    source_key: str | None = None
    major_reasons: list[str] = field(default_factory=list)

    @property
    def matter(self) -> str:
        return self.order.order_no if self.order is not None else f"no-order:{self.category}"

    @property
    def topic(self) -> str | None:
        """What several customers can complain about together: the product of the order."""
        items = self.order.items if self.order is not None else None
        if not items:
            return None
        first = items[0]
        return f"sku:{first.get('sku') or first.get('name')}"[:64]


def _major_reasons(reasons: list[str], already: list[str]) -> list[str]:
    """The known reasons not recorded yet, each once, in the order given."""
    return [r for r in dict.fromkeys(reasons) if r in MAJOR_REASONS and r not in already]


class ComplaintDesk:
    """Built at start-up from the narrow services it uses (clock, store, scheduler, messenger), never
    the whole runtime; `alert_webhook_url` is where managers hear of a major complaint."""

    def __init__(self, settings: ComplaintSettings, *, zone: ZoneInfo, clock: Clock, store: Store,
                 scheduler: Scheduler, messenger: CustomerMessenger, alert_webhook_url: str | None) -> None:
        self.settings = settings
        self.zone = zone
        self.clock = clock
        self.store = store
        self.scheduler = scheduler
        self.messenger = messenger
        self.alert_webhook_url = alert_webhook_url
        scheduler.on(OVERDUE, self._overdue)

    def local(self, moment: datetime) -> str:
        return moment.astimezone(self.zone).strftime("%m-%d %H:%M")

    # --- registering ---
    async def register(self, draft: Draft) -> tuple[Complaint, bool]:
        """The new complaint, or the open one this adds to (same matter, or the same message retried)."""
        open_key = f"{draft.customer_id}:{draft.matter}"[:120]
        async with self.store.lock("complaint", str(draft.customer_id)):
            for _ in range(NUMBERING_ATTEMPTS):
                existing = await self._existing(open_key, draft.source_key)
                if existing is not None:
                    if draft.source_key is None or existing.source_key != draft.source_key:
                        await self._add_to(existing, draft)
                    return existing, False
                now = self.clock.now()
                repeat = await Complaint.filter(
                    customer_id=draft.customer_id,
                    created_at__gte=now - timedelta(days=self.settings.repeat_days)).exists()
                reasons = _major_reasons([*draft.major_reasons, *(["repeat"] if repeat else [])], [])
                try:
                    async with in_transaction() as connection:
                        complaint = await Complaint.create(
                            number=await self._next_number(now), customer_id=draft.customer_id,
                            conversation_id=draft.conversation_id, channel=draft.channel, contact=draft.contact,
                            content=draft.content[:4000], desired_outcome=(draft.desired_outcome or None),
                            category=draft.category if draft.category in CATEGORIES else "other",
                            order=draft.order, matter=draft.matter[:64], topic=draft.topic,
                            accused_agent_id=draft.accused_agent_id,
                            owner_id=draft.owner_id if draft.owner_id != draft.accused_agent_id else None,
                            severity="major" if reasons else "normal", major_reasons=reasons,
                            step="register", step_due_at=now + self._step_length("register"),
                            reply_by=now + timedelta(hours=self.settings.reply_within_h),
                            source_key=draft.source_key, open_key=open_key, created_at=now,
                            using_db=connection)
                        await ComplaintStep.create(complaint=complaint, action="register", to_step="register",
                                                   actor=draft.actor, note=draft.content[:500], at=now,
                                                   using_db=connection)
                        if reasons:
                            await self._record_major(complaint, reasons, draft.actor, "", connection)
                except IntegrityError:  # another worker took the number or registered the same message
                    continue
                break
            else:
                raise RuntimeError("could not number a new complaint")
        await self._schedule(complaint)
        if draft.accused_agent_id is not None:  # the customer is not sent back to the agent they complain about
            await Customer.filter(id=draft.customer_id, last_agent_id=draft.accused_agent_id).update(last_agent_id=None)
        if reasons:
            await self._alert_major(complaint)
        await self._check_collective(complaint)
        await self._count_service(complaint)
        await self.notify(complaint, {"type": "complaint.registered", "number": complaint.number})
        return complaint, True

    async def _existing(self, open_key: str, source_key: str | None) -> Complaint | None:
        if source_key:
            found = await Complaint.get_or_none(source_key=source_key)
            if found is not None:
                return found
        return await Complaint.get_or_none(open_key=open_key)

    async def _add_to(self, complaint: Complaint, draft: Draft) -> None:
        """A second complaint about the same open matter: its words and wishes join the first."""
        updates: dict[str, Any] = {}
        if draft.content and draft.content not in complaint.content:
            updates["content"] = f"{complaint.content}\n{draft.content}".strip()[:4000]
        if draft.desired_outcome and not complaint.desired_outcome:
            updates["desired_outcome"] = draft.desired_outcome
        if draft.contact and not complaint.contact:
            updates["contact"] = draft.contact
        if updates:
            await Complaint.filter(id=complaint.id).update(**updates)
            for name, value in updates.items():
                setattr(complaint, name, value)
        await self._log(complaint, "added", draft.actor, draft.content[:500])
        new_reasons = [r for r in draft.major_reasons if r not in complaint.major_reasons]
        if new_reasons:
            await self.mark_major(complaint, new_reasons, draft.actor)

    async def _next_number(self, now: datetime) -> str:
        prefix = f"TS{now.astimezone(self.zone):%Y%m%d}"
        last = await Complaint.filter(number__startswith=prefix).order_by("-number").first()
        return f"{prefix}{int(last.number[len(prefix):]) + 1 if last else 1:04d}"

    # --- the six steps ---
    async def act(self, complaint: Complaint, viewer: Agent, action: str, values: dict[str, Any]) -> Complaint:
        """Take a step action (raises `NotAllowed` or `StepError`); logs who, when and what."""
        if action not in ACTIONS:
            raise StepError(f"unknown action {action}")
        async with self.store.lock("complaint-step", complaint.number):
            await complaint.refresh_from_db()
            if not may_see(viewer, complaint):  # the accused among them (R-COMPLAINT-8)
                raise NotAllowed("not visible to this staff member")
            if ACTIONS[action].step != complaint.step:
                raise StepError(f"the complaint is at {complaint.step}, not {ACTIONS[action].step}")
            if not may_act(viewer.role, complaint.step, complaint.category):
                raise NotAllowed(f"{viewer.role} may not {action}")
            to, note, updates = self._transition(complaint, action, values)
            await self._move(complaint, to, f"agent:{viewer.id}", action, note, updates)
        if action == "judge":
            if complaint.step == CLOSED:
                await self.tell_customer(complaint, "complaints.not_standing")
            else:
                await self.tell_customer(complaint, "complaints.investigating", reply_by=self.local(complaint.reply_by))
        return complaint

    def _transition(self, complaint: Complaint, action: str, values: dict[str, Any]) -> tuple[str, str, dict]:
        note = (values.get("note") or "").strip()
        updates: dict[str, Any] = {}
        now = self.clock.now()
        if action == "accept":
            if values.get("category"):
                updates["category"] = values["category"]
            return "judge", note, updates
        if action == "judge":
            if values.get("stands") is None:
                raise StepError("judge needs stands")
            if not values["stands"]:
                if not note:
                    raise StepError("a complaint that does not stand is closed with a reason (note)")
                updates.update(close_reason=note, closed_at=now, open_key=None)
                return CLOSED, note, updates
            if values.get("category"):
                updates["category"] = values["category"]
            if values.get("reply_by"):
                updates["reply_by"] = values["reply_by"]
            return "investigate", note, updates
        if action == "investigate":
            cause = (values.get("cause") or "").strip()
            if not cause:
                raise StepError("investigate needs the cause")
            updates["cause"] = cause
            if values.get("solution"):
                updates["solution"] = values["solution"]
            return "approve", note or cause, updates
        if action == "approve":
            if values.get("approved") is None:
                raise StepError("approve needs approved")
            if not values["approved"]:
                return "investigate", note, updates
            if values.get("solution"):
                updates["solution"] = values["solution"]
            if not (updates.get("solution") or complaint.solution):
                raise StepError("approve needs the solution")
            return "handle", note, updates
        if action == "handle":
            if values.get("accepted") is None:
                raise StepError("handle needs accepted")
            if not values["accepted"]:  # the customer said no: back to the supervisor (R-COMPLAINT-6)
                return "approve", note or "customer did not accept", updates
            updates["resolved_at"] = now
            return "review", note, updates
        if not note:
            raise StepError("review needs a summary (note)")
        updates.update(closed_at=now, open_key=None)
        return CLOSED, note, updates

    async def _move(self, complaint: Complaint, to: str, actor: str, action: str, note: str,
                    updates: dict[str, Any]) -> None:
        now = self.clock.now()
        before = complaint.step
        updates.update(step=to, escalated_to=None, step_due_at=now + self._step_length(to) if to in STEPS else None)
        if to != CLOSED and "category" in updates and updates["category"] not in CATEGORIES:
            raise StepError("unknown category")
        async with in_transaction() as connection:
            await Complaint.filter(id=complaint.id).using_db(connection).update(**updates)
            await ComplaintStep.create(complaint_id=complaint.id, action=action, from_step=before, to_step=to,
                                       actor=actor, note=note[:2000], at=now, using_db=connection)
            if to == "review":  # resolved: the result is fed back within 24 h (R-COMPLAINT-11)
                await ComplaintTask.get_or_create(
                    complaint_id=complaint.id, kind="feedback", using_db=connection,
                    defaults={"due_at": now + timedelta(hours=self.settings.feedback_within_h), "created_at": now})
        for name, value in updates.items():
            setattr(complaint, name, value)
        await self.scheduler.cancel(OVERDUE, f"{complaint.id}:{before}")
        await self._schedule(complaint)
        await self.notify(complaint, {"type": "complaint.changed", "number": complaint.number, "step": to})

    def _step_length(self, step: str) -> timedelta:
        return timedelta(hours=self.settings.step_hours(step)) if step in STEPS else timedelta(0)

    async def _schedule(self, complaint: Complaint) -> None:
        if complaint.step in STEPS and complaint.step_due_at is not None:
            await self.scheduler.at(OVERDUE, f"{complaint.id}:{complaint.step}", complaint.step_due_at)

    async def rearm(self) -> int:
        """Put every open step's deadline back in the store (after the store lost its data)."""
        open_steps = await Complaint.filter(closed_at__isnull=True, step_due_at__isnull=False)
        for complaint in open_steps:
            await self.scheduler.ensure(OVERDUE, f"{complaint.id}:{complaint.step}", complaint.step_due_at)
        return len(open_steps)

    async def _overdue(self, member: str) -> None:
        """A step's deadline passed: it goes one role up, the console hears, the next deadline is set."""
        complaint_id, _, step = member.partition(":")
        complaint = await Complaint.get_or_none(id=int(complaint_id))
        if complaint is None or complaint.step != step:
            return
        current = complaint.escalated_to or step_role(step, complaint.category)
        higher = LEVEL_UP.get(current)
        if higher is None:
            return
        due = self.clock.now() + self._step_length(step)
        await Complaint.filter(id=complaint.id).update(escalated_to=higher, step_due_at=due)
        complaint.escalated_to, complaint.step_due_at = higher, due
        await self._log(complaint, "escalate", "system", f"{step} overdue: {current} → {higher}")
        await self._schedule(complaint)
        await self.notify(complaint, {"type": "complaint.overdue", "number": complaint.number, "step": step,
                                      "role": higher})

    # --- staff: owner, major, tasks ---
    async def assign(self, complaint: Complaint, agent: Agent, actor: str) -> None:
        if agent.id == complaint.accused_agent_id:
            raise NotAllowed("a complaint is never assigned to the agent it is about")
        await Complaint.filter(id=complaint.id).update(owner_id=agent.id)
        complaint.owner_id = agent.id
        await self._log(complaint, "assign", actor, f"owner agent:{agent.id}")

    async def set_accused(self, complaint: Complaint, agent_id: int, actor: str) -> None:
        updates: dict[str, Any] = {"accused_agent_id": agent_id}
        if complaint.owner_id == agent_id:
            updates["owner_id"] = None
        await Complaint.filter(id=complaint.id).update(**updates)
        for name, value in updates.items():
            setattr(complaint, name, value)
        # as at registration: the customer is not sent back to the agent they complain about
        await Customer.filter(id=complaint.customer_id, last_agent_id=agent_id).update(last_agent_id=None)
        await self._log(complaint, "accused", actor, f"agent:{agent_id}")
        await self._count_service(complaint)

    async def mark_major(self, complaint: Complaint, reasons: list[str], actor: str, note: str = "") -> bool:
        """Make it major (once per reason): managers alerted now, the legal warning due in 24 h."""
        new = _major_reasons(reasons, complaint.major_reasons)
        if not new:
            return False
        async with in_transaction() as connection:
            await self._record_major(complaint, new, actor, note, connection)
        await self._alert_major(complaint)
        return True

    async def _record_major(self, complaint: Complaint, new: list[str], actor: str, note: str,
                            connection: BaseDBAsyncClient) -> None:
        complaint.major_reasons = [*complaint.major_reasons, *[r for r in new if r not in complaint.major_reasons]]
        complaint.severity = "major"
        await Complaint.filter(id=complaint.id).using_db(connection).update(
            major_reasons=complaint.major_reasons, severity="major")
        now = self.clock.now()
        await ComplaintStep.create(complaint_id=complaint.id, action="major", from_step=complaint.step,
                                   to_step=complaint.step, actor=actor, note=" ".join([",".join(new), note]).strip(),
                                   at=now, using_db=connection)
        await ComplaintTask.get_or_create(
            complaint_id=complaint.id, kind="legal", using_db=connection,
            defaults={"due_at": now + timedelta(hours=self.settings.legal_within_h), "created_at": now})

    async def _alert_major(self, complaint: Complaint) -> None:
        payload = {"type": "complaint.major", "number": complaint.number, "reasons": complaint.major_reasons,
                   "at": self.clock.time()}
        await self.notify(complaint, payload)
        await post_webhook(self.alert_webhook_url, payload)

    async def _check_collective(self, complaint: Complaint) -> None:
        """Several customers about the same product within the window: each of them is major."""
        if not complaint.topic:
            return
        since = self.clock.now() - timedelta(hours=self.settings.collective_window_h)
        together = await Complaint.filter(topic=complaint.topic, created_at__gte=since)
        if len({c.customer_id for c in together}) < self.settings.collective_customers:
            return
        for other in together:
            if other.closed_at is None:
                await self.mark_major(other, ["collective"], "system")

    async def _count_service(self, complaint: Complaint) -> None:
        """The accused agent's service complaints this month; the n-th makes the complaint serious."""
        if complaint.category != "service" or complaint.accused_agent_id is None or complaint.serious:
            return
        local = self.clock.now().astimezone(self.zone)
        month_start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)
        count = await Complaint.filter(accused_agent_id=complaint.accused_agent_id, category="service",
                                       created_at__gte=month_start).count()
        if count >= self.settings.serious_service_count:
            await Complaint.filter(id=complaint.id).update(serious=True)
            complaint.serious = True
            await self._log(complaint, "serious", "system", f"service complaint {count} this month")
            await self.notify(complaint, {"type": "complaint.serious", "number": complaint.number, "count": count})

    async def complete_task(self, complaint: Complaint, kind: str, agent: Agent, note: str) -> ComplaintTask:
        task = await ComplaintTask.get_or_none(complaint_id=complaint.id, kind=kind)
        if task is None:
            raise StepError(f"no {kind} task")
        if task.done_at is None:
            task.done_at, task.done_by_id, task.note = self.clock.now(), agent.id, note[:2000]
            await task.save()
            await self._log(complaint, f"{kind}_done", f"agent:{agent.id}", note[:500])
            if kind == "feedback":
                await self.tell_customer(complaint, "complaints.result", solution=complaint.solution or note)
        return task

    # --- telling people ---
    async def tell_customer(self, complaint: Complaint, key: str, **fields: Any) -> None:
        if complaint.conversation_id is None:
            return
        conversation = await Conversation.get(id=complaint.conversation_id)
        channel, _, user_id = conversation.key.partition(":")
        await self.messenger.say(channel, user_id, key, {"number": complaint.number, **fields})

    async def notify(self, complaint: Complaint, payload: dict[str, Any]) -> None:
        """Each staff member's console hears of it on its own topic, except the accused's (R-COMPLAINT-8);
        only the number: each console fetches what its viewer may see."""
        staff = Agent.filter(active=True)
        if complaint.accused_agent_id is not None:
            staff = staff.exclude(id=complaint.accused_agent_id)
        for agent_id in await staff.values_list("id", flat=True):
            await self.store.publish(agent_topic(agent_id), payload)

    async def refuse_calls(self, complaint: Complaint, actor: str) -> None:
        """The customer refused phone calls after filing (别再打了): the contact becomes `NO_PHONE`, logged."""
        await Complaint.filter(id=complaint.id).update(contact=NO_PHONE)
        complaint.contact = NO_PHONE
        await self._log(complaint, "no_phone", actor, "")

    async def _log(self, complaint: Complaint, action: str, actor: str, note: str) -> None:
        await ComplaintStep.create(complaint_id=complaint.id, action=action, from_step=complaint.step,
                                   to_step=complaint.step, actor=actor, note=note, at=self.clock.now())


COMPLAINTS = ServiceKey[ComplaintDesk]("complaints")
