"""Response-time compliance and per-agent workload (docs/rules.md R-REPORT-3, R-REPORT-4).

`response_time`: per bucket, each of the three promises of the handoff (bot/promises.py): how many fell
due, how many were kept, the share kept. `agents`: per bucket and agent, conversations taken
(assigned or transferred to them), messages they wrote, and the same three promises for what was
theirs. Both span the handoff's events and the message counts kept through retention, hence here.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from bot.authors import agent_of
from bot.context import Services
from bot.promises import MEASURES, Outcome, outcomes
from bot.report_periods import day_start, label_of, share, spans
from bot.reports import Column, ReportQuery, ReportSpec, ReportTable
from handlers.reports.rollup import message_counts
from models.agent import Agent
from models.handoff import SlaEvent

PROMISE_COLUMNS = [column for measure in MEASURES for column in (
    Column(f"{measure}_due", f"reports.col_{measure}_due"),
    Column(f"{measure}_kept", f"reports.col_{measure}_kept"),
    Column(f"{measure}_rate", f"reports.col_{measure}_rate", "share"),
)]
BUCKET = Column("bucket", "reports.col_bucket", "text")
AGENT = Column("agent", "reports.col_agent", "text")
TAKEN = Column("taken", "reports.col_taken")
MESSAGES = Column("messages", "reports.col_agent_messages")
TAKEN_KINDS = ("assigned", "transferred")


def promise_figures(found: dict[str, list[Outcome]]) -> dict[str, int | float | None]:
    figures: dict[str, int | float | None] = {}
    for measure in MEASURES:
        due, kept = len(found.get(measure, ())), sum(1 for o in found.get(measure, ()) if o.kept)
        figures.update({f"{measure}_due": due, f"{measure}_kept": kept, f"{measure}_rate": share(kept, due)})
    return figures


def _split(found: dict[str, list[Outcome]], key) -> dict[object, dict[str, list[Outcome]]]:
    parts: dict[object, dict[str, list[Outcome]]] = defaultdict(lambda: defaultdict(list))
    for measure, items in found.items():
        for item in items:
            parts[key(item)][measure].append(item)
    return parts


async def build_response_time(services: Services, query: ReportQuery) -> ReportTable:
    zone = services.settings.zone
    found = await outcomes(services, query)
    by_bucket = _split(found, lambda o: label_of(o.due, query, zone))
    rows = [{"bucket": span.label, **promise_figures(by_bucket.get(span.label, {}))} for span in spans(query, zone)]
    return ReportTable([BUCKET, *PROMISE_COLUMNS], rows, {"bucket": None, **promise_figures(found)})


async def build_agents(services: Services, query: ReportQuery) -> ReportTable:
    zone = services.settings.zone
    found = await outcomes(services, query)
    by_cell = _split(found, lambda o: (label_of(o.due, query, zone), o.agent_id))
    taken: Counter[tuple[str | None, int]] = Counter()
    events = SlaEvent.filter(kind__in=TAKEN_KINDS, at__gte=query.start, at__lt=query.end, agent_id__not_isnull=True)
    if query.channel:
        events = events.filter(conversation__channel=query.channel)
    if query.agent_id is not None:
        events = events.filter(agent_id=query.agent_id)
    for row in await events.values("at", "agent_id"):
        taken[label_of(row["at"], query, zone), row["agent_id"]] += 1
    written: Counter[tuple[str | None, int]] = Counter()
    for (day, _, author), n in (await message_counts(query, zone)).items():
        agent_id = agent_of(author)
        if agent_id is not None:
            if query.agent_id is None or agent_id == query.agent_id:
                written[label_of(max(day_start(day, zone), query.start), query, zone), agent_id] += n
    cells = {cell for cell in [*by_cell, *taken, *written] if cell[1] is not None}
    names = dict(await Agent.filter(id__in={agent for _, agent in cells}).values_list("id", "name"))
    order = {span.label: index for index, span in enumerate(spans(query, zone))}
    rows = []
    for bucket, agent_id in sorted(cells, key=lambda cell: (order.get(cell[0], -1), names.get(cell[1], ""))):
        rows.append({"bucket": bucket, "agent": names.get(agent_id, f"#{agent_id}"), "taken": taken[bucket, agent_id],
                     "messages": written[bucket, agent_id],
                     **promise_figures(by_cell.get((bucket, agent_id), {}))})
    attributed = {m: [o for o in items if o.agent_id is not None] for m, items in found.items()}
    totals = {"bucket": None, "agent": None, "taken": sum(taken.values()), "messages": sum(written.values()),
              **promise_figures(attributed)}
    return ReportTable([BUCKET, AGENT, TAKEN, MESSAGES, *PROMISE_COLUMNS], rows, totals)


SPECS = (
    ReportSpec("response_time", "reports.title_response_time", build_response_time, ("channel", "agent")),
    ReportSpec("agents", "reports.title_agents", build_agents, ("channel", "agent")),
)
