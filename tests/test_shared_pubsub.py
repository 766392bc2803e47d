"""Idle web-chat pages must not take the server down (issue 10, item 1).

Every open page holds a WebSocket subscribed to its visitor's topic. With a Redis connection per
socket, the pool (100 per worker) ran out after about a hundred pages and every further request got
a server error. Against the real app and a real Redis, several hundred idle pages stay connected
while other customers chat, a message published to one page reaches it, and the worker's Redis
connections stay few.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientSession, ClientWebSocketResponse, TCPConnector
from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.exceptions import TimeoutError as RedisTimeoutError

from bot.clock import FakeClock
from bot.store import redis_pubsub
from bot.store.base import KeyBuilder
from bot.store.redis import RedisStore
from tests.fakes.bot_app import RunningBot, eventually, make_settings, running_bot
from tests.redis_keys import run_key_prefix
from tests.redis_server import RedisServer

IDLE_PAGES = 300


async def open_page(pages: ClientSession, bot: RunningBot, user_id: str) -> ClientWebSocketResponse:
    return await pages.ws_connect(bot.url(bot.page_url(user_id)))


def pooled_connections(store: RedisStore) -> int:
    pool = store.client.connection_pool
    return len(pool._in_use_connections) + len(pool._available_connections)


async def test_hundreds_of_idle_pages_leave_the_chat_working(tmp_path: Path, redis_url: str) -> None:
    async with running_bot(make_settings(tmp_path, redis_url=redis_url), clock=FakeClock()) as bot:
        store = bot.runtime.store
        assert isinstance(store, RedisStore)
        visitors = [f"idle-{uuid.uuid4().hex[:12]}" for _ in range(IDLE_PAGES)]
        workers_own = store.hub.channels  # topics the worker itself listens to (learned intents)
        async with ClientSession(connector=TCPConnector(limit=0)) as browsers, AsyncExitStack() as pages:
            sockets = []
            for batch in range(0, IDLE_PAGES, 50):
                opened = await asyncio.gather(*(open_page(browsers, bot, user)
                                                for user in visitors[batch:batch + 50]))
                for ws in opened:
                    sockets.append(await pages.enter_async_context(ws))
            assert store.hub.channels == workers_own + IDLE_PAGES
            assert pooled_connections(store) <= bot.runtime.settings.redis_max_connections

            # Other customers still chat, concurrently.
            answers = await asyncio.gather(*(
                bot.post_chat({"user_id": f"active-{n}", "text": "什么时候发货呀"})
                for n in range(20)
            ))
            assert [answer.status for answer in answers] == [200] * 20

            # A message for one idle page (an agent's reply) reaches that page and no other.
            target = 137
            await bot.runtime.channels["webchat"].deliver(visitors[target], "您好，这里是人工客服")
            received = await asyncio.wait_for(sockets[target].receive(), 5)
            assert json.loads(received.data) == {"text": "您好，这里是人工客服"}
            for ws in (sockets[0], sockets[-1]):
                try:
                    extra = await asyncio.wait_for(ws.receive(), 0.05)
                except TimeoutError:
                    continue
                raise AssertionError(f"another page received {extra.data!r}")
        # Pages closed: the worker unsubscribes their topics.
        for _ in range(100):
            if store.hub.channels == workers_own:
                break
            await asyncio.sleep(0.02)
        assert store.hub.channels == workers_own


async def test_subscribers_share_one_connection_and_come_and_go_safely(redis_url: str) -> None:
    """Many subscribers of one topic joining and leaving at once never lose the ones that stay."""
    store = RedisStore.from_url(redis_url, FakeClock(), KeyBuilder(run_key_prefix()))
    try:
        async with store.subscribe("t") as staying:

            async def visit() -> None:
                async with store.subscribe("t", "u"):
                    await asyncio.sleep(0)

            await asyncio.gather(*(visit() for _ in range(50)))
            assert store.hub.channels == 1
            assert pooled_connections(store) <= 2  # the hub's, and at most one for commands
            await store.publish("t", {"n": 1})
            assert await asyncio.wait_for(anext(staying), 5) == {"n": 1}
        assert store.hub.channels == 0
    finally:
        await store.close()


async def test_subscription_survives_a_redis_restart(own_redis: RedisServer) -> None:
    clock = FakeClock()
    store = RedisStore.from_url(own_redis.url, clock, pool_wait_s=0.5, reconnect_backoff_s=0)
    try:
        async with store.subscribe("page") as events:
            own_redis.restart()

            heard = asyncio.ensure_future(anext(events))
            for attempt in range(200):  # the hub reconnects and re-subscribes after its pause, on the clock
                await clock.advance(redis_pubsub.RECONNECT_BACKOFF_S[1])
                try:
                    await store.publish("page", {"attempt": attempt})
                except store.unavailable:
                    pass
                if (await asyncio.wait([heard], timeout=0.05))[0]:
                    break
            assert "attempt" in heard.result()
    finally:
        await store.close()


async def test_a_message_that_is_not_one_of_ours_is_dropped_and_the_next_still_arrives(redis_url: str) -> None:
    """Anyone can PUBLISH on the shop's topics (an operator's redis-cli, another tool): a payload that
    is not a JSON object is dropped and an id that is not a string ignored; the worker's one reader
    goes on delivering to every subscriber."""
    store = RedisStore.from_url(redis_url, FakeClock(), KeyBuilder(run_key_prefix()))
    try:
        async with store.subscribe("console") as events:
            for raw in ("hi", "[1, 2]", '"text"', json.dumps({"_message_id": [1], "n": 0})):
                await store.client.publish(store.keys("topic", "console"), raw)
            await store.publish("console", {"n": 1})
            assert await asyncio.wait_for(anext(events), 5) == {"n": 0}  # an object: delivered, its odd id ignored
            assert await asyncio.wait_for(anext(events), 5) == {"n": 1}
    finally:
        await store.close()


class _PubSubFailingOnceMidReconnect(PubSub):
    """redis-py 8.1's own failure of a read that reconnects while another coroutine drops the
    connection: its handshake is written on a connection whose writer is gone. `closing_fails`: the
    reader's closing of that connection then fails too (redis-py's `disconnect` raises on a close that
    times out, and from its connection-closed hooks)."""

    failed: list[AttributeError]  # set per client by `_RedisWithAFailingRead`
    closing_fails: bool

    async def get_message(self, *args: Any, **kwargs: Any) -> Any:
        if not self.failed and self.subscribed:
            self.failed.append(AttributeError("'NoneType' object has no attribute 'writelines'"))
            if self.closing_fails and self.connection is not None:
                self.connection.disconnect = _fails_once(self.connection)  # type: ignore[method-assign]
            raise self.failed[0]
        return await super().get_message(*args, **kwargs)


def _fails_once(connection: Any) -> Any:
    disconnect = connection.disconnect

    async def failing(*args: Any, **kwargs: Any) -> None:
        connection.disconnect = disconnect
        raise RedisTimeoutError("Timed out closing connection after 5")

    return failing


class _RedisWithAFailingRead(Redis):
    failed: list[AttributeError]
    closing_fails: bool

    def pubsub(self, **kwargs: Any) -> PubSub:
        pubsub = _PubSubFailingOnceMidReconnect(self.connection_pool, **kwargs)
        pubsub.failed, pubsub.closing_fails = self.failed, self.closing_fails
        return pubsub


@pytest.mark.parametrize("closing", ["closed", "failing to close"])
async def test_the_reader_outlives_a_failure_of_redis_py_that_is_no_connection_error(
        redis_url: str, closing: str, caplog: pytest.LogCaptureFixture) -> None:
    """The worker's one reader takes any failure of a read as a lost connection: ended, it would leave
    every page and console of the worker without news until a restart (seen in the suite: an
    AttributeError from redis-py's reconnect). Its closing of the broken connection failing as well
    ended it too."""
    client = _RedisWithAFailingRead.from_url(redis_url, decode_responses=True)
    client.failed, client.closing_fails = [], closing == "failing to close"
    clock = FakeClock()
    store = RedisStore(client, clock, KeyBuilder(run_key_prefix()), confirm_wait_s=5.0)
    waited_out = PausesWaitedOut(clock, caplog)

    async def the_failed_read() -> bool:
        return len(await waited_out()) == 1

    try:
        with caplog.at_level(logging.WARNING, logger="csbot.store"):
            # the read that fails is the one of the confirmation: the subscriber waits through the pause
            subscribing = asyncio.ensure_future(store.subscribe("news").start())
            await eventually(the_failed_read, "the failed read")
            async with await subscribing as events:
                publishing = asyncio.create_task(_publish_until_cancelled(store))  # news in the pause is lost
                try:
                    assert await asyncio.wait_for(anext(events), 5) == {"n": 1}
                finally:
                    publishing.cancel()
                    await asyncio.gather(publishing, return_exceptions=True)
        assert len(client.failed) == 1
    finally:
        await store.close()


class _PubSubFailingAfterEachConfirmation(PubSub):
    """A failure of redis-py's own that comes back on every connection: the read after a subscription's
    confirmation fails, `failures` times in a row (the last at the loop's `failed_at`)."""

    failures: int
    clock: FakeClock  # the reader's
    confirmations = 0
    failed_at = 0.0
    _fail_next = False

    async def get_message(self, *args: Any, **kwargs: Any) -> Any:
        if self._fail_next and self.failures:
            self._fail_next, self.failures = False, self.failures - 1
            self.failed_at = self.clock.monotonic()
            raise AttributeError("'NoneType' object has no attribute 'writelines'")
        message = await super().get_message(*args, **kwargs)
        self._fail_next = message is not None and message["type"] == "subscribe"
        self.confirmations += self._fail_next
        return message


class _RedisFailingAfterEachConfirmation(Redis):
    failures: int
    clock: FakeClock
    made: _PubSubFailingAfterEachConfirmation

    def pubsub(self, **kwargs: Any) -> PubSub:
        self.made = _PubSubFailingAfterEachConfirmation(self.connection_pool, **kwargs)
        self.made.failures, self.made.clock = self.failures, self.clock
        return self.made


def failing_after_each_confirmation(redis_url: str,
                                    failures: int) -> tuple[RedisStore, _RedisFailingAfterEachConfirmation]:
    """A store whose reader's read after each confirmation fails `failures` times, on a FakeClock."""
    client = _RedisFailingAfterEachConfirmation.from_url(redis_url, decode_responses=True)
    client.failures, client.clock = failures, FakeClock()
    return RedisStore(client, client.clock, KeyBuilder(run_key_prefix()), confirm_wait_s=5.0), client


class PausesWaitedOut:
    """Each pause the reader logs (`_pauses`) waited out on its clock, as soon as it is logged: time moves
    only for the pauses (the reader's first read after one comes at once, as after a real one)."""

    def __init__(self, clock: FakeClock, caplog: pytest.LogCaptureFixture) -> None:
        self.clock, self.caplog, self.waited = clock, caplog, 0

    async def __call__(self) -> list[float]:
        pauses = _pauses(self.caplog)
        for pause in pauses[self.waited:]:
            await self.clock.advance(pause)
        self.waited = len(pauses)
        return pauses


async def test_a_failure_back_on_every_reconnect_backs_off_longer_each_time(
        redis_url: str, caplog: pytest.LogCaptureFixture) -> None:
    """The reader's pause between reconnections grows while no news comes through: a reconnect's own
    re-subscription confirmed is no proof (it came before every failure), and taken for one, it kept the
    reader reconnecting and logging ten times a second for as long as the failure lasted."""
    store, client = failing_after_each_confirmation(redis_url, 4)
    waited_out = PausesWaitedOut(client.clock, caplog)

    async def four_failed_reads() -> bool:
        return len(await waited_out()) == 4

    try:
        with caplog.at_level(logging.WARNING, logger="csbot.store"):
            async with store.subscribe("news") as events:
                await eventually(four_failed_reads, "four failed reads")
                # news published while the reader pauses is lost (pub/sub keeps none): sent until one comes
                publishing = asyncio.create_task(_publish_until_cancelled(store))
                try:
                    assert await asyncio.wait_for(anext(events), 5) == {"n": 1}
                finally:
                    publishing.cancel()
                    await asyncio.gather(publishing, return_exceptions=True)
        shortest = redis_pubsub.RECONNECT_BACKOFF_S[0]
        assert _pauses(caplog) == [shortest, 2 * shortest, 4 * shortest, 8 * shortest]
    finally:
        await store.close()


async def test_a_new_failure_after_a_connection_that_held_starts_from_the_shortest_pause(
        redis_url: str, caplog: pytest.LogCaptureFixture) -> None:
    """A quiet worker (no news read) whose connection held, failing again, reconnects at the shortest
    pause: the back-off counts failures that follow each other, not those of an outage long gone (news
    published while it pauses is lost)."""
    shortest, longest = redis_pubsub.RECONNECT_BACKOFF_S
    store, client = failing_after_each_confirmation(redis_url, 3)
    waited_out = PausesWaitedOut(client.clock, caplog)

    async def reconnected() -> bool:
        await waited_out()
        return client.made.confirmations == 4

    async def four_failed_reads() -> bool:
        return len(await waited_out()) == 4

    async def both_subscribed_again() -> bool:  # news 1 + 3 again, other 1, both again after the fourth
        await waited_out()
        return client.made.confirmations == 7

    try:
        with caplog.at_level(logging.WARNING, logger="csbot.store"):
            async with store.subscribe("news"):
                await eventually(reconnected, "three failures, then a reconnection")
                await client.clock.advance(3 * longest)  # the connection holds: past twice the longest pause
                client.made.failures = 1  # the read after the next confirmation fails: no news read
                async with store.subscribe("other"):
                    await eventually(four_failed_reads, "a fourth failed read")
                    pauses = _pauses(caplog)
                    await eventually(both_subscribed_again, "the reader reconnected")  # left only then
        assert pauses == [shortest, 2 * shortest, 4 * shortest, shortest]
    finally:
        await store.close()


def _pauses(caplog: pytest.LogCaptureFixture) -> list[float]:
    return [record.args[1] for record in caplog.records
            if record.msg.startswith("pub/sub connection lost") and isinstance(record.args, tuple)]


async def _publish_until_cancelled(store: RedisStore) -> None:
    while True:
        await store.publish("news", {"n": 1})
        await asyncio.sleep(0.01)
