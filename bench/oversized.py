"""Worker memory under clients sending bodies over the 1 MiB limit (issue 10, item 9).

Starts `main.py serve` (one worker, SQLite, in-process store) in its own process, reads its RSS,
then lets CLIENTS concurrent clients POST 1.5 MiB JSON bodies to the web-chat and login APIs for
ROUNDS rounds (each client a fresh connection, as abusive clients do), and reads the RSS again after
the load and after a short rest. Every answer must be 413. Last line: one JSON object.

    .venv/bin/python bench/oversized.py [--clients 250] [--rounds 8]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
BODY = b'{"user_id": "c1", "text": "' + b"x" * (1536 * 1024) + b'"}'
PATHS = ("/api/webchat/messages", "/api/agent/login")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def one_client(url: str, statuses: Counter[int | str]) -> None:
    async with aiohttp.ClientSession() as session:  # a new connection per client
        try:
            async with session.post(url, data=BODY, headers={"Content-Type": "application/json"}) as response:
                statuses[response.status] += 1
        except aiohttp.ClientError as exc:  # the server may close before the whole body is sent
            statuses[type(exc).__name__] += 1


async def load(base: str, clients: int, rounds: int) -> Counter[int | str]:
    statuses: Counter[int | str] = Counter()
    for round_no in range(rounds):
        await asyncio.gather(*(one_client(base + PATHS[(round_no + i) % 2], statuses) for i in range(clients)))
    return statuses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=250)
    parser.add_argument("--rounds", type=int, default=8)
    args = parser.parse_args()
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        env = {"PATH": os.environ.get("PATH", ""), "BOT_PORT": str(port), "LOG_LEVEL": "WARNING",
               "DATABASE_URL": f"sqlite://{tmp}/bench.sqlite3"}
        server = subprocess.Popen([sys.executable, "main.py", "serve"], cwd=ROOT, env=env)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=1):
                        break
                except OSError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise SystemExit("server did not start") from None
                    time.sleep(0.2)
            before = rss_mb(server.pid)
            started = time.monotonic()
            statuses = asyncio.run(load(base, args.clients, args.rounds))
            seconds = time.monotonic() - started
            after = rss_mb(server.pid)
            time.sleep(3)
            rested = rss_mb(server.pid)
        finally:
            server.terminate()
            server.wait(60)
    result = {"clients": args.clients, "rounds": args.rounds, "requests": sum(statuses.values()),
              "statuses": {str(k): v for k, v in statuses.items()}, "seconds": round(seconds, 1),
              "rss_mb_before": round(before), "rss_mb_after_load": round(after), "rss_mb_after_rest": round(rested)}
    print(f"{result['requests']} oversized requests from {args.clients} concurrent clients in {seconds:.1f} s; "
          f"RSS {before:.0f} MB before, {after:.0f} MB after, {rested:.0f} MB after 3 s rest")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
