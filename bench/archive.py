"""The customer archive's cost where staff and imports feel it: reading one archive over HTTP, and
what recomputing the buyer's class on each order adds to an order import.

Reads: a supervisor reads whole archives (every part: contact, profile, class, notes, tags, orders,
cases, referrals, each read logged) of many different customers, over real HTTP with a bearer token;
the baseline is `GET /api/agent/me` (login check only) with the same client in the same process.
Imports: `save_records` of the same orders for linked customers with the class hook on and off
(the hook is the archive's `post_save` on orders), each into a fresh SQLite database.

Run from the repository root:
    .venv/bin/python bench/archive.py [--customers N] [--orders-per-customer K]
Figures on a shared machine are indicative only.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from anywhere, without installing the project

from aiohttp.test_utils import TestClient, TestServer  # noqa: E402
from tortoise.signals import Signals  # noqa: E402

import handlers.archive as archive_area  # noqa: E402
from bot.app import build_app  # noqa: E402
from bot.clock import FakeClock  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.web.auth import create_agent, issue_api_token  # noqa: E402
from handlers import EXTENSIONS  # noqa: E402
from handlers.after_sales.records import OrderRecord, save_records  # noqa: E402
from models.customer import Customer  # noqa: E402
from models.order import Order  # noqa: E402

NOW = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)
BASELINE, HOOKED = "import, class hook off (baseline)", "import, class hook on"
ROUNDS = 4


def settings(directory: Path) -> Settings:
    return Settings(_env_file=None, database_url=f"sqlite://{directory / 'bench.sqlite3'}", redis_url=None,
                    redis_key_prefix=f"bench-{uuid.uuid4().hex[:8]}")


@contextlib.contextmanager
def order_hook(on: bool):
    """The archive's order signal registered (on) or taken off for the baseline; tortoise has no
    public way to remove a listener, so the bench edits its table and puts it back."""
    listeners = Order._listeners[Signals.post_save].setdefault(Order, [])
    if not on:
        listeners.remove(archive_area._order_saved)
    try:
        yield
    finally:
        if not on:
            listeners.append(archive_area._order_saved)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def records(customers: list[tuple[str, str]], per_customer: int, tag: str) -> list[OrderRecord]:
    return [OrderRecord(order_no=f"{tag}{n:06d}{k:02d}", buyer=buyer, total_fen=1990 + k, status="paid", paid_at=NOW)
            for n, buyer in enumerate(customers) for k in range(per_customer)]


async def run(customers: int, per_customer: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app = build_app(settings(Path(tmp)), EXTENSIONS, clock=FakeClock(NOW))
        client = TestClient(TestServer(app, host="127.0.0.1"))
        await client.start_server()
        try:
            supervisor = await create_agent("sue", "supervisor", "bench-password")
            headers = {"Authorization": f"Bearer {await issue_api_token(supervisor)}"}
            buyers = [("webchat", f"bench-{n}") for n in range(customers)]
            for n, (channel, external_id) in enumerate(buyers):  # every other buyer has a verified phone
                await Customer.create(channel=channel, external_id=external_id, created_at=NOW,
                                      phone=f"139{n:08d}" if n % 2 else None)
            ids = []
            for customer in await Customer.filter(external_id__startswith="bench-").order_by("id"):
                answer = await client.get(f"/api/archive/customers/{customer.id}", headers=headers)
                ids.append((await answer.json())["person_id"])

            timings: dict[str, list[float]] = {BASELINE: [], HOOKED: []}
            for round_no in range(ROUNDS):  # alternated, so warming up favours neither
                for label in (BASELINE, HOOKED) if round_no % 2 == 0 else (HOOKED, BASELINE):
                    with order_hook(on=label == HOOKED):
                        started = time.perf_counter()
                        await save_records(records(buyers, per_customer, f"{label[0]}{round_no}"), "bench", NOW)
                        timings[label].append((time.perf_counter() - started) / (customers * per_customer) * 1000)
            base = statistics.median(timings[BASELINE])
            for label, runs in timings.items():
                print(f"{label:<36} {statistics.median(runs):7.3f} ms/order   ×{statistics.median(runs) / base:.2f} "
                      f"(median of {ROUNDS})")

            reads, me = [], []
            for person_id in ids:
                started = time.perf_counter()
                answer = await client.get(f"/api/archive/{person_id}", headers=headers)
                reads.append((time.perf_counter() - started) * 1000)
                assert answer.status == 200, await answer.text()
                started = time.perf_counter()
                assert (await client.get("/api/agent/me", headers=headers)).status == 200
                me.append((time.perf_counter() - started) * 1000)
            print(f"{'GET /api/agent/me (baseline)':<36} p50 {statistics.median(me):6.2f} ms  "
                  f"p95 {percentile(me, .95):6.2f} ms")
            print(f"{'GET /api/archive/{id} (all parts)':<36} p50 {statistics.median(reads):6.2f} ms  "
                  f"p95 {percentile(reads, .95):6.2f} ms   ×{statistics.median(reads) / statistics.median(me):.1f} "
                  f"({len(reads)} customers, {ROUNDS * per_customer} orders each)")
        finally:
            await client.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--orders-per-customer", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(run(args.customers, args.orders_per_customer))


if __name__ == "__main__":
    main()
