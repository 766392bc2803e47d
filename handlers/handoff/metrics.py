"""`/metrics` in Prometheus format, computed from the recorded SLA events.

Counting from the database rather than from in-process counters gives the same figures on every
worker and survives restarts: what a scrape reports is what reports will say.
"""

from __future__ import annotations

from collections import Counter

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Gauge, generate_latest

from bot.runtime import RUNTIME
from models.agent import Agent
from models.conversation import Conversation
from models.handoff import SlaEvent

PROMISED = ("greeting_sent", "auto_greeting", "reply_sent", "holding_message", "breach")


async def get_metrics(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    registry = CollectorRegistry()
    events = Gauge(
        "csbot_sla_events",
        "SLA events recorded, by kind, whether the promise was kept, and agent",
        ["kind", "within", "agent"],
        registry=registry,
    )
    names = dict(await Agent.all().values_list("id", "name"))
    rows = await SlaEvent.all().values_list("kind", "within", "agent_id")
    for (kind, within, agent_id), total in Counter(rows).items():
        events.labels(kind, "" if within is None else str(within).lower(), names.get(agent_id, "")).set(total)

    waits = Gauge(
        "csbot_reply_wait_seconds_max", "Longest customer wait answered, by kind", ["kind"], registry=registry
    )
    for kind in PROMISED:
        longest = await SlaEvent.filter(kind=kind, waited_s__not_isnull=True).order_by("-waited_s").first()
        waits.labels(kind).set(longest.waited_s if longest else 0)

    now = runtime.clock.now()
    queue_wait = Gauge(
        "csbot_queue_wait_seconds", "Seconds the longest-waiting queued customer has waited", registry=registry
    )
    oldest = await Conversation.filter(status="queued", queued_at__not_isnull=True).order_by("queued_at").first()
    queue_wait.set((now - oldest.queued_at).total_seconds() if oldest else 0)
    Gauge("csbot_queue_length", "Conversations waiting for a person", registry=registry).set(
        await Conversation.filter(status="queued").count()
    )
    load = Gauge("csbot_agent_conversations", "Conversations held, per agent", ["agent"], registry=registry)
    for agent_id, held in Counter(
        await Conversation.filter(status="handoff").values_list("assignee_id", flat=True)
    ).items():
        load.labels(names.get(agent_id, str(agent_id))).set(held)
    return web.Response(body=generate_latest(registry), headers={"Content-Type": CONTENT_TYPE_LATEST})
