"""The read log of the archive (docs/rules.md R-ARCHIVE-6): who read which part of whose record,
when, on what basis and why, from the API, the console, an export or the command line.

Refused reads are logged too (`action` "denied"), so a supervisor sees attempts as well as reads.
The log keeps person ids, part names and the stated reason, never the data read.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from aiohttp import web

from models.agent import Agent
from models.archive import AccessLog


def via(request: web.Request) -> str:
    """"api" for a bearer token (scripts), "console" for a browser session."""
    return "api" if request.headers.get("Authorization", "").startswith("Bearer ") else "console"


async def log_reads(staff: Agent | None, staff_name: str, person_id: int, parts: Iterable[str], *, action: str,
                    via: str, basis: str, at: datetime, request_id: int | None = None, reason: str = "") -> None:
    await log_entries(staff, staff_name, [(person_id, part, action, basis, request_id) for part in parts], via=via,
                      at=at, reason=reason)


async def log_entries(staff: Agent | None, staff_name: str, rows: Iterable[tuple[int, str, str, str, int | None]], *,
                      via: str, at: datetime, reason: str = "") -> None:
    """One statement for many (person id, part, action, basis, request id) entries: a list's reads."""
    await AccessLog.bulk_create([
        AccessLog(at=at, staff_id=staff.id if staff else None, staff_name=staff_name, person_id=person_id, part=part,
                  action=action, via=via, basis=basis, request_id=request_id, reason=reason[:255])
        for person_id, part, action, basis, request_id in rows
    ])


@dataclass(frozen=True)
class AuditFilter:
    person_id: int | None = None
    staff_name: str | None = None
    since: datetime | None = None
    limit: int = 500


async def entries(query: AuditFilter) -> list[AccessLog]:
    rows = AccessLog.all()
    if query.person_id is not None:
        rows = rows.filter(person_id=query.person_id)
    if query.staff_name:
        rows = rows.filter(staff_name=query.staff_name)
    if query.since is not None:
        rows = rows.filter(at__gte=query.since.astimezone(UTC))  # stored times compare as UTC text in SQLite
    return await rows.order_by("-at", "-id").limit(query.limit)


def entry_json(row: AccessLog) -> dict[str, object]:
    return {"id": row.id, "at": row.at, "staff": row.staff_name, "person_id": row.person_id, "part": row.part,
            "action": row.action, "via": row.via, "basis": row.basis, "request_id": row.request_id,
            "reason": row.reason}
