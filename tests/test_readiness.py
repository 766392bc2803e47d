"""Readiness, metrics exposure and slow clients, against the real app on a real socket.

`/healthz` says the process is alive; `/readyz` must say when it cannot serve (its Redis is down or
every pooled connection is busy). `/metrics` names staff, so it is not for the public. Connections
that never finish their headers or body are closed instead of being held.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from urllib.parse import urlsplit

from bot.clock import FakeClock
from bot.store.base import StoreBusy
from tests.fakes.bot_app import eventually, make_settings, running_bot, visitor_headers
from tests.redis_server import RedisServer
from tests.tcp_proxy import TcpProxy

TOKEN = "metrics-token-0123456789"


async def test_readyz_follows_the_store_while_healthz_stays_up(tmp_path: Path, own_redis: RedisServer) -> None:
    settings = make_settings(tmp_path, redis_url=own_redis.url, redis_pool_wait_s=0.3, retry_after_s=3)
    async with running_bot(settings, clock=FakeClock()) as bot:
        ready = await bot.client.get("/readyz")
        assert ready.status == 200
        assert await ready.json() == {"ok": True, "database": "ok", "store": "ok"}

        own_redis.stop()
        down = await bot.client.get("/readyz")
        assert down.status == 503
        assert down.headers["Retry-After"] == "3"
        body = await down.json()
        assert body["ok"] is False and body["database"] == "ok" and body["store"] != "ok"
        assert (await bot.client.get("/healthz")).status == 200  # alive, just not ready

        chat = await bot.post_chat({"user_id": "u-1", "text": "你好"})
        assert chat.status == 503, await chat.text()
        assert chat.headers["Retry-After"] == "3"

        own_redis.start()  # same port, empty: the pool reconnects
        assert (await bot.client.get("/readyz")).status == 200


async def take_every_connection(pool) -> list:
    """Take connections until the pool refuses one after its wait."""
    held = []
    while True:
        try:
            held.append(await pool.get_connection())
        except StoreBusy:
            return held


async def test_exhausted_pool_waits_then_answers_503(tmp_path: Path, redis_url: str) -> None:
    settings = make_settings(tmp_path, redis_url=redis_url, redis_max_connections=4, redis_pool_wait_s=0.2)
    async with running_bot(settings, clock=FakeClock()) as bot:
        pool = bot.runtime.store.client.connection_pool
        held = await take_every_connection(pool)  # busy elsewhere (the pub/sub connection holds one)
        try:
            ready = await bot.client.get("/readyz")
            assert ready.status == 503
            assert (await ready.json())["store"] == "StoreBusy"
            chat = await bot.post_chat({"user_id": "u-2", "text": "你好"})
            assert chat.status == 503 and "Retry-After" in chat.headers
            # A connection freed within the wait is taken instead of failing.
            waiting = asyncio.ensure_future(bot.client.get("/readyz"))
            await eventually(lambda: asyncio.sleep(0, bool(pool._condition._waiters)), "/readyz to queue")
            await pool.release(held.pop())
            assert (await waiting).status == 200
        finally:
            for connection in held:
                await pool.release(connection)
        assert (await bot.post_chat({"user_id": "u-2", "text": "你好"})).status == 200


async def test_metrics_need_the_token_when_one_is_set(tmp_path: Path) -> None:
    async with running_bot(make_settings(tmp_path, metrics_token=TOKEN), clock=FakeClock()) as bot:
        assert (await bot.client.get("/metrics")).status == 401
        wrong = await bot.client.get("/metrics", headers={"Authorization": "Bearer not-the-token-at-all"})
        assert wrong.status == 401
        right = await bot.client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        assert right.status == 200
        assert "csbot_" in await right.text()


async def test_metrics_without_token_only_for_loopback_clients_not_relayed(tmp_path: Path) -> None:
    async with running_bot(make_settings(tmp_path), clock=FakeClock()) as bot:
        assert (await bot.client.get("/metrics")).status == 200
        relayed = await bot.client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
        assert relayed.status == 403
        assert "csbot_" not in await relayed.text()


async def _closed_within(reader: asyncio.StreamReader, seconds: float) -> bytes:
    """Everything the server sent before closing; fails if it keeps the connection open longer."""
    async with asyncio.timeout(seconds):
        return await reader.read()


async def test_unfinished_headers_are_cut_off(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, http_idle_timeout_s=0.3)
    async with running_bot(settings, clock=FakeClock()) as bot:
        reader, writer = await asyncio.open_connection(bot.server.host, bot.server.port)
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")  # and never the rest
        await writer.drain()
        assert await _closed_within(reader, 2.0) == b""
        writer.close()


async def test_unfinished_body_gets_408_and_the_connection_closes(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, http_body_timeout_s=0.3)
    async with running_bot(settings, clock=FakeClock()) as bot:
        reader, writer = await asyncio.open_connection(bot.server.host, bot.server.port)
        token = visitor_headers(bot.runtime, "u-3")["X-Visitor-Token"].encode()  # a stranger hears 401 unread
        writer.write(b"POST /api/webchat/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"X-Visitor-Token: " + token + b"\r\n"
                     b"Content-Length: 200\r\n\r\n{\"user_id\": ")  # 12 of the 200 bytes promised
        await writer.drain()
        answer = await _closed_within(reader, 2.0)
        assert answer.startswith(b"HTTP/1.1 408"), answer[:80]
        writer.close()
        # A body that arrives in time is served as before.
        assert (await bot.post_chat({"user_id": "u-3", "text": "你好"})).status == 200


async def test_readyz_and_messages_when_the_database_goes_away(tmp_path: Path, migrated_postgres_url: str) -> None:
    parts = urlsplit(migrated_postgres_url)
    proxy = TcpProxy(parts.hostname or "127.0.0.1", parts.port or 5432)
    await proxy.start()
    url = parts._replace(netloc=f"{parts.username}@127.0.0.1:{proxy.port}").geturl()
    async with running_bot(make_settings(tmp_path, database_url=url), clock=FakeClock()) as bot:
        assert (await bot.client.get("/readyz")).status == 200
        await proxy.cut()
        down = await bot.client.get("/readyz")
        assert down.status == 503
        assert (await down.json())["database"] != "ok"
        chat = await bot.post_chat({"user_id": "db-down", "text": "在吗"})
        assert chat.status == 503, await chat.text()
        assert "Retry-After" in chat.headers
