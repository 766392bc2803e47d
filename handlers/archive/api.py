"""The archive's typed JSON API (bot/web/typed.py): search, read, reveal, write, merge, access
requests, the read log, exports, 离职交接, session revocation and erasure (docs/rules.md R-ARCHIVE).

Reads are checked and logged by `ArchiveService`; `via` tells the log whether the console (a
browser session) or a script (a bearer token) asked.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from aiohttp import web
from pydantic import AwareDatetime, BaseModel, Field
from tortoise.exceptions import IntegrityError

from bot.extension import area_service
from bot.phones import ASCII_DIGITS, ascii_form, normal_phone
from bot.store.base import LockTimeout
from bot.store.keys import CONSOLE_TOPIC, agent_topic
from bot.text_input import visible
from bot.web.auth import AGENT
from bot.web.sessions import StaffSessions
from bot.web.typed import MAX_ID, ApiError, endpoint, path_id
from handlers.archive import access, audit, export, persons
from handlers.archive.erase import erase
from handlers.archive.leave import HandOverFailed, LeaveRefused, hand_over
from handlers.archive.service import ARCHIVE, ArchiveService, Reader
from models.agent import Agent
from models.archive import SECRECY, AccessRequest, ArchiveMerge, ArchiveNote, ArchiveTag, Person

SUPERVISORS = ("supervisor", "admin")
PERSON = "/api/archive/{person_id}"
RecordId = Annotated[int, Field(ge=1, le=MAX_ID)]


def _service(request: web.Request) -> ArchiveService:
    return area_service(request, ARCHIVE)


def _reader(request: web.Request, reason: str = "") -> Reader:
    return Reader(request[AGENT], audit.via(request), reason)


async def _person(request: web.Request) -> Person:
    return await _service(request).person(path_id(request, "person_id", "no_such_person"))


# --- search and read ---


class SearchQuery(BaseModel):
    q: str = Field(min_length=1, max_length=64)


class PersonHit(BaseModel):
    id: int
    name: str | None
    phone: str | None
    channels: list[str]
    secrecy: str


@endpoint("GET", "/api/archive/search", query=SearchQuery, response=list[PersonHit], tag="archive",
          summary="Find archive records by name, phone, order number or customer id (masked; logged)")
async def search(request: web.Request, query: SearchQuery) -> list[PersonHit]:
    return [PersonHit(**row) for row in await _service(request).search(_reader(request), query.q)]


class CustomerArchiveOut(BaseModel):
    person_id: int


class LookupQuery(BaseModel):
    reason: str = Field("", max_length=255)


@endpoint("GET", "/api/archive/customers/{customer_id}", query=LookupQuery, response=CustomerArchiveOut,
          tag="archive", summary="The archive record a customer (one channel identity) belongs to (logged)",
          errors={404: "no such customer"})
async def archive_of_customer(request: web.Request, query: LookupQuery) -> CustomerArchiveOut:
    person = await _service(request).person_of_customer(_reader(request, query.reason),
                                                        path_id(request, "customer_id", "no_such_customer"))
    return CustomerArchiveOut(person_id=person.id)


class ReadQuery(BaseModel):
    parts: str | None = Field(None, max_length=400, description="comma-separated part names; all when absent")
    reason: str = Field("", max_length=255)


class PartOut(BaseModel):
    name: str
    label_key: str
    internal: bool
    rows: list[dict[str, Any]]


class ArchiveOut(BaseModel):
    id: int
    secrecy: str
    parts: list[PartOut]
    denied: list[str]


@endpoint("GET", PERSON, query=ReadQuery, response=ArchiveOut, tag="archive",
          summary="Read a customer's archive: the parts the caller may read (each read logged)",
          errors={403: "no access (error.code access_denied): file an access request", 404: "no such record"})
async def read_archive(request: web.Request, query: ReadQuery) -> ArchiveOut:
    service = _service(request)
    person = await _person(request)
    names = [name.strip() for name in query.parts.split(",") if name.strip()] if query.parts else None
    shown, denied = await service.read(_reader(request, query.reason), person, names)
    sections = service.sections
    return ArchiveOut(id=person.id, secrecy=person.secrecy, denied=denied, parts=[
        PartOut(name=name, label_key=sections[name].label_key, internal=sections[name].internal, rows=rows)
        for name, rows in shown.items()])


class RevealIn(BaseModel):
    field: Literal["phone", "address"]
    reason: str = Field("", max_length=255)


class RevealOut(BaseModel):
    values: list[str]


@endpoint("POST", PERSON + "/reveal", body=RevealIn, response=RevealOut, tag="archive",
          summary="Show the full phone numbers or address (a logged action)",
          errors={403: "no access", 404: "no such record"})
async def reveal(request: web.Request, body: RevealIn) -> RevealOut:
    person = await _person(request)
    return RevealOut(values=await _service(request).reveal(_reader(request, body.reason), person, body.field))


# --- writing ---


class ContactIn(BaseModel):
    name: str | None = Field(None, max_length=64)
    phone: str | None = Field(None, max_length=32)
    address: str | None = Field(None, max_length=255)
    member_level: str | None = Field(None, max_length=16)


#: A phone's digits: a local landline's 7 at least, E.164's 15 at most; besides digits only + - ( ) . and spaces.
PHONE_DIGITS = range(7, 16)
PHONE_MARKS = frozenset("+-(). ")


def phone_number(text: str) -> str:
    """`text` in the normal form phones are compared in (full-width digits made ASCII), or a 400
    `invalid_phone` (also for a superscript or another script's digit)."""
    phone = normal_phone(text)
    if phone is None or len(phone) not in PHONE_DIGITS or any(ch not in ASCII_DIGITS and ch not in PHONE_MARKS
                                                             for ch in ascii_form(text)):
        raise ApiError(400, "invalid_phone", "phone is not a phone number (7 to 15 digits)")
    return phone


@endpoint("PATCH", PERSON, body=ContactIn, status=204, tag="archive",
          summary="Change contact details or member level (fields given only)",
          errors={400: "not a phone number (invalid_phone), a blank name (invalid_name)", 403: "no access"})
async def edit_contact(request: web.Request, body: ContactIn) -> None:
    service, person = _service(request), await _person(request)
    grant = await service.require(_reader(request), person, "contact")
    changes = body.model_dump(exclude_unset=True)
    if "name" in changes and not visible(changes["name"] or ""):  # a record's name is never blank
        raise ApiError(400, "invalid_name", "name must show something (not empty, spaces or invisible characters)")
    if changes.get("phone"):  # a non-empty value must be a phone number; empty clears it on purpose
        changes["phone"] = phone_number(changes["phone"])
    await Person.filter(id=person.id).update(**changes, updated_at=service.clock.now())
    await service.log_write(_reader(request), person, "contact", grant.basis)


class NoteIn(BaseModel):
    text: str = Field(min_length=1, max_length=2000)
    internal: bool = True


class NoteOut(BaseModel):
    id: int
    text: str
    internal: bool
    at: datetime


@endpoint("POST", PERSON + "/notes", body=NoteIn, response=NoteOut, status=201, tag="archive",
          summary="Add a note (internal by default: never shown to the customer)", errors={403: "no access"})
async def add_note(request: web.Request, body: NoteIn) -> NoteOut:
    service, person = _service(request), await _person(request)
    grant = await service.require(_reader(request), person, "notes")
    note = await ArchiveNote.create(person_id=person.id, author=request[AGENT], text=body.text, internal=body.internal,
                                    created_at=service.clock.now())
    await service.log_write(_reader(request), person, "notes", grant.basis)
    return NoteOut(id=note.id, text=note.text, internal=note.internal, at=note.created_at)


class TagIn(BaseModel):
    tag: str = Field(min_length=1, max_length=32)


@endpoint("POST", PERSON + "/tags", body=TagIn, status=204, tag="archive", summary="Tag the record",
          errors={403: "no access"})
async def add_tag(request: web.Request, body: TagIn) -> None:
    service, person = _service(request), await _person(request)
    grant = await service.require(_reader(request), person, "tags")
    try:
        await ArchiveTag.create(person_id=person.id, tag=body.tag)
    except IntegrityError:
        return  # tagged already
    await service.log_write(_reader(request), person, "tags", grant.basis)


class SecrecyIn(BaseModel):
    secrecy: Literal[SECRECY]  # type: ignore[valid-type]


@endpoint("PUT", PERSON + "/secrecy", body=SecrecyIn, status=204, roles=SUPERVISORS, tag="archive",
          summary="Mark the record normal, 機密 (confidential) or 絕密 (secret; admins only)",
          errors={403: "only admins mark or unmark 絕密"})
async def set_secrecy(request: web.Request, body: SecrecyIn) -> None:
    service, person = _service(request), await _person(request)
    if "secret" in (body.secrecy, person.secrecy) and request[AGENT].role != "admin":
        raise ApiError(403, "needs_admin", "only admins mark or unmark 絕密 records")
    await Person.filter(id=person.id).update(secrecy=body.secrecy, updated_at=service.clock.now())
    await service.log_write(_reader(request, body.secrecy), person, "secrecy", "role")


# --- merges ---


class MergeIn(BaseModel):
    kept_id: RecordId
    absorbed_id: RecordId


class MergeOut(BaseModel):
    id: int
    kept_id: int
    absorbed_id: int
    customers_moved: int
    at: datetime
    undone_at: datetime | None


def _merge_out(record: ArchiveMerge) -> MergeOut:
    return MergeOut(id=record.id, kept_id=record.kept_id, absorbed_id=record.absorbed_id,
                    customers_moved=len(record.moved["links"]), at=record.at, undone_at=record.undone_at)


@endpoint("POST", "/api/archive/merges", body=MergeIn, response=MergeOut, status=201, tag="archive",
          summary="Merge two records of one person (the caller must have access to both)",
          errors={403: "no access to one of the records", 404: "no such record", 409: "cannot merge these"})
async def merge_records(request: web.Request, body: MergeIn) -> MergeOut:
    service = _service(request)
    try:
        kept, absorbed = await service.person(body.kept_id), await service.person(body.absorbed_id)
        for person in (kept, absorbed):
            await service.require(_reader(request), person, "contact")
        record = await persons.merge(kept, absorbed, by=request[AGENT], now=service.clock.now())
    except persons.MergeRefused as exc:
        raise ApiError(409, exc.code, str(exc)) from None
    await service.reclassify([kept])
    await service.log_write(_reader(request, f"merge {record.id}"), kept, "merge", "staff")
    return _merge_out(record)


@endpoint("POST", "/api/archive/merges/{merge_id}/undo", response=MergeOut, tag="archive",
          summary="Undo a merge: exactly what it moved goes back", errors={404: "no such merge", 409: "cannot undo"})
async def undo_merge(request: web.Request) -> MergeOut:
    service = _service(request)
    record = await ArchiveMerge.get_or_none(id=path_id(request, "merge_id", "no_such_merge"))
    if record is None:
        raise ApiError(404, "no_such_merge", "no such merge")
    kept = await Person.get(id=record.kept_id)
    try:
        await service.require(_reader(request), kept, "contact")
        await persons.undo_merge(record, by=request[AGENT], now=service.clock.now())
    except persons.MergeRefused as exc:
        raise ApiError(409, exc.code, str(exc)) from None
    await service.reclassify([kept, await Person.get(id=record.absorbed_id)])
    await service.log_write(_reader(request, f"undo merge {record.id}"), kept, "merge", "staff")
    return _merge_out(record)


# --- access requests ---


class AccessRequestIn(BaseModel):
    person_id: RecordId
    parts: list[Annotated[str, Field(max_length=32)]] = Field(min_length=1, max_length=20)
    reason: str = Field(min_length=2, max_length=500, description="what for (查阅理由)")
    kind: Literal["read", "export"] = "read"


class AccessRequestOut(BaseModel):
    id: int
    person_id: int
    requester: str
    kind: str
    parts: list[str]
    reason: str
    status: str
    decided_by: str | None
    decided_at: datetime | None
    expires_at: datetime | None
    created_at: datetime


async def _request_out(row: AccessRequest) -> AccessRequestOut:
    names = {a.id: a.name for a in await Agent.filter(id__in=[row.requester_id, row.decided_by_id or 0])}
    return AccessRequestOut(id=row.id, person_id=row.person_id, requester=names[row.requester_id], kind=row.kind,
                            parts=row.parts, reason=row.reason, status=row.status,
                            decided_by=names.get(row.decided_by_id or 0), decided_at=row.decided_at,
                            expires_at=row.expires_at, created_at=row.created_at)


@endpoint("POST", "/api/access-requests", body=AccessRequestIn, response=AccessRequestOut, status=201,
          tag="archive", summary="Ask to read (or export) parts of a record, saying why",
          errors={404: "no such record"})
async def file_request(request: web.Request, body: AccessRequestIn) -> AccessRequestOut:
    service = _service(request)
    person = await service.person(body.person_id)
    unknown = [p for p in body.parts if p != "all" and p not in service.sections]
    if unknown:
        raise ApiError(400, "unknown_part", f"unknown archive part {unknown[0]!r}")
    row = await AccessRequest.create(person_id=person.id, requester=request[AGENT], kind=body.kind, parts=body.parts,
                                     reason=body.reason, created_at=service.clock.now())
    await _service(request).store.publish(CONSOLE_TOPIC, {"type": "archive.access_request"})
    return await _request_out(row)


class RequestsQuery(BaseModel):
    status: Literal["pending", "approved", "refused", "all"] = "pending"


@endpoint("GET", "/api/access-requests", query=RequestsQuery, response=list[AccessRequestOut], tag="archive",
          summary="Access requests: supervisors see those they may decide, others their own")
async def list_requests(request: web.Request, query: RequestsQuery) -> list[AccessRequestOut]:
    viewer = request[AGENT]
    rows = AccessRequest.all() if query.status == "all" else AccessRequest.filter(status=query.status)
    if viewer.role not in SUPERVISORS:
        rows = rows.filter(requester_id=viewer.id)
    out = []
    for row in await rows.order_by("-created_at", "-id").limit(200).prefetch_related("person"):
        if viewer.role in SUPERVISORS and row.requester_id != viewer.id and not access.may_approve(viewer, row.person):
            continue
        out.append(await _request_out(row))
    return out


class DecisionIn(BaseModel):
    hours: float | None = Field(None, gt=0, le=24 * 30,
                                description="how long access lasts; default ARCHIVE_ACCESS_HOURS")


async def _decide(request: web.Request, status: str, hours: float | None) -> AccessRequestOut:
    service, decider = _service(request), request[AGENT]
    row = await AccessRequest.get_or_none(id=path_id(request, "request_id", "no_such_request")).prefetch_related(
        "person")
    if row is None:
        raise ApiError(404, "no_such_request", "no such access request")
    if row.status != "pending":
        raise ApiError(409, "decided", f"this request was {row.status} already")
    if row.requester_id == decider.id:
        raise ApiError(403, "own_request", "someone else decides your own request")
    if not access.may_approve(decider, row.person):
        raise ApiError(403, "needs_admin", "only admins decide requests for 絕密 records")
    now = service.clock.now()
    decided: dict[str, object] = {"status": status, "decided_by_id": decider.id, "decided_at": now}
    if status == "approved":
        decided["expires_at"] = now + timedelta(hours=hours or service.settings.access_hours)
    # only a request still pending changes: of two supervisors deciding at once, the second gets 409
    if not await AccessRequest.filter(id=row.id, status="pending").update(**decided):
        raise ApiError(409, "decided", "this request was decided meanwhile")
    await row.refresh_from_db()
    await _service(request).store.publish(agent_topic(row.requester_id), {"type": "archive.access_decided",
                                                                           "request_id": row.id})
    return await _request_out(row)


@endpoint("POST", "/api/access-requests/{request_id}/approve", body=DecisionIn, response=AccessRequestOut,
          roles=SUPERVISORS, tag="archive", summary="Approve an access request (it expires)",
          errors={404: "no such request", 409: "decided already"})
async def approve(request: web.Request, body: DecisionIn) -> AccessRequestOut:
    return await _decide(request, "approved", body.hours)


@endpoint("POST", "/api/access-requests/{request_id}/refuse", response=AccessRequestOut, roles=SUPERVISORS,
          tag="archive", summary="Refuse an access request", errors={404: "no such request", 409: "decided already"})
async def refuse(request: web.Request) -> AccessRequestOut:
    return await _decide(request, "refused", None)


# --- the read log ---


class AuditQuery(BaseModel):
    person_id: RecordId | None = None
    staff: str | None = Field(None, max_length=64)
    since: AwareDatetime | None = None
    limit: int = Field(200, ge=1, le=2000)


class AuditEntry(BaseModel):
    id: int
    at: datetime
    staff: str
    person_id: int
    part: str
    action: str
    via: str
    basis: str
    request_id: int | None
    reason: str


@endpoint("GET", "/api/audit", query=AuditQuery, response=list[AuditEntry], roles=SUPERVISORS, tag="archive",
          summary="Who read which part of whose archive, newest first")
async def audit_log(request: web.Request, query: AuditQuery) -> list[AuditEntry]:
    rows = await audit.entries(audit.AuditFilter(query.person_id, query.staff, query.since, query.limit))
    return [AuditEntry(**audit.entry_json(row)) for row in rows]  # type: ignore[arg-type]


# --- exports ---


class ExportQuery(BaseModel):
    format: Literal["csv", "xlsx"] = "csv"
    parts: str | None = Field(None, max_length=400)


@endpoint("GET", PERSON + "/export", query=ExportQuery, tag="archive",
          summary="Download the archive as CSV or XLSX: needs an approved export request (logged)",
          errors={403: "no approved export request"})
async def export_archive(request: web.Request, query: ExportQuery) -> web.Response:
    service, person = _service(request), await _person(request)
    names = [n.strip() for n in query.parts.split(",") if n.strip()] if query.parts else list(service.sections)
    reader = _reader(request)
    grants = {}
    for name in names:
        if name not in service.sections:
            raise ApiError(400, "unknown_part", f"unknown archive part {name!r}")
        grants[name] = await service.require(reader, person, name, kind="export")
    ids = await persons.customer_ids(person)
    parts = {name: await service.sections[name].load(ids, reader.agent) for name in names}
    now = service.clock.now()
    for name, grant in grants.items():
        await audit.log_reads(reader.agent, reader.agent.name, person.id, [name], action="export", via=reader.via,
                              basis=grant.basis, request_id=grant.request_id, at=now)
    body = export.to_xlsx(parts) if query.format == "xlsx" else export.to_csv(parts)
    kind = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" if query.format == "xlsx"
            else "text/csv; charset=utf-8")
    return web.Response(body=body, headers={"Content-Type": kind, "Content-Disposition":
                                            f'attachment; filename="archive-{person.id}.{query.format}"'})


# --- staff: 离职交接, revoking sessions ---


class LeaveIn(BaseModel):
    to: str = Field(min_length=1, max_length=64, description="login name of the colleague taking over")


class LeaveOut(BaseModel):
    id: int
    counts: dict[str, int]
    at: datetime


async def _agent(name: str) -> Agent:
    agent = await Agent.get_or_none(name=name)
    if agent is None:
        raise ApiError(404, "no_such_agent", f"no staff member named {name!r}")
    return agent


@endpoint("POST", "/api/staff/{name}/leave", body=LeaveIn, response=LeaveOut, roles=SUPERVISORS, tag="archive",
          summary="离职交接: hand everything of a departing staff member to a colleague and disable the login",
          errors={404: "no such staff member", 409: "cannot hand over (left already, same person)",
                  503: "the hand-over failed and moved nothing"})
async def staff_leave(request: web.Request, body: LeaveIn) -> LeaveOut:
    leaving, successor = await _agent(request.match_info["name"]), await _agent(body.to)
    if leaving.role == "admin" and request[AGENT].role != "admin":
        raise ApiError(403, "admin_leaves", "only an admin hands over an admin's work")
    try:
        record = await hand_over(_service(request), leaving, successor, by=request[AGENT].name)
    except LeaveRefused as exc:
        raise ApiError(409, exc.code, str(exc)) from None
    except (HandOverFailed, LockTimeout):
        raise ApiError(503, "handover_failed", "the hand-over failed and moved nothing; try again") from None
    return LeaveOut(id=record.id, counts=record.counts, at=record.at)


@endpoint("POST", "/api/staff/{name}/revoke-sessions", status=204, roles=("admin",), tag="archive",
          summary="Leak response: end every session and the API token of a staff member at once (offline)",
          errors={404: "no such staff member"})
async def revoke(request: web.Request) -> None:
    archive = _service(request)
    await StaffSessions(archive.services, archive.extensions).end_every(await _agent(request.match_info["name"]))


# --- erasure ---


class ErasureOut(BaseModel):
    id: int
    person_id: int
    counts: dict[str, int]
    at: datetime


@endpoint("DELETE", PERSON, response=ErasureOut, roles=("admin",), tag="archive",
          summary="Erase a customer on request (PIPL): content goes, anonymous counts stay",
          errors={404: "no such record"})
async def erase_person(request: web.Request) -> ErasureOut:
    service, person = _service(request), await _person(request)
    record = await erase(_service(request), person, by=request[AGENT].name)
    await audit.log_reads(request[AGENT], request[AGENT].name, person.id, ["all"], action="erase",
                          via=audit.via(request), basis="role", at=service.clock.now())
    return ErasureOut(id=record.id, person_id=person.id, counts=record.counts, at=record.at)


ENDPOINTS = [search, archive_of_customer, read_archive, reveal, edit_contact, add_note, add_tag, set_secrecy,
             merge_records, undo_merge, file_request, list_requests, approve, refuse, audit_log, export_archive,
             staff_leave, revoke, erase_person]

#: Error codes of this area's endpoints (labelled in scripts_zh/labels.yaml).
ERRORS = ("decided", "handover_failed", "needs_admin", "no_such_merge", "no_such_request", "own_request",
          "unknown_part", "access_denied", "no_such_person", "no_such_customer", "same_agent", "already_left",
          "successor_inactive", "same_person", "already_merged", "already_undone", "merged_since", "admin_leaves",
          "invalid_phone", "invalid_name")
