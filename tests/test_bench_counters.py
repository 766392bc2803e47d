"""The bench's counters (bench/counters.py) count each Redis write once, whichever path sent it."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# In a process of its own: the counters patch redis-py's and asyncpg's classes for good.
SCRIPT = textwrap.dedent("""
    import asyncio, json, sys
    from redis.asyncio import ConnectionPool
    from bench import counters
    import bot.store.redis as redis_store

    def trips():
        return counters.COUNTS["redis_round_trips"]

    async def main(url):
        counters._patch()
        pool = ConnectionPool.from_url(url)
        connection, before = pool.make_connection(), trips()
        await connection.connect()
        handshake, before = trips() - before, trips()
        fresh = pool.make_connection()  # not connected: the lean path hands the write to redis-py's method
        await redis_store.send_at_once(fresh, fresh.pack_command("PING"))
        await fresh.read_response()
        handed_over, before = trips() - before, trips()
        await redis_store.send_at_once(fresh, fresh.pack_command("PING"))  # written by the lean path itself
        await fresh.read_response()
        lean = trips() - before
        await connection.disconnect()
        await fresh.disconnect()
        print(json.dumps({"handed_over": handed_over - handshake, "lean": lean}))

    asyncio.run(main(sys.argv[1]))
""")


def test_a_write_the_lean_path_hands_to_redis_py_counts_once(redis_url: str) -> None:
    result = subprocess.run([sys.executable, "-c", SCRIPT, redis_url], cwd=ROOT, capture_output=True, text=True,
                            timeout=60, check=True)
    assert json.loads(result.stdout) == {"handed_over": 1, "lean": 1}
