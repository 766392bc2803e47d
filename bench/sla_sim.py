"""Simulated customers and agents over the real dispatcher, handoff service and store, on a scaled clock.

Each customer asks for a person, waits for an agent, then asks a few questions, each after the
previous one was answered; each agent answers after a random delay (now and then a long one, as
when distracted), and some agents go offline mid-run. Time is a FakeClock moved in quarter-second
steps, with the scheduler's deadlines fired after every step exactly as the server's ticker does,
so an hour of shop time runs in about a minute. Measured from what the customers' channel actually
received: the share of customer messages answered within `SLA_REPLY_S`, the share of handovers
greeted within `SLA_FIRST_RESPONSE_S`, p50/p99 of the wait, reassignments, and messages never
answered ("lost"). With `--baseline` (the default) the same run is repeated with the SLA clock's
actions switched off (no automatic greeting, no holding message, no reassignment), which is what
the agents alone achieve: the difference is what the product adds.

Run: `.venv/bin/python bench/sla_sim.py [--customers N] [--agents M] [--no-baseline]`;
`REDIS_URL` set → the Redis store. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import heapq
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from anywhere, without installing the project

from bot.channels.base import Channel  # noqa: E402
from bot.clock import FakeClock  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.events import Inbound  # noqa: E402
from bot.runtime import Runtime  # noqa: E402
from handlers import EXTENSIONS  # noqa: E402
from handlers.handoff.service import HANDOFF  # noqa: E402
from models.agent import Agent  # noqa: E402
from models.conversation import Conversation  # noqa: E402
from models.handoff import SlaEvent  # noqa: E402

STEP_S = 0.25
IDLE_CLOSE_S = 60.0
QUESTIONS = ("我的订单什么时候发货", "能帮我改一下地址吗", "这个尺码偏大吗", "可以开发票吗", "优惠券怎么用")


class SimChannel(Channel):
    """The customers' phones: records when each pushed message arrived."""

    name = "sim"

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.received: dict[str, list[float]] = {}

    async def push(self, user_id: str, text: str) -> None:
        self.received.setdefault(user_id, []).append(self.clock.time())


@dataclass
class Customer:
    user_id: str
    arrives_at: float
    questions_left: int
    pending_since: float | None = None  # a question waiting for an answer, sent at
    asking: bool = False  # greeted by a person (or on their behalf): asks questions from now on
    question_planned: bool = False
    last_heard: float = 0.0  # simulated time of the last question or answer
    waits: list[float] = field(default_factory=list)


async def run(customers: int, agents: int, seed: int, sla_actions: bool) -> dict:
    rng = random.Random(seed)
    clock = FakeClock()
    sim = SimChannel(clock)
    workdir = tempfile.mkdtemp(prefix="sla-sim-")
    overrides = {} if sla_actions else {"sla_first_response_s": 10**6, "sla_max_holding_messages": 0,
                                        "sla_misses_before_reassign": 10**6, "sla_hold_margin_s": 0,
                                        "sla_reply_s": 10**6}
    settings = Settings(_env_file=None, database_url=f"sqlite://{workdir}/sim.sqlite3",
                        redis_url=os.environ.get("REDIS_URL") or None, redis_key_prefix=f"sim-{uuid.uuid4().hex[:8]}",
                        staffed_hours="00:00-24:00", queue_offer_message_after_s=10**6, **overrides)
    reply_limit = Settings(_env_file=None).sla_reply_s
    greet_limit = Settings(_env_file=None).sla_first_response_s
    runtime = await Runtime.open(settings, EXTENSIONS, [sim], clock, background=False)
    handoff = runtime.services[HANDOFF]
    try:
        staff = [await Agent.create(name=f"agent{i}", role="agent", password_hash="-", capacity=4,
                                    created_at=clock.now()) for i in range(agents)]
        for agent in staff:
            await handoff.set_presence(agent, "online")
        duration = customers * 1.2  # arrivals spread so that agents are busy, not swamped
        people = {f"c{i}": Customer(f"c{i}", rng.uniform(0, duration), rng.randint(2, 4)) for i in range(customers)}
        arrivals = sorted(people.values(), key=lambda c: c.arrives_at)
        replies: list[tuple[float, int, int]] = []  # (due, conversation id, agent id)
        planned: set[int] = set()
        next_question: list[tuple[float, str]] = []
        goes_offline = {agent.id: rng.uniform(duration * 0.2, duration * 0.8) for agent in staff[: max(1, agents // 7)]}

        async def say(user: Customer, text: str) -> None:
            inbound = Inbound(channel="sim", user_id=user.user_id, kind="text", text=text, received_at=clock.now())
            outcome = await runtime.dispatcher.handle(inbound)
            if outcome.texts:  # the bot answered at once (a queued customer is answered by the bot)
                await sim.push(user.user_id, outcome.texts[0])

        now = 0.0
        arrived = 0
        while now < duration + 900:
            now += STEP_S
            await clock.advance(STEP_S)
            await runtime.scheduler.run_due()
            while arrived < len(arrivals) and arrivals[arrived].arrives_at <= now:
                await say(arrivals[arrived], "转人工")
                arrived += 1
            for agent_id, at in list(goes_offline.items()):
                if at <= now:
                    del goes_offline[agent_id]
                    await handoff.set_presence(await Agent.get(id=agent_id), "offline")
            while next_question and next_question[0][0] <= now:
                _, user_id = heapq.heappop(next_question)
                user = people[user_id]
                user.question_planned, user.last_heard = False, now
                user.pending_since = clock.time()
                await say(user, rng.choice(QUESTIONS))
            if int(now / STEP_S) % 4 == 0:  # agents look at their screens every second
                await plan_replies(people, rng, replies, planned, next_question, now)
                await close_idle(handoff, people, planned, now)
            while replies and replies[0][0] <= now:
                _, conversation_id, agent_id = heapq.heappop(replies)
                planned.discard(conversation_id)
                await agent_answers(handoff, people, conversation_id, agent_id, next_question, rng, now)
            settle_waits(people, sim)
            if arrived == len(arrivals) and not replies and not next_question and await Conversation.filter(
                status__in=("queued", "handoff")).count() == 0:
                break
        settle_waits(people, sim)
        waits = [w for person in people.values() for w in person.waits]
        lost = sum(1 for person in people.values() if person.pending_since is not None)
        greeted, handovers = await greetings_kept(greet_limit)
        ordered = sorted(waits) or [0.0]
        return {
            "customers": customers, "messages": len(waits) + lost,
            "within_reply_sla": round(sum(1 for w in waits if w <= reply_limit) / max(1, len(waits) + lost), 4),
            "greeted_within_first_sla": round(greeted / max(1, handovers), 4),
            "p50_wait_s": round(statistics.median(ordered), 2),
            "p99_wait_s": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], 2),
            "reassigned": await SlaEvent.filter(kind="reassigned").count(),
            "lost": lost,
            "simulated_s": round(now, 1),
        }
    finally:
        await runtime.close()


async def greetings_kept(limit: float) -> tuple[int, int]:
    """(handovers greeted within `limit`, handovers that owed a greeting).

    A handover owes a greeting unless the conversation moved on (an agent going offline, a
    transfer) before `limit` passed, in which case the next holder owes it.
    """
    rows = await SlaEvent.all().order_by("conversation_id", "id").values("conversation_id", "kind", "at", "waited_s")
    greeted = owed = 0
    current: dict | None = None
    for row in [*rows, None]:
        starts = row is None or row["kind"] in ("assigned", "transferred")
        if current is not None and (starts or row["conversation_id"] != current["conversation_id"]):
            moved_on_early = row is not None and row["conversation_id"] == current["conversation_id"] and (
                row["at"] - current["at"]).total_seconds() < limit
            owed += 0 if moved_on_early else 1
            current = None
        if row is None:
            break
        if row["kind"] in ("assigned", "transferred"):
            current = row
        elif current is not None and row["kind"] in ("greeting_sent", "auto_greeting"):
            owed += 1
            greeted += 1 if row["waited_s"] <= limit else 0
            current = None
    return greeted, owed


def settle_waits(people: dict[str, Customer], sim: SimChannel) -> None:
    """A pending question is answered by the first message the customer's phone got after it."""
    for user_id, times in sim.received.items():
        person = people[user_id]
        if person.pending_since is None:
            continue
        after = [t for t in times if t >= person.pending_since]
        if after:
            person.waits.append(after[0] - person.pending_since)
            person.pending_since = None


async def plan_replies(people, rng: random.Random, replies, planned: set[int], next_question, now: float) -> None:
    """Agents plan an answer for each held conversation that needs one; greeted customers start asking."""
    held = await Conversation.filter(status="handoff").values("id", "key", "assignee_id", "waiting_since",
                                                              "first_reply_at")
    for row in held:
        person = people[row["key"].split(":", 1)[1]]
        if row["first_reply_at"] is not None and not person.asking:
            person.asking = True
            ask_next(person, next_question, now + rng.uniform(1, 5))
        needs = row["first_reply_at"] is None or row["waiting_since"] is not None
        if needs and row["id"] not in planned:
            distracted = rng.random() < 0.08
            delay = rng.uniform(25, 45) if distracted else min(18.0, rng.lognormvariate(1.6, 0.5))
            planned.add(row["id"])
            heapq.heappush(replies, (now + delay, row["id"], row["assignee_id"]))


async def agent_answers(handoff, people, conversation_id: int, agent_id: int, next_question, rng, now: float) -> None:
    conversation = await Conversation.get(id=conversation_id)
    if conversation.status != "handoff" or conversation.assignee_id != agent_id:
        return  # reassigned meanwhile: the new holder plans their own answer
    agent = await Agent.get(id=agent_id)
    person = people[conversation.key.split(":", 1)[1]]
    greeting = conversation.first_reply_at is None
    await handoff.agent_message(conversation, agent, "亲，您好，这就为您处理~", confirm=True)
    person.last_heard = now
    if greeting:
        return  # the customer starts asking once greeted (see plan_replies)
    if person.questions_left > 1:
        person.questions_left -= 1
        ask_next(person, next_question, now + rng.uniform(3, 10))
    else:
        person.questions_left = 0
        await handoff.hand_back(await Conversation.get(id=conversation_id), agent)


def ask_next(person: Customer, next_question, at: float) -> None:
    person.question_planned = True
    heapq.heappush(next_question, (at, person.user_id))


async def close_idle(handoff, people, planned: set[int], now: float) -> None:
    """Agents close conversations where nothing is pending and the customer has been quiet for a
    minute (as after a question answered by a holding message and a reassignment), as staff do."""
    quiet = await Conversation.filter(status="handoff", waiting_since__isnull=True, first_reply_at__not_isnull=True)
    for conversation in quiet:
        person = people[conversation.key.split(":", 1)[1]]
        idle = person.pending_since is None and not person.question_planned and conversation.id not in planned
        if idle and now - person.last_heard > IDLE_CLOSE_S:
            await handoff.hand_back(conversation, await Agent.get(id=conversation.assignee_id))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--agents", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-baseline", action="store_true", help="skip the run without the SLA clock")
    args = parser.parse_args()
    started = time.perf_counter()
    result = asyncio.run(run(args.customers, args.agents, args.seed, sla_actions=True))
    print(f"with the SLA clock:    {json.dumps(result)}  ({time.perf_counter() - started:.0f} s)")
    if not args.no_baseline:
        baseline = asyncio.run(run(args.customers, args.agents, args.seed, sla_actions=False))
        print(f"agents alone (no clock): {json.dumps(baseline)}")
    result.pop("simulated_s")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
