"""`StoreUnavailable` says what failed in our own words (bot/store/base.py): logs carry its text
(bot/logs.py `describe_failure`), so it never quotes redis-py's, which can name what the command
carried; redis-py's error stays chained as its cause. Real sockets on 127.0.0.1: a port nobody
listens on, and a server that answers the handshake and then nothing."""

from __future__ import annotations

import asyncio
import socket

import pytest
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from bot.clock import FakeClock
from bot.logs import describe_failure
from bot.store.base import StoreUnavailable
from bot.store.redis import RECONNECT_RETRIES, RedisStore, WaitingPool

KEY = "state:wechat:o6_bmjrPTlm6_2sgVt7hMZOPfL2M"  # names a customer


def store_at(port: int) -> RedisStore:
    pool = WaitingPool.from_url(f"redis://127.0.0.1:{port}/0", decode_responses=True, socket_timeout=0.2,
                                socket_connect_timeout=0.2, retry=Retry(NoBackoff(), RECONNECT_RETRIES))
    return RedisStore(Redis.from_pool(pool), FakeClock())


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_redis_unreachable_is_told_in_our_words_with_redis_pys_error_as_its_cause() -> None:
    port = free_port()
    store = store_at(port)
    try:
        with pytest.raises(StoreUnavailable) as raised:
            await store.get(KEY)
    finally:
        await store.close()
    assert str(raised.value) == "Redis unreachable (ConnectionError)"
    assert isinstance(raised.value.__cause__, RedisConnectionError) and str(port) in str(raised.value.__cause__)
    assert str(port) not in describe_failure(raised.value)


async def test_redis_not_answering_is_told_in_our_words_with_redis_pys_error_as_its_cause() -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while data := await reader.read(65536):
            if b"GET" not in data:  # the connection's greeting (HELLO 3, CLIENT ...) is answered
                writer.write(b"%1\r\n$5\r\nproto\r\n:3\r\n" if b"HELLO" in data else b"+OK\r\n")
        writer.close()

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    store = store_at(server.sockets[0].getsockname()[1])
    try:
        with pytest.raises(StoreUnavailable) as raised:
            await store.get(KEY)
    finally:
        await store.close()
        server.close()
    assert str(raised.value) == "Redis did not answer GET in time"
    assert isinstance(raised.value.__cause__, RedisTimeoutError)
