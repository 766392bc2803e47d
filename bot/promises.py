"""The three promises of the handoff, one outcome per customer-side promise (docs/rules.md R-REPORT-3).

From the recorded SLA events (docs/handoff-sla.md), each promise that fell due in the period is
one `Outcome` with whether it was kept and whose it was:

- time to a person: one per escalation (`queued` event), kept when its `person_reached` event says
  so; an escalation nobody reached by its due time is a broken promise, not a missing row;
- acknowledged: one per `acknowledged` event, plus every conversation whose customer is still
  waiting for any message past the due time;
- answered by a person: one per question, keyed by conversation and due time: the `person_answered`
  event, or the `breach` recorded when it lapsed (a late answer and its breach are one question),
  or a conversation still owing it past the due time.

Every outcome is placed at its due time, so a promise belongs to the day, week or month it fell due.
The `response_time` report (handlers/reports) and the supervisor view's figures (handlers/handoff)
both count them here, so the two agree on the same day by construction.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.context import Services
from bot.report_periods import day_start
from bot.reports import ReportQuery
from models.conversation import Conversation
from models.handoff import SlaEvent

MEASURES = ("reached", "acknowledged", "answered")


@dataclass(frozen=True, slots=True)
class Outcome:
    due: datetime
    kept: bool
    agent_id: int | None


def shop_day(now: datetime, zone: ZoneInfo) -> ReportQuery:
    """The shop-local day containing `now`, whole, as a report asked for that one day queries it."""
    day = now.astimezone(zone).date()
    return ReportQuery(day_start(day, zone), day_start(day + timedelta(days=1), zone))


def _events(query: ReportQuery, *kinds: str, **where: object):
    events = SlaEvent.filter(kind__in=kinds, **where)
    if query.channel:
        events = events.filter(conversation__channel=query.channel)
    return events


def _conversations(query: ReportQuery, **where: object):
    rows = Conversation.filter(status__in=("queued", "handoff"), **where)
    return rows.filter(channel=query.channel) if query.channel else rows


async def reached(services: Services, query: ReportQuery) -> list[Outcome]:
    limit = timedelta(seconds=services.settings.sla_first_response_s)
    now = services.clock.now()
    escalations = await _events(query, "queued", at__gte=query.start - limit, at__lt=query.end).values(
        "conversation_id", "at")
    if not escalations:
        return []
    ids = {row["conversation_id"] for row in escalations}
    first = min(row["at"] for row in escalations)
    history: dict[int, list[tuple[datetime, str, dict]]] = defaultdict(list)
    for row in await SlaEvent.filter(conversation_id__in=ids, kind__in=("queued", "person_reached"),
                                     at__gte=first).order_by("at", "id").values(
            "conversation_id", "kind", "at", "within", "agent_id"):
        history[row["conversation_id"]].append((row["at"], row["kind"], row))
    outcomes = []
    for events in history.values():
        for index, (at, kind, _) in enumerate(events):
            if kind != "queued":
                continue
            due = at + limit
            if not query.start <= due < query.end:
                continue
            following = events[index + 1] if index + 1 < len(events) else None
            answer = following[2] if following is not None and following[1] == "person_reached" else None
            if answer is not None:
                outcomes.append(Outcome(due, bool(answer["within"]), answer["agent_id"]))
            elif due <= now:
                outcomes.append(Outcome(due, False, None))
    return outcomes


async def acknowledged(services: Services, query: ReportQuery) -> list[Outcome]:
    limit = timedelta(seconds=services.settings.sla_reply_s)
    rows = await _events(query, "acknowledged", due_at__gte=query.start, due_at__lt=query.end).values(
        "due_at", "within", "agent_id")
    outcomes = [Outcome(row["due_at"], bool(row["within"]), row["agent_id"]) for row in rows]
    cutoff = min(query.end, services.clock.now())
    for row in await _conversations(query, unacked_since__gte=query.start - limit,
                                    unacked_since__lt=cutoff - limit).values("unacked_since", "assignee_id"):
        outcomes.append(Outcome(row["unacked_since"] + limit, False, row["assignee_id"]))
    return outcomes


def _key(conversation_id: int, due: datetime) -> tuple[int, int]:
    return conversation_id, round(due.timestamp() * 1000)


async def answered(services: Services, query: ReportQuery) -> list[Outcome]:
    limit = timedelta(seconds=services.settings.sla_reply_s)
    questions: dict[tuple[int, int], Outcome] = {}
    for row in await _events(query, "breach", due_at__gte=query.start, due_at__lt=query.end).order_by("at").values(
            "conversation_id", "due_at", "agent_id"):
        questions[_key(row["conversation_id"], row["due_at"])] = Outcome(row["due_at"], False, row["agent_id"])
    cutoff = min(query.end, services.clock.now())
    for row in await _conversations(query, waiting_since__gte=query.start - limit,
                                    waiting_since__lt=cutoff - limit).values("id", "waiting_since", "assignee_id"):
        due = row["waiting_since"] + limit
        questions.setdefault(_key(row["id"], due), Outcome(due, False, row["assignee_id"]))
    for row in await _events(query, "person_answered", due_at__gte=query.start, due_at__lt=query.end).values(
            "conversation_id", "due_at", "within", "agent_id"):
        questions[_key(row["conversation_id"], row["due_at"])] = Outcome(row["due_at"], bool(row["within"]),
                                                                          row["agent_id"])
    return list(questions.values())


async def outcomes(services: Services, query: ReportQuery) -> dict[str, list[Outcome]]:
    """Every measure's outcomes in the period, narrowed to the query's agent when it names one."""
    found = {"reached": await reached(services, query), "acknowledged": await acknowledged(services, query),
             "answered": await answered(services, query)}
    if query.agent_id is not None:
        found = {name: [o for o in items if o.agent_id == query.agent_id] for name, items in found.items()}
    return found
