"""Simulated customers and agents over the real dispatcher, handoff service and store, on a scaled clock.

Why: the shape of a whole shift (thousands of customers, tens of agents, some distracted, some set
away and coming back late or never, some ending their shift) is too long to run in real time;
`bench/sla_live.py` measures the same figures from outside the process in real time on a small
load. The definitions here are the same as there (docs/handoff-sla.md), measured from what each
customer's phone received and when, and every customer is in every denominator:

- time to a person: from the customer's 转人工 to the first message of a person, or the greeting
  sent on the person's behalf once assigned, queue time included; `person_within_15s` is the share
  of handovers reached within 15 s (a customer never reached counts as a failure);
- acknowledged: any message to the customer within 20 s of each customer message (`lost`: never);
- answered by a person: the first message of a person after each message the customer wrote to a
  person, timed from that message; holding messages do not count;
- stranded: at the end still waiting for a person (never reached one, or a question unanswered).

Each customer may greet the bot, asks for a person, waits for the greeting, asks 2-3 questions one
at a time and says thanks; the agent says goodbye and hands the conversation back. Agents answer
after 3-12 s, a `--distracted` share after 25-45 s. An agent the server sets away notices after
`--away-return` seconds (0: never; sending anything also brings them back, as in the console);
`--offline-agents` end their shift mid-run. Time is a FakeClock moved in quarter-second steps, with
the scheduler's deadlines fired after every step exactly as the server's ticker does.

Run: `.venv/bin/python bench/sla_sim.py [--customers N] [--agents M] [--distracted 0.1]
[--away-return 60] [--offline-agents 2]`; `REDIS_URL` set → the Redis store. The last line is one
JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import heapq
import itertools
import json
import os
import random
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
GREETING_DUE_S, REPLY_DUE_S = 15.0, 20.0
OPENERS = ("你好", "在吗", "亲在吗", None)
QUESTIONS = ("我的订单什么时候发货", "能帮我改一下地址吗", "这个尺码偏大吗", "可以开发票吗", "优惠券怎么用",
             "快递到哪了", "能便宜点吗", "这个有现货吗")
CLOSINGS = ("好的谢谢", "明白了，谢谢", "好的")


class SimChannel(Channel):
    """The customers' phones: what each received, and when."""

    name = "sim"

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.received: dict[str, list[tuple[float, str]]] = {}

    async def push(self, user_id: str, text: str, *, source_id: str | None = None) -> None:
        self.received.setdefault(user_id, []).append((self.clock.time(), text))


@dataclass
class Sent:
    at: float
    to_person: bool


@dataclass
class Customer:
    user_id: str
    arrives_at: float
    opener: str | None
    questions: list[str]
    escalated_at: float | None = None
    greeted_at: float | None = None
    sent: list[Sent] = field(default_factory=list)
    next_at: float | None = None  # when the customer writes next (None: waiting or done)
    step: int = 0  # 0 opener, 1 escalation, 2.. questions, then closing
    done: bool = False


@dataclass
class Sim:
    runtime: Runtime
    channel: SimChannel
    clock: FakeClock
    rng: random.Random
    distracted: float
    away_return: float
    people: dict[str, Customer] = field(default_factory=dict)
    person_texts: set[str] = field(default_factory=set)
    greeting_texts: set[str] = field(default_factory=set)
    replies: list[tuple[float, int, int, int]] = field(default_factory=list)  # due, seq, conversation, agent
    #: (conversation, holder) with an answer planned: a conversation moved to another agent is seen
    #: by its new holder at once, whatever the previous holder had planned.
    planned: set[tuple[int, int]] = field(default_factory=set)
    returns: dict[int, float] = field(default_factory=dict)  # agent id -> when they notice being away
    serial: itertools.count = field(default_factory=itertools.count)

    @property
    def now(self) -> float:
        return self.clock.time()

    def human_delay(self) -> float:
        return self.rng.uniform(25, 45) if self.rng.random() < self.distracted else self.rng.uniform(3, 12)

    # --- customers ---
    async def write(self, person: Customer, text: str, to_person: bool = False) -> None:
        person.sent.append(Sent(self.now, to_person))
        inbound = Inbound(channel="sim", user_id=person.user_id, kind="text", text=text, received_at=self.clock.now())
        outcome = await self.runtime.dispatcher.handle(inbound)
        for reply in outcome.texts:  # the bot answered in the same response
            await self.channel.push(person.user_id, reply)

    def inbox(self, person: Customer) -> list[tuple[float, str]]:
        return self.channel.received.get(person.user_id, [])

    def greeted(self, person: Customer) -> float | None:
        if person.escalated_at is None:
            return None
        return next((at for at, text in self.inbox(person) if at >= person.escalated_at
                     and (text in self.person_texts or text in self.greeting_texts)), None)

    def person_answer(self, person: Customer, message: Sent) -> float | None:
        return next((at for at, text in self.inbox(person) if at >= message.at and text in self.person_texts), None)

    async def customers_act(self, present: list[Customer]) -> None:
        for person in present:
            if person.escalated_at is not None and person.greeted_at is None:
                person.greeted_at = self.greeted(person)
                if person.greeted_at is not None:
                    person.next_at = self.now + self.rng.uniform(2, 8)
            if person.next_at is None and person.step >= 2 and person.sent and person.sent[-1].to_person:
                if self.person_answer(person, person.sent[-1]) is not None:  # answered: the next question
                    person.next_at = self.now + self.rng.uniform(2, 8)
            if person.next_at is None or person.next_at > self.now:
                continue
            person.next_at = None
            await self.next_message(person)

    async def next_message(self, person: Customer) -> None:
        if person.step == 0:
            person.step = 1
            if person.opener:
                await self.write(person, person.opener)
                person.next_at = self.now + self.rng.uniform(2, 6)
                return
        if person.step == 1:
            person.step = 2
            person.escalated_at = self.now
            await self.write(person, "转人工")
            return
        index = person.step - 2
        person.step += 1
        if index < len(person.questions):
            await self.write(person, person.questions[index], to_person=True)
        elif index == len(person.questions):
            await self.write(person, self.rng.choice(CLOSINGS), to_person=True)
        else:
            person.done = True

    # --- agents ---
    async def agents_look(self) -> None:
        """Agents plan an answer for each held conversation that owes the customer one."""
        held = await Conversation.filter(status="handoff").values("id", "key", "assignee_id", "waiting_since",
                                                                  "first_reply_at")
        for row in held:
            needs = row["first_reply_at"] is None or row["waiting_since"] is not None
            if needs and (row["id"], row["assignee_id"]) not in self.planned:
                self.planned.add((row["id"], row["assignee_id"]))
                heapq.heappush(self.replies, (self.now + self.human_delay(), next(self.serial), row["id"],
                                              row["assignee_id"]))

    async def agents_answer(self) -> None:
        handoff = self.runtime.services[HANDOFF]
        while self.replies and self.replies[0][0] <= self.now:
            _, _, conversation_id, agent_id = heapq.heappop(self.replies)
            self.planned.discard((conversation_id, agent_id))
            conversation = await Conversation.get(id=conversation_id)
            if conversation.status != "handoff" or conversation.assignee_id != agent_id:
                continue  # taken from them meanwhile: the new holder plans their own answer
            agent = await Agent.get(id=agent_id)
            person = self.people[conversation.key.split(":", 1)[1]]
            closing = person.step > len(person.questions) + 2
            text = f"{'亲，感谢您的耐心，再见~' if closing else '亲，这就为您处理~'}（{next(self.serial)}）"
            self.person_texts.add(text)
            await handoff.agent_message(conversation, agent, text, confirm=True)
            if closing:
                person.done = True
                await handoff.hand_back(await Conversation.get(id=conversation_id), agent)

    async def agents_notice(self) -> None:
        """Agents set away notice after `away_return` seconds (never when 0) and click 在线."""
        handoff = self.runtime.services[HANDOFF]
        for agent in await Agent.filter(presence="away"):
            if agent.id not in self.returns and self.away_return > 0:
                self.returns[agent.id] = self.now + self.away_return
        for agent_id, at in list(self.returns.items()):
            if at <= self.now:
                del self.returns[agent_id]
                agent = await Agent.get(id=agent_id)
                if agent.presence == "away":
                    await handoff.set_presence(agent, "online")


def percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))], 2)


def ratio(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 1.0


def report(sim: Sim, ended: float) -> dict[str, object]:
    """The same figures, computed the same way, as `bench/sla_live.py`'s report."""
    to_person: list[float] = []
    greeted_in_time = never_reached = written = acknowledged = lost = 0
    person_messages = person_in_time = stranded = 0
    answer_times: list[float] = []
    for person in sim.people.values():
        start = person.escalated_at if person.escalated_at is not None else person.arrives_at
        if person.greeted_at is not None and person.escalated_at is not None:
            waited = person.greeted_at - person.escalated_at
            greeted_in_time += waited <= GREETING_DUE_S
        else:
            waited = ended - start
            never_reached += 1
        to_person.append(max(0.0, waited))
        unanswered = False
        inbox = sim.inbox(person)
        for message in person.sent:
            written += 1
            ack = next((at for at, _ in inbox if at >= message.at), None)
            lost += ack is None
            acknowledged += ack is not None and ack - message.at <= REPLY_DUE_S
            if message.to_person:
                person_messages += 1
                answered = sim.person_answer(person, message)
                unanswered |= answered is None
                answer_times.append((answered if answered is not None else ended) - message.at)
                person_in_time += answered is not None and answered - message.at <= REPLY_DUE_S
        stranded += person.greeted_at is None or unanswered
    return {
        "customers": len(sim.people), "handovers": len(sim.people), "stranded": stranded,
        "never_reached_person": never_reached,
        "time_to_person_p50_s": percentile(to_person, 0.50), "time_to_person_p95_s": percentile(to_person, 0.95),
        "time_to_person_p99_s": percentile(to_person, 0.99),
        "person_within_15s": ratio(greeted_in_time, len(sim.people)),
        "customer_messages": written, "acknowledged_within_20s": ratio(acknowledged, written), "lost": lost,
        "messages_to_person": person_messages,
        "person_answered_within_20s": ratio(person_in_time, person_messages),
        "person_answer_p50_s": percentile(answer_times, 0.50), "person_answer_p95_s": percentile(answer_times, 0.95),
        "person_answer_max_s": percentile(answer_times, 1.0),
    }


async def run(args: argparse.Namespace) -> dict[str, object]:
    rng = random.Random(args.seed)
    clock = FakeClock()
    channel = SimChannel(clock)
    workdir = tempfile.mkdtemp(prefix="sla-sim-")
    settings = Settings(_env_file=None, database_url=f"sqlite://{workdir}/sim.sqlite3",
                        redis_url=os.environ.get("REDIS_URL") or None, redis_key_prefix=f"sim-{uuid.uuid4().hex[:8]}",
                        staffed_hours="00:00-24:00", queue_offer_message_after_s=10**6)
    runtime = await Runtime.open(settings, EXTENSIONS, [channel], clock, background=False)
    handoff = runtime.services[HANDOFF]
    sim = Sim(runtime, channel, clock, rng, args.distracted, args.away_return)
    nickname = runtime.templates.render("handoff.default_nickname")
    sim.greeting_texts.add(runtime.templates.render("handoff.auto_greeting", {"agent_name": nickname}))
    try:
        staff = [await Agent.create(name=f"agent{i}", role="agent", password_hash="-", capacity=args.capacity,
                                    created_at=clock.now()) for i in range(args.agents)]
        for agent in staff:
            await handoff.set_presence(agent, "online")
        duration = args.customers * args.spacing
        started = clock.time()
        for i in range(args.customers):
            arrives = started + rng.uniform(0, duration)
            sim.people[f"c{i}"] = Customer(f"c{i}", arrives, rng.choice(OPENERS),
                                           rng.sample(QUESTIONS, rng.randint(2, 3)), next_at=arrives)
        leaving = {agent.id: started + rng.uniform(duration * 0.2, duration * 0.8)
                   for agent in staff[: args.offline_agents]}
        arrivals = sorted(sim.people.values(), key=lambda p: p.arrives_at)
        present: list[Customer] = []
        steps = 0
        while clock.time() - started < duration + args.drain:
            await clock.advance(STEP_S)
            await runtime.scheduler.run_due()
            for agent_id, at in list(leaving.items()):
                if at <= sim.now:
                    del leaving[agent_id]
                    await handoff.set_presence(await Agent.get(id=agent_id), "offline")
            while arrivals and arrivals[0].arrives_at <= sim.now:
                present.append(arrivals.pop(0))
            present = [p for p in present if not p.done]
            await sim.customers_act(present)
            steps += 1
            if steps % 4 == 0:  # agents look at their screens every second
                await sim.agents_look()
                await sim.agents_notice()
            await sim.agents_answer()
            if not arrivals and not present:
                break
        figures = report(sim, clock.time())
        figures["reassigned"] = await SlaEvent.filter(kind="reassigned").count()
        figures["set_away"] = await SlaEvent.filter(kind="away").count()
        figures["simulated_s"] = round(clock.time() - started, 1)
        return figures
    finally:
        await runtime.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--agents", type=int, default=20)
    parser.add_argument("--capacity", type=int, default=4, help="conversations each agent holds at most")
    parser.add_argument("--spacing", type=float, default=1.2, help="mean seconds between arrivals")
    parser.add_argument("--distracted", type=float, default=0.1, help="share of replies taking 25-45 s")
    parser.add_argument("--away-return", type=float, default=60.0,
                        help="seconds after which an agent set away notices and comes back; 0: never")
    parser.add_argument("--offline-agents", type=int, default=2, help="agents who end their shift mid-run")
    parser.add_argument("--drain", type=float, default=900.0, help="seconds after the last arrival")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    started = time.perf_counter()
    figures = asyncio.run(run(args))
    print(f"ran {time.perf_counter() - started:.0f} s of wall time", file=sys.stderr)
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
