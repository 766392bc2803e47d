"""The reports over HTTP, for supervisors and admins (docs/rules.md R-REPORT-1, R-REPORT-7, R-REPORT-8).

- `GET /api/reports`: every report, its title and the filters it honours, with the agents and
  channels the filters may name;
- `GET /api/reports/{name}?from=&to=&bucket=&channel=&agent=`: one report as JSON;
- `GET /api/reports/{name}/chart.svg?...&measure=counts|shares`: its chart, drawn by the bot;
- `GET /api/report-workbook?from=&to=&bucket=&channel=&agent=`: every report of that period as XLSX;
- `GET /api/report-files` and `GET /api/report-files/{file}`: the stored weekly and monthly workbooks.

`from` and `to` are shop-local days, both included; unset, the month so far. A report asked for a
filter it declares not applicable (`ReportSpec.not_applicable`) answers 400 `filter_not_applicable`
naming the `filters` refused and the ones it `allowed`; the workbook of every report leaves such a
report unfiltered by it and says so on its cover.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from typing import Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from bot.extension import area_service
from bot.web.auth import AGENT
from bot.web.typed import ApiError, endpoint
from handlers.reports import chart, periodic
from handlers.reports.catalogue import FilterNotApplicable, PeriodError, Report, catalogue, period, run
from handlers.reports.desk import REPORTS, ReportsDesk
from handlers.reports.workbook import Period, build_workbook
from models.agent import SUPERVISORS, Agent
from models.message import Message

CHANNEL_PATTERN = r"^[a-z]{1,16}$"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Cell = str | int | float | None
BAD_QUERY = ("invalid input (error.code invalid_query), a wrong period (invalid_period), a channel or agent the "
             "shop never had (unknown_channel, with the `allowed` channels; unknown_agent), or a filter the report "
             "declares not applicable (filter_not_applicable, with `filters` refused and `allowed`)")


class Filters(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: date | None = Field(None, alias="from", description="first shop-local day (default: the 1st)")
    to: date | None = Field(None, description="last shop-local day, included (default: today)")
    bucket: Literal["day", "week", "month"] = "day"
    channel: str | None = Field(None, pattern=CHANNEL_PATTERN, description="webchat, wechat, wecom, ...")
    agent: int | None = Field(None, ge=1, le=2**31 - 1, description="staff id")


class ChartFilters(Filters):
    measure: Literal["counts", "shares"] = "counts"


class ColumnOut(BaseModel):
    key: str
    label: str
    kind: str


class ReportOut(BaseModel):
    name: str
    title: str
    first_day: date
    last_day: date
    bucket: str
    channel: str | None
    agent: int | None
    columns: list[ColumnOut]
    rows: list[dict[str, Cell]]
    totals: dict[str, Cell]


class ReportInfo(BaseModel):
    name: str
    title: str
    filters: list[str] = Field(description="the filters the report honours")
    not_applicable: list[str] = Field(description="filters that make no sense for it: asking for one is a 400")


class AgentOption(BaseModel):
    id: int
    name: str


class ReportList(BaseModel):
    reports: list[ReportInfo]
    agents: list[AgentOption]
    channels: list[str]


class StoredFile(BaseModel):
    name: str
    kind: str
    period: str
    bytes: int
    modified_at: datetime


class StoredFiles(BaseModel):
    files: list[StoredFile]


def _desk(request: web.Request) -> ReportsDesk:
    return area_service(request, REPORTS)


async def _known_filters(desk: ReportsDesk, filters: Filters) -> None:
    """A channel or agent the shop never had is refused (400), not answered with an empty report that
    reads like a quiet period: a channel runs here, or ran before (its messages are kept); an agent is
    never deleted (a leaver is deactivated, and their figures stay reportable)."""
    if filters.channel is not None and filters.channel not in desk.channels and not await Message.filter(
            channel=filters.channel).exists():
        raise ApiError(400, "unknown_channel", f"no channel {filters.channel!r} here",
                       allowed=sorted(desk.channels))
    if filters.agent is not None and not await Agent.filter(id=filters.agent).exists():
        raise ApiError(400, "unknown_agent", f"no staff member {filters.agent}")


def _query(desk: ReportsDesk, filters: Filters):
    today = desk.clock.now().astimezone(desk.core.zone).date()
    first = filters.from_ or (filters.to or today).replace(day=1)
    try:
        return period(desk, first, filters.to or today, filters.bucket, filters.channel, filters.agent)
    except PeriodError as exc:
        raise ApiError(400, "invalid_period", str(exc)) from None


async def _report(request: web.Request, filters: Filters) -> Report:
    desk = _desk(request)
    spec = catalogue(desk, request[AGENT].role).get(request.match_info["name"])
    if spec is None:
        raise ApiError(404, "no_such_report", "no such report")
    await _known_filters(desk, filters)
    try:
        return await run(desk, spec, _query(desk, filters))
    except FilterNotApplicable as exc:
        raise ApiError(400, "filter_not_applicable", str(exc), filters=list(exc.names),
                       allowed=list(exc.allowed)) from None


def report_out(report: Report, desk: ReportsDesk) -> ReportOut:
    zone = desk.core.zone
    query = report.query
    return ReportOut(
        name=report.name, title=report.title, first_day=query.start.astimezone(zone).date(),
        last_day=(query.end.astimezone(zone) - timedelta(days=1)).date(),
        bucket=query.bucket, channel=query.channel, agent=query.agent_id,
        columns=[ColumnOut(key=c.key, label=c.label, kind=c.kind) for c in report.columns],
        rows=report.rows, totals=report.totals)


@endpoint("GET", "/api/reports", response=ReportList, roles=SUPERVISORS, tag="reports",
          summary="Every report, its title and filters, and the agents and channels to filter by")
async def list_reports(request: web.Request) -> ReportList:
    desk = _desk(request)
    agents = await Agent.all().order_by("name").values("id", "name")
    return ReportList(
        reports=[ReportInfo(name=s.name, title=desk.templates.render(s.title_key), filters=list(s.filters),
                            not_applicable=list(s.not_applicable))
                 for s in catalogue(desk, request[AGENT].role).values()],
        agents=[AgentOption(**row) for row in agents], channels=sorted(desk.channels))


@endpoint("GET", "/api/reports/{name}", query=Filters, response=ReportOut, roles=SUPERVISORS, tag="reports",
          errors={400: BAD_QUERY, 404: "no such report"},
          summary="One report for shop-local days from..to, by day, week or month, filtered by channel and agent")
async def get_report(request: web.Request, query: Filters) -> ReportOut:
    return report_out(await _report(request, query), _desk(request))


@endpoint("GET", "/api/reports/{name}/chart.svg", query=ChartFilters, roles=SUPERVISORS, tag="reports",
          errors={400: BAD_QUERY, 404: "no such report"},
          summary="The report's chart as SVG (counts as bars, or shares as lines)")
async def get_chart(request: web.Request, query: ChartFilters) -> web.Response:
    report = await _report(request, query)
    empty = _desk(request).templates.render("reports_console.no_data")
    drawing = await asyncio.to_thread(chart.svg, report, query.measure, empty)
    return web.Response(text=drawing, content_type="image/svg+xml", headers={"Cache-Control": "no-store"})


@endpoint("GET", "/api/report-workbook", query=Filters, roles=SUPERVISORS, tag="reports", errors={400: BAD_QUERY},
          summary="Every report for the chosen period as an XLSX workbook (one sheet per report, with charts)")
async def get_workbook(request: web.Request, query: Filters) -> web.Response:
    desk = _desk(request)
    await _known_filters(desk, query)
    report_query = _query(desk, query)
    zone = desk.core.zone
    last_day = (report_query.end.astimezone(zone) - timedelta(days=1)).date()  # the end is the next day's start
    label = f"{report_query.start.astimezone(zone).date()}_{last_day}"
    data, _ = await build_workbook(desk, Period("custom", label, report_query), request[AGENT].role)
    return web.Response(body=data, content_type=XLSX,
                        headers={"Content-Disposition": f'attachment; filename="reports-{label}.xlsx"'})


@endpoint("GET", "/api/report-files", response=StoredFiles, roles=SUPERVISORS, tag="reports",
          summary="The stored weekly and monthly workbooks, newest first")
async def list_files(request: web.Request) -> StoredFiles:
    directory = periodic.directory(_desk(request))
    found = await asyncio.to_thread(_stored, directory)
    return StoredFiles(files=found)


def _stored(directory) -> list[StoredFile]:
    if not directory.is_dir():
        return []
    files = []
    for entry in directory.iterdir():
        if periodic.FILE_NAME.match(entry.name):
            kind, label = entry.stem.split("-", 1)
            stat = entry.stat()
            files.append(StoredFile(name=entry.name, kind=kind, period=label, bytes=stat.st_size,
                                    modified_at=datetime.fromtimestamp(stat.st_mtime, UTC)))
    return sorted(files, key=lambda f: (f.period, f.kind), reverse=True)


@endpoint("GET", "/api/report-files/{file}", roles=SUPERVISORS, tag="reports", errors={404: "no such workbook"},
          summary="Download one stored workbook")
async def get_file(request: web.Request) -> web.StreamResponse:
    name = request.match_info["file"]
    path = periodic.directory(_desk(request)) / name
    if not periodic.FILE_NAME.match(name) or not path.is_file():
        raise ApiError(404, "no_such_file", "no such workbook")
    return web.FileResponse(path, headers={"Content-Type": XLSX,
                                           "Content-Disposition": f'attachment; filename="{name}"'})


ENDPOINTS = [list_reports, get_chart, get_report, get_workbook, list_files, get_file]

#: Error codes of this area's endpoints (labelled in scripts_zh/labels.yaml).
ERRORS = ("filter_not_applicable", "invalid_period", "no_such_file", "no_such_report", "unknown_agent",
          "unknown_channel")
