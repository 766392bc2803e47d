"""Who may read which part of whose archive (docs/rules.md R-ARCHIVE-5, R-ARCHIVE-6).

An agent reads the archive of a customer whose conversation they hold now, or whom they served
within `ARCHIVE_RECENT_DAYS`; supervisors and admins read by their role. Anyone else needs an
approved access request naming the parts, which expires after `ARCHIVE_ACCESS_HOURS`. The record's
secrecy bounds all of it: 機密 (`confidential`) is for supervisors and up, 絕密 (`secret`) for
admins; below that only a request approved by someone cleared for the record opens it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from handlers.archive.settings import ArchiveSettings
from models.agent import Agent
from models.archive import AccessRequest, Person
from models.conversation import Conversation
from models.customer import Customer

CLEARANCE = {"normal": ("agent", "supervisor", "admin"), "confidential": ("supervisor", "admin"),
             "secret": ("admin",)}
APPROVERS = {"normal": ("supervisor", "admin"), "confidential": ("supervisor", "admin"), "secret": ("admin",)}


@dataclass(frozen=True)
class Grant:
    """Why a read is allowed: `basis` is role, holding, recent or request (with its id)."""

    basis: str
    request_id: int | None = None


#: The holder of a customer's live work (the open after-sales case assigned to them): they read what
#: that work needs whatever the record's secrecy (docs/after_sales.md "Cases and the archive").
HOLDER = Grant("case")


def may_approve(approver: Agent, person: Person) -> bool:
    return approver.role in APPROVERS[person.secrecy]


async def grant(viewer: Agent, person: Person, customer_ids: Sequence[int], part: str, now: datetime,
                settings: ArchiveSettings, kind: str = "read") -> Grant | None:
    """How `viewer` may read `part` of `person` now, or None when they may not."""
    if kind == "read" and person.secrecy == "normal" and not _by_role(viewer, person, kind):
        if await Conversation.filter(customer_id__in=list(customer_ids), status="handoff",
                                     assignee_id=viewer.id).exists():
            return Grant("holding")
        since = now - timedelta(days=settings.recent_days)
        if settings.recent_days and await Customer.filter(id__in=list(customer_ids), last_agent_id=viewer.id,
                                                          last_inbound_at__gte=since).exists():
            return Grant("recent")
    return (await role_or_request(viewer, [person], part, now, kind)).get(person.id)


def _by_role(viewer: Agent, person: Person, kind: str) -> bool:
    """Supervisors and admins read the records their role is cleared for; no one writes or exports by role."""
    return kind == "read" and viewer.role in CLEARANCE[person.secrecy] and viewer.role in ("supervisor", "admin")


async def role_or_request(viewer: Agent, people: Sequence[Person], part: str, now: datetime, kind: str = "read"
                          ) -> dict[int, Grant]:
    """The grants that do not depend on the customer's conversations, by person id (absent: none): the
    viewer's role, else their approved, unexpired request of `kind` naming `part` (or all), decided by
    someone who may still approve it (a record marked secret since closes a supervisor's approval).
    `grant` asks it for one record; a list (`ArchiveService.duty_grants`) for its records above normal,
    in two statements however many."""
    grants = {person.id: Grant("role") for person in people if _by_role(viewer, person, kind)}
    left = {person.id: person for person in people if person.id not in grants}
    if not left:
        return grants
    requests = await AccessRequest.filter(person_id__in=list(left), requester_id=viewer.id, kind=kind,
                                          status="approved", expires_at__gt=now).order_by("-decided_at")
    wanted = [request for request in requests if part in request.parts or "all" in request.parts]
    if not wanted:
        return grants
    deciders = {agent.id: agent for agent in await Agent.filter(id__in={r.decided_by_id for r in wanted})}
    for request in wanted:
        person, decider = left[request.person_id], deciders.get(request.decided_by_id)
        if person.id not in grants and decider is not None and may_approve(decider, person):
            grants[person.id] = Grant("request", request.id)
    return grants
