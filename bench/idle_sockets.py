"""Web chat with many idle pages open: does the chat still answer, and what does it cost?

    .venv/bin/python bench/idle_sockets.py [--pages 2000] [--redis redis://127.0.0.1:6379/0]

Runs the real app (SQLite in a temp dir, the given Redis as the store) in this process and, with
one aiohttp client, sends rounds of concurrent web-chat messages from new customers: first with no
page open (the baseline), then while `--pages` web-chat WebSockets are held open and idle, then
with the pages closed again: the ratio is against the mean of both runs without pages, so a drift of
the machine's load or of the bot over the run does not pass for the pages' cost. Before the shared
pub/sub connection each page took a pooled Redis connection and the 101st page got 500. Prints
handshake failures, the worker's Redis connections, latency of the three runs and the ratio of
p50s; the last line is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from anywhere, without installing the project

from aiohttp import ClientSession, ClientWebSocketResponse, TCPConnector  # noqa: E402

from tests.fakes.bot_app import RunningBot, make_settings, running_bot, visitor_headers  # noqa: E402

TEXTS = ("什么时候发货呀", "这个有现货吗", "能便宜点不", "发什么快递", "几天能到广州", "有没有优惠券")


async def chat_rounds(bot: RunningBot, session: ClientSession, rounds: int, concurrency: int) -> dict[str, float]:
    latencies: list[float] = []
    errors = 0

    async def one(n: int) -> None:
        nonlocal errors
        user_id = f"c-{uuid.uuid4().hex[:12]}"
        body = {"user_id": user_id, "text": TEXTS[n % len(TEXTS)]}
        started = time.perf_counter()
        async with session.post(bot.url("/api/webchat/messages"), json=body,
                                headers=visitor_headers(bot.runtime, user_id)) as response:
            await response.read()
            errors += response.status != 200
        latencies.append((time.perf_counter() - started) * 1000)

    for round_no in range(rounds):
        await asyncio.gather(*(one(round_no * concurrency + i) for i in range(concurrency)))
    latencies.sort()
    return {"messages": len(latencies), "errors": errors, "p50_ms": round(statistics.median(latencies), 1),
            "p99_ms": round(latencies[max(0, int(len(latencies) * 0.99) - 1)], 1)}


async def open_pages(bot: RunningBot, session: ClientSession, pages: int) -> tuple[list[ClientWebSocketResponse], int]:
    sockets, failed = [], 0
    for start in range(0, pages, 100):
        opened = await asyncio.gather(*(
            session.ws_connect(bot.url(bot.page_url(f"idle-{uuid.uuid4().hex[:12]}")))
            for _ in range(min(100, pages - start))), return_exceptions=True)
        for result in opened:
            if isinstance(result, BaseException):
                failed += 1
            else:
                sockets.append(result)
    return sockets, failed


async def main(pages: int, redis_url: str, rounds: int, concurrency: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        async with running_bot(make_settings(Path(tmp), redis_url=redis_url)) as bot, \
                ClientSession(connector=TCPConnector(limit=0)) as session:
            await chat_rounds(bot, session, 1, concurrency)  # warm-up
            before = await chat_rounds(bot, session, rounds, concurrency)
            print(f"no page open:      {before}")
            hub = bot.runtime.store.hub
            idle_channels = hub.channels
            sockets, failed = await open_pages(bot, session, pages)
            pool = bot.runtime.store.client.connection_pool
            connections = len(pool._in_use_connections) + len(pool._available_connections)
            print(f"pages open: {len(sockets)}, handshakes failed: {failed}, worker's Redis connections: {connections}")
            loaded = await chat_rounds(bot, session, rounds, concurrency)
            print(f"{len(sockets)} pages open: {loaded}")
            await asyncio.gather(*(ws.close() for ws in sockets))
            for _ in range(200):  # the worker unsubscribes the closed pages' topics
                if hub.channels <= idle_channels:
                    break
                await asyncio.sleep(0.05)
            after = await chat_rounds(bot, session, rounds, concurrency)
            print(f"pages closed again: {after}")
    baseline_p50 = (before["p50_ms"] + after["p50_ms"]) / 2
    return {"pages_open": len(sockets), "handshakes_failed": failed, "redis_connections": connections,
            "baseline": before, "with_pages": loaded, "baseline_after": after,
            "p50_ratio": round(loaded["p50_ms"] / baseline_p50, 2)}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--concurrency", type=int, default=20)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(main(args.pages, args.redis, args.rounds, args.concurrency))))
