"""CPU per message of two codes' embedded bots, loaded in alternating short blocks by one client.

    .venv/bin/python bench/cpu_pair.py /tmp/base_worktree . [--blocks 16] [--per-block 400] [--production]

On this shared machine a whole `bench/webhook.py` run of one code, then one of the other, meets a
different load each time, and the bot's CPU per message follows the load and the throughput (the
loop's wake-ups and the group commit's batches are shared by more messages when it is busy): paired
runs a minute apart differed by ±20% with the same code. Here both bots run at once, each the real
app on its embedded default (`bench/webhook.py --serve bot` of its own worktree: SQLite, in-process
store, the demo shop), and one client sends `--per-block` corpus messages to one of them with 50
closed-loop senders, then the same to the other, in turn (the order swapped every block), so both
meet the same minutes. A warm-up block first lets every one of the 200 customers write once (first
sights apart). Printed: CPU per message of each server process over its blocks (from /proc), each
block's figure, and the median of the per-block ratios A/B; throughput and latency per code too, but
those are the machine's more than the code's.

`--callgrind`: each bot runs under valgrind's callgrind, instrumented and counting instructions from
the end of the warm-up to the end of the last block only (`callgrind_control`; start-up runs
uninstrumented), and the instructions per message are printed. The count does not follow the
machine's load as CPU time does, but the work the bot does on a timer (the lease renewals, the WAL
checkpoints, the group commit's batch sizes) grows with the run's wall time, tens of times longer
under valgrind: two runs of one code differed by 0.7% and 2.5% (docs/performance.md, core8). Use few
blocks, and `--senders` well below 50 so that no answer misses the passive budget (a late answer
takes another path).

`--production`: each bot as `bench/webhook.py --production` runs it (`serve`, one worker, PostgreSQL and
Redis), each on a fresh database and key prefix of its own, dropped after; CPU counts the bot's
processes, not PostgreSQL's or Redis'.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.webhook import (  # noqa: E402
    APPID,
    PG_ADMIN_URL,
    REDIS_URL,
    SECRET,
    Sample,
    cpu_seconds,
    free_port,
    process_tree,
    read_corpus,
    signed_message,
    wait_ready,
)

SENDERS = 50
CUSTOMERS = 200


@dataclass
class Bot:
    worktree: str
    process: subprocess.Popen
    url: str
    log_path: Path
    directory: Path
    serial: itertools.count = field(default_factory=itertools.count)
    blocks: list[tuple[float, float, list[float]]] = field(default_factory=list)  # cpu s, elapsed s, latencies
    own: list[float] = field(default_factory=list)  # cpu s of the bot's own process (its event loop) per block
    errors: int = 0
    instructions: int | None = None  # `--callgrind`: counted over the measured blocks


def start(worktree: str, api_base: str, production: Production | None, callgrind: bool = False) -> Bot:
    directory = Path(tempfile.mkdtemp(prefix="csbot-pair-"))
    port = free_port()
    log = (directory / "bot.log").open("w")  # read by `wait_ready` when the bot does not come up
    kind = ["bot"] if production is None else ["production", "--workers", "1", "--database-url",
                                               production.database_url, "--key-prefix", production.prefix]
    if production is not None:
        (directory / "counters").mkdir()
    counting = (["valgrind", "--tool=callgrind", "--instr-atstart=no",
                 f"--callgrind-out-file={directory}/callgrind.out"] if callgrind else [])
    process = subprocess.Popen(
        [*counting, f"{worktree}/.venv/bin/python", f"{worktree}/bench/webhook.py", "--serve", *kind,
         "--port", str(port), "--dir", str(directory), "--api-base", api_base, "--intent-cache", "0"],
        cwd=worktree, stdout=log, stderr=log)
    return Bot(worktree, process, f"http://127.0.0.1:{port}/wechat", directory / "bot.log", directory)


@dataclass
class Production:
    """A fresh PostgreSQL database and Redis key prefix for one bot (`--production`)."""

    name: str

    @property
    def database_url(self) -> str:
        return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + self.name

    @property
    def prefix(self) -> str:
        return self.name


async def create_databases(names: list[str]) -> None:
    import asyncpg

    admin = await asyncpg.connect(PG_ADMIN_URL)
    try:
        for name in names:
            await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()


async def drop_databases(names: list[str]) -> None:
    """Each bot's database and its Redis keys."""
    import asyncpg
    from redis.asyncio import Redis

    admin = await asyncpg.connect(PG_ADMIN_URL)
    redis = Redis.from_url(REDIS_URL)
    try:
        for name in names:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            keys = [key async for key in redis.scan_iter(match=f"{name}:*", count=1000)]
            for start in range(0, len(keys), 500):
                await redis.delete(*keys[start:start + 500])
    finally:
        await admin.close()
        await redis.aclose()


def bot_cpu_seconds(bot: Bot) -> float:
    """The bot's processes (`serve`'s workers too)."""
    return sum(cpu_seconds(pid) for pid in process_tree(bot.process.pid))


def callgrind_control(bot: Bot, *options: str) -> None:
    subprocess.run(["callgrind_control", *options, str(bot.process.pid)], check=True, capture_output=True)


def counted_instructions(bot: Bot) -> int:
    """The instructions callgrind counted since collection was turned on: dumped now, summed over the
    process's dump files (its threads included)."""
    callgrind_control(bot, "--dump")
    total = 0
    for dump in bot.directory.glob("callgrind.out*"):
        for line in dump.read_text(errors="replace").splitlines():
            if line.startswith("summary:") or line.startswith("totals:"):
                total += int(line.split()[1])
                break
    return total


async def block(session: aiohttp.ClientSession, bot: Bot, corpus: list[Sample], count: int,
                senders: int = SENDERS) -> None:
    left, latencies = count, []

    async def sender() -> None:
        nonlocal left
        while left > 0:
            left -= 1
            n = next(bot.serial)
            params, body = signed_message(n, corpus[n % len(corpus)].text, CUSTOMERS)
            started = time.perf_counter()
            async with session.post(bot.url, params=params, data=body) as response:
                await response.read()
                bot.errors += response.status != 200
            latencies.append(time.perf_counter() - started)

    cpu, own, started = bot_cpu_seconds(bot), cpu_seconds(bot.process.pid), time.perf_counter()
    await asyncio.gather(*(sender() for _ in range(senders)))
    elapsed = time.perf_counter() - started
    await asyncio.sleep(0.15)  # the group commit's last batch of the block lands in it
    bot.blocks.append((bot_cpu_seconds(bot) - cpu, elapsed, latencies))
    bot.own.append(cpu_seconds(bot.process.pid) - own)


def report(bot: Bot, per_block: int) -> None:
    cpu = sum(b[0] for b in bot.blocks)
    elapsed = sum(b[1] for b in bot.blocks)
    messages = per_block * len(bot.blocks)
    latencies = sorted(x for b in bot.blocks for x in b[2])
    print(f"{bot.worktree}: CPU {cpu / messages * 1000:.3f} ms per message, {messages / elapsed:.0f} req/s, "
          f"p50 {latencies[len(latencies) // 2] * 1000:.0f} ms, p99 {latencies[int(0.99 * len(latencies))] * 1000:.0f} "
          f"ms, errors {bot.errors}, own process (embedded: the event loop) {sum(bot.own) / messages * 1000:.3f} "
          f"ms; per block: " + " ".join(f"{b[0] / per_block * 1000:.2f}" for b in bot.blocks),
          flush=True)
    if bot.instructions is not None:
        print(f"{bot.worktree}: {bot.instructions / messages / 1000:.1f}k instructions per message (callgrind)",
              flush=True)


async def main(args: argparse.Namespace) -> None:
    corpus = read_corpus()
    names = [f"csbot_pair_{os.getpid()}_{side}" for side in ("a", "b")] if args.production else []
    await create_databases(names)
    try:
        await run_pair(args, corpus, [Production(name) for name in names] or [None, None])
    finally:
        await drop_databases(names)


async def run_pair(args: argparse.Namespace, corpus: list[Sample], production: list[Production | None]) -> None:
    from tests.fakes.wechat_server import FakeWeChat

    async with FakeWeChat(appid=APPID, secret=SECRET) as wechat:
        bots = [start(args.a, wechat.url, production[0], args.callgrind),
                start(args.b, wechat.url, production[1], args.callgrind)]
        try:
            async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=2 * SENDERS)) as session:
                for bot in bots:
                    await wait_ready(bot.url, bot.process, bot.log_path, 1200.0 if args.callgrind else 120.0)
                for bot in bots:  # warm-up: every customer writes once
                    await block(session, bot, corpus, 3 * CUSTOMERS, args.senders)
                    bot.blocks.clear()
                    bot.own.clear()
                    if args.callgrind:
                        await asyncio.sleep(0.5)  # the warm-up's last batch lands before counting starts
                        callgrind_control(bot, "--instr=on")
                        callgrind_control(bot, "--zero")
                for n in range(args.blocks):
                    for bot in bots if n % 2 == 0 else bots[::-1]:
                        await block(session, bot, corpus, args.per_block, args.senders)
                if args.callgrind:
                    for bot in bots:
                        bot.instructions = counted_instructions(bot)
        finally:
            for bot in bots:
                bot.process.send_signal(signal.SIGINT)  # aiohttp shuts down cleanly
            for bot in bots:
                bot.process.wait(600 if args.callgrind else 60)
    for bot in bots:
        report(bot, args.per_block)
    ratios = [a[0] / b[0] for a, b in zip(bots[0].blocks, bots[1].blocks, strict=True)]
    print(f"CPU per message A/B, per pair of blocks: median {statistics.median(ratios):.3f}, "
          f"mean {statistics.mean(ratios):.3f}", flush=True)
    own = [a / b for a, b in zip(bots[0].own, bots[1].own, strict=True)]
    print(f"CPU per message of the bot's own process A/B: median {statistics.median(own):.3f}, "
          f"mean {statistics.mean(own):.3f}", flush=True)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("a", help="worktree A (its .venv and bench/webhook.py are used)")
    parser.add_argument("b", help="worktree B")
    parser.add_argument("--blocks", type=int, default=16)
    parser.add_argument("--per-block", type=int, default=400)
    parser.add_argument("--production", action="store_true", help="PostgreSQL + Redis, `serve` with one worker")
    parser.add_argument("--senders", type=int, default=SENDERS, help="concurrent closed-loop senders")
    parser.add_argument("--callgrind", action="store_true", help="count instructions per message (valgrind)")
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(parse_args()))
