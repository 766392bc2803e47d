"""`/metrics` in Prometheus format: the customer's promises, from the recorded SLA events.

Counting from the database rather than from in-process counters gives the same figures on every
worker and survives restarts: what a scrape reports is what reports will say. A scrape never loads
the events themselves: counts and the longest waits are aggregated by the database (GROUP BY), so
its cost does not grow with the number of events beyond what an index scan costs.

The promises (docs/handoff-sla.md): `person_reached` (escalation to a person, queue included, 15 s),
`acknowledged` (any message within 20 s of each customer message) and `person_answered` (the
holder's own answer within 20 s of the question, holding messages not counted).
"""

from __future__ import annotations

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Gauge, generate_latest
from tortoise.functions import Count, Max

from bot.extension import area_service
from handlers.handoff.queue import serving_online
from handlers.handoff.service import HANDOFF
from models.agent import Agent
from models.conversation import Conversation
from models.handoff import SlaEvent

PROMISES = ("person_reached", "acknowledged", "person_answered", "breach")


async def get_metrics(request: web.Request) -> web.Response:
    registry = CollectorRegistry()
    names = dict(await Agent.all().values_list("id", "name"))
    events = Gauge(
        "csbot_sla_events",
        "SLA events recorded, by kind, whether the promise was kept, and agent",
        ["kind", "within", "agent"],
        registry=registry,
    )
    counts = await SlaEvent.all().group_by("kind", "within", "agent_id").annotate(n=Count("id")).values(
        "kind", "within", "agent_id", "n")
    for row in counts:
        within = "" if row["within"] is None else str(row["within"]).lower()
        events.labels(row["kind"], within, names.get(row["agent_id"], "")).set(row["n"])

    waits = Gauge("csbot_customer_wait_seconds_max", "Longest customer wait recorded, by promise", ["kind"],
                  registry=registry)
    longest = dict(await SlaEvent.filter(kind__in=PROMISES, waited_s__not_isnull=True).group_by("kind").annotate(
        longest=Max("waited_s")).values_list("kind", "longest"))
    for kind in PROMISES:
        waits.labels(kind).set(longest.get(kind) or 0)

    now = area_service(request, HANDOFF).clock.now()
    queue_wait = Gauge(
        "csbot_queue_wait_seconds", "Seconds the longest-waiting queued customer has waited", registry=registry
    )
    oldest = await Conversation.filter(status="queued", queued_at__not_isnull=True).order_by("queued_at").first()
    queue_wait.set((now - oldest.queued_at).total_seconds() if oldest else 0)
    Gauge("csbot_queue_length", "Conversations waiting for a person", registry=registry).set(
        await Conversation.filter(status="queued").count()
    )
    Gauge("csbot_agents_online", "Agents online (taking new conversations)", registry=registry).set(
        await serving_online().count()
    )
    load = Gauge("csbot_agent_conversations", "Conversations held, per agent", ["agent"], registry=registry)
    held = await Conversation.filter(status="handoff").group_by("assignee_id").annotate(n=Count("id")).values_list(
        "assignee_id", "n")
    for agent_id, n in held:
        load.labels(names.get(agent_id, str(agent_id))).set(n)
    return web.Response(body=generate_latest(registry), headers={"Content-Type": CONTENT_TYPE_LATEST})
