"""How long the reports take to build on a month of a busy shop, in process, on SQLite.

Writes `--conversations` handed-over conversations into a fresh SQLite file spread over November 2026
(each with an escalation, a reach, acknowledgements, questions answered in time or late, agent
messages), then builds every report for the month by day (what the console asks first) and the
monthly workbook, each `--repeat` times, and prints the median. The baseline is the same run on a
tenth of the data in the same process, so the ratio shows how the cost grows with the data (linear
would be 10x).

    .venv/bin/python -m bench.reports --conversations 5000
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bot.clock import FakeClock
from bot.config import Settings
from bot.runtime import Runtime
from handlers import EXTENSIONS
from handlers.reports.catalogue import catalogue, period, run
from handlers.reports.desk import REPORTS
from handlers.reports.periodic import month
from handlers.reports.workbook import build_workbook
from models.agent import Agent
from models.conversation import Conversation
from models.customer import Customer
from models.handoff import SlaEvent
from models.message import Message

MONTH_START = datetime(2026, 10, 31, 16, tzinfo=UTC)  # 2026-11-01 00:00 in Shanghai


async def seed(conversations: int, rng: random.Random) -> int:
    agents = [await Agent.create(name=f"agent{i}", role="agent", password_hash="-", created_at=MONTH_START)
              for i in range(8)]
    events: list[SlaEvent] = []
    messages: list[Message] = []
    for number in range(conversations):
        at = MONTH_START + timedelta(seconds=rng.uniform(0, 29 * 86400))
        channel = rng.choice(("webchat", "wechat", "wecom"))
        customer = await Customer.create(channel=channel, external_id=f"c{number}", created_at=at)
        conversation = await Conversation.create(customer=customer, channel=channel, key=f"{channel}:c{number}",
                                                 status="closed", opened_at=at)
        agent = rng.choice(agents)
        reach = rng.uniform(3, 25)
        events += [SlaEvent(conversation=conversation, kind="queued", at=at),
                   SlaEvent(conversation=conversation, agent=agent, kind="assigned", at=at + timedelta(seconds=2)),
                   SlaEvent(conversation=conversation, agent=agent, kind="person_reached",
                            at=at + timedelta(seconds=reach), due_at=at + timedelta(seconds=15), waited_s=reach,
                            within=reach <= 15)]
        for question in range(rng.randint(1, 6)):
            asked = at + timedelta(seconds=60 * (question + 1))
            wait = rng.uniform(4, 35)
            for kind in ("acknowledged", "person_answered"):
                events.append(SlaEvent(conversation=conversation, agent=agent, kind=kind,
                                       at=asked + timedelta(seconds=wait), due_at=asked + timedelta(seconds=20),
                                       waited_s=wait, within=wait <= 20))
            messages += [Message(conversation=conversation, channel=channel, direction="in", text="在吗",
                                 author="customer", created_at=asked, source_id=f"{number}-{question}-in"),
                         Message(conversation=conversation, channel=channel, direction="out", text="您好",
                                 author=f"agent:{agent.id}", created_at=asked + timedelta(seconds=wait),
                                 source_id=f"{number}-{question}-out")]
    await SlaEvent.bulk_create(events, batch_size=2000)
    await Message.bulk_create(messages, batch_size=2000)
    return len(events)


async def measure(conversations: int, repeat: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as directory:
        settings = Settings(_env_file=None, database_url=f"sqlite://{Path(directory) / 'bench.sqlite3'}")
        runtime = await Runtime.open(settings, EXTENSIONS, clock=FakeClock(MONTH_START + timedelta(days=31)),
                                     background=False)
        try:
            events = await seed(conversations, random.Random(7))
            desk = runtime.services[REPORTS]
            query = period(desk, date(2026, 11, 1), date(2026, 11, 30), "day")
            figures = {"sla_events": float(events)}
            for name, spec in catalogue(desk, "admin").items():
                figures[f"{name}_ms"] = await _median(repeat, lambda spec=spec: run(desk, spec, query))
            november = month(desk, "2026-11")
            figures["workbook_ms"] = await _median(repeat, lambda: build_workbook(desk, november, "admin"))
            return figures
        finally:
            await runtime.close()


async def _median(repeat: int, action) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        await action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--conversations", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    baseline = asyncio.run(measure(max(1, args.conversations // 10), args.repeat))
    full = asyncio.run(measure(args.conversations, args.repeat))
    print(f"{'figure':<22}{'baseline (1/10)':>18}{'full':>12}{'ratio':>8}")
    for key, value in full.items():
        print(f"{key:<22}{baseline[key]:>18.1f}{value:>12.1f}{value / baseline[key]:>8.1f}")


if __name__ == "__main__":
    main()
