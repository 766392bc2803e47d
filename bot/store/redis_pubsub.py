"""One Redis pub/sub connection per worker, fanned out to every subscriber in the process.

Each open web-chat page and agent console subscribes to its topics for as long as it is open. With
a Redis connection per subscriber, a few hundred idle pages took every pooled connection and every
other request failed. The hub keeps one `PubSub` connection for the worker: a topic is subscribed
on Redis when its first local subscriber arrives and unsubscribed when its last one leaves, and one
reader task hands each message to the local subscribers' queues.

"Subscribed" keeps its meaning from `Store.subscribe`: a subscriber is let in only once Redis has
confirmed its topics, so a message published afterwards reaches it. Redis answers SUBSCRIBE in
order on the one connection, so a topic is confirmed once as many confirmations came back as
SUBSCRIBEs were sent for it. After a lost connection redis-py reconnects and re-subscribes every
topic still held; messages published while the connection was down are lost, as with any Redis
pub/sub. A subscriber that does not keep up loses events beyond its queue rather than growing the
worker's memory.

A message may reach Redis twice: the store sends a command again when its connection failed after
sending it (`RedisStore._command`), and PUBLISH is not refused the second time. Rather than not
sending it again (which could lose a message that never ran: learned examples must reach every
worker), each published message carries its own id (`MESSAGE_ID`, added by `envelope`), and the hub
hands a message on once: an id seen among the last `REMEMBERED_IDS` messages is dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
from collections import Counter, OrderedDict
from collections.abc import AsyncGenerator, Iterable, Mapping
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.background import stop_task
from bot.clock import Clock
from bot.ids import unique_id
from bot.store.base import StoreUnavailable

log = logging.getLogger("csbot.store")

QUEUE_SIZE = 256  # events waiting for one slow subscriber before newer ones are dropped
RECONNECT_BACKOFF_S = (0.1, 5.0)  # first and longest pause between reconnection attempts

MESSAGE_ID = "_message_id"  # the key of a published message's own id, taken out before subscribers see it
REMEMBERED_IDS = 4096  # recent message ids a worker remembers to drop a message sent twice

Queue = asyncio.Queue[str]


def envelope(payload: Mapping[str, Any]) -> str:
    """What `RedisStore.publish` sends: the payload with an id of its own, as JSON."""
    return json.dumps({**payload, MESSAGE_ID: unique_id()}, ensure_ascii=False)


class PubSubHub:
    def __init__(self, client: Redis, confirm_wait_s: float, clock: Clock) -> None:
        """`clock` times the reader's pauses between reconnections (`_read`)."""
        self._pubsub = client.pubsub()
        self._clock = clock
        self._confirm_wait_s = confirm_wait_s
        self._queues: dict[str, set[Queue]] = {}
        self._unconfirmed: Counter[str] = Counter()  # SUBSCRIBEs sent and not yet answered
        self._confirmed: dict[str, asyncio.Future[None]] = {}  # channels awaiting their answer
        self._commands = asyncio.Lock()  # one SUBSCRIBE/UNSUBSCRIBE at a time keeps the counts exact
        self._reader: asyncio.Task[None] | None = None
        self._seen: OrderedDict[str, None] = OrderedDict()  # recent message ids, oldest first

    @property
    def channels(self) -> int:
        """How many channels this worker is subscribed to (for tests and diagnostics)."""
        return len(self._queues)

    async def listen(self, channels: Iterable[str]) -> AsyncGenerator[dict[str, Any] | None, None]:
        """The events generator behind `Subscription`: `None` once subscribed, then payloads."""
        wanted = set(channels)
        queue: Queue = asyncio.Queue(maxsize=QUEUE_SIZE)
        await self._join(wanted, queue)
        try:
            yield None
            while True:
                payload = json.loads(await queue.get())  # each subscriber its own copy
                payload.pop(MESSAGE_ID, None)
                yield payload
        finally:
            await self._leave(wanted, queue)

    async def _join(self, channels: set[str], queue: Queue) -> None:
        async with self._commands:
            new = sorted(channel for channel in channels if channel not in self._queues)
            for channel in channels:
                self._queues.setdefault(channel, set()).add(queue)
            if new:
                loop = asyncio.get_running_loop()
                for channel in new:
                    self._unconfirmed[channel] += 1
                    self._confirmed.setdefault(channel, loop.create_future())
                try:
                    await self._pubsub.subscribe(*new)
                except BaseException:
                    self._forget(channels, queue)
                    for channel in new:
                        self._abandon(channel)
                    raise
                if self._reader is None or self._reader.done():
                    self._reader = asyncio.create_task(self._read(), name="store-pubsub")
            pending = [self._confirmed[channel] for channel in channels if channel in self._confirmed]
        try:
            async with asyncio.timeout(self._confirm_wait_s):
                await asyncio.gather(*(asyncio.shield(future) for future in pending))
        except BaseException as exc:
            await self._leave(channels, queue)
            if isinstance(exc, TimeoutError):
                raise StoreUnavailable("Redis did not confirm a subscription in time") from exc
            raise

    def _forget(self, channels: set[str], queue: Queue) -> list[str]:
        """Remove `queue` from `channels`; returns the channels nobody in this worker listens to now."""
        gone = []
        for channel in channels:
            queues = self._queues.get(channel)
            if queues is None:
                continue
            queues.discard(queue)
            if not queues:
                del self._queues[channel]
                gone.append(channel)
        return gone

    async def _leave(self, channels: set[str], queue: Queue) -> None:
        async with self._commands:
            gone = self._forget(channels, queue)
            if gone:
                try:
                    await self._pubsub.unsubscribe(*gone)
                except Exception as exc:
                    # the connection is down, or being replaced by the reader (the failures `_read`
                    # explains); its replacement re-subscribes held topics only
                    log.warning("pub/sub unsubscribe failed: %s", type(exc).__name__)

    def _answered(self, channel: str) -> None:
        """Count one SUBSCRIBE answered; the channel is confirmed when none is outstanding."""
        if self._unconfirmed[channel] <= 0:
            return  # a re-subscription after a reconnect
        self._unconfirmed[channel] -= 1
        if self._unconfirmed[channel] == 0:
            del self._unconfirmed[channel]
            future = self._confirmed.pop(channel, None)
            if future is not None and not future.done():
                future.set_result(None)

    def _abandon(self, channel: str) -> None:
        """Un-count a SUBSCRIBE that was never sent."""
        self._unconfirmed[channel] -= 1
        if self._unconfirmed[channel] <= 0:
            del self._unconfirmed[channel]
            future = self._confirmed.pop(channel, None)
            if future is not None:
                future.cancel()

    async def _read(self) -> None:
        """The worker's one reader of every topic, for as long as the hub lives. Its pauses between
        reconnections double up to the longest while failures follow each other, and start again from
        the shortest only once a connection held for twice the longest pause: every reconnect reads its
        re-subscriptions' confirmations first, so a read that succeeds proves nothing, and a failure
        coming back after each (a persistent one of redis-py's own) would otherwise reconnect and log
        ten times a second for as long as it lasts. Read by time, not by news, so a quiet worker's next
        outage, hours later, begins with the shortest pause again (news published meanwhile is lost)."""
        pause, failed_at = RECONNECT_BACKOFF_S[0], -math.inf
        while True:
            try:
                message = await self._pubsub.get_message(timeout=None)
            except Exception as exc:
                # Any failure of the read is taken as a lost connection: a reader that ended would
                # leave the worker's pages and consoles without news until a restart. Besides
                # RedisError and OSError, redis-py fails in its own ways mid-reconnect: a RuntimeError
                # for a stream left mid-read by a cancelled reconnect ("readuntil() called while
                # another coroutine is already waiting"), an AttributeError for a handshake written on
                # a connection disconnected meanwhile (8.1: `_writer` None). Such a connection is
                # unusable like a lost one; drop it so the next read reconnects and re-subscribes.
                # Dropping it may fail too (redis-py raises on a close that times out, and from its
                # connection-closed hooks): that must not end the reader either; the read after the
                # pause fails on what is left, or finds it usable.
                if not isinstance(exc, (RedisError, OSError)) and self._pubsub.connection is not None:
                    with contextlib.suppress(Exception):
                        await self._pubsub.connection.disconnect(nowait=True)
                if self._clock.monotonic() - failed_at > 2 * RECONNECT_BACKOFF_S[1]:  # after a connection that held
                    pause = RECONNECT_BACKOFF_S[0]
                failed_at = self._clock.monotonic()
                log.warning("pub/sub connection lost (%s); reconnecting in %.1f s", type(exc).__name__, pause)
                await self._clock.sleep(pause)
                pause = min(pause * 2, RECONNECT_BACKOFF_S[1])
                continue
            if message is None:
                continue
            if message["type"] == "message":
                self._deliver(message["channel"], message["data"])
            elif message["type"] == "subscribe":
                self._answered(message["channel"])

    def _deliver(self, channel: str, data: str) -> None:
        queues = self._queues.get(channel)
        if not queues:
            return
        try:
            payload = json.loads(data)
        except ValueError:
            payload = None
        if not isinstance(payload, dict):  # not ours (an operator's PUBLISH, another tool): the reader goes on
            log.warning("a published message is not a JSON object; dropped")  # topics may name a customer
            return
        message_id = payload.get(MESSAGE_ID)
        if isinstance(message_id, str):
            if message_id in self._seen:
                log.info("a published message reached Redis twice (sent again after a lost reply); dropped")
                return
            self._seen[message_id] = None
            if len(self._seen) > REMEMBERED_IDS:
                self._seen.popitem(last=False)
        for queue in queues:
            try:
                queue.put_nowait(data)
            except asyncio.QueueFull:
                log.warning("a subscriber is %d events behind; dropping one", QUEUE_SIZE)  # (not its topic)

    async def close(self) -> None:
        if self._reader is not None:
            await stop_task(self._reader)
        await self._pubsub.aclose()
