"""What one bot worker sends to PostgreSQL and Redis, counted in process for `webhook.py --production`.

The counts come from the client libraries' own entry points, so nothing is estimated:
- SQL statements: every call of asyncpg's `Connection.execute/executemany/fetch/fetchrow/fetchval`
  (BEGIN and COMMIT included: they are round trips too). Statements run inside a group-commit batch
  (`PostgresBatchWriter.write`) are counted apart, with the number of batches, since the issue counts a
  batch once however many messages share it; so are those of `Recorder.identify` (a customer's first
  message to a worker looks up, or creates, the customer and the conversation), with the number of
  such first sights;
- Redis: every command packed by redis-py (`pack_command`, pipelines included) or by the Redis store's
  own `pack_command`, and every write to a socket (`send_packed_command`, and the Redis store's own
  `send_at_once`: a pipeline is one round trip);
- messages: calls of `Dispatcher.handle`.

Redis commands sent by the background tasks (the scheduler's ticker, which costs the same per
second whatever the traffic, and the WeChat lease heartbeat) are also counted apart
(`redis_background_commands`).

Each worker writes its totals to `<directory>/counters-<pid>.json` every `DUMP_EVERY_S` and when it stops
(once a second: ten writes a second cost a loaded worker a few percent of its samples);
the bench reads the files before and after the measured window and divides the deltas.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import json
import os
from collections import Counter
from pathlib import Path

from aiohttp import web

COUNTS: Counter[str] = Counter()
_IN_BATCH = contextvars.ContextVar("in_batch", default=False)
_IN_BACKGROUND = contextvars.ContextVar("in_background", default=False)
_IN_IDENTIFY = contextvars.ContextVar("in_identify", default=False)
#: Inside the Redis store's `send_at_once`, already counted: the write (or drain) it hands to redis-py is not another.
_IN_SEND_AT_ONCE = contextvars.ContextVar("in_send_at_once", default=False)
_installed = False
#: How often a worker rewrites its counter file; the bench waits longer than this around a window.
DUMP_EVERY_S = 1.0


def _counting(function, name: str):
    @functools.wraps(function)
    async def wrapper(*args, **kwargs):
        COUNTS["pg_batch_statements" if _IN_BATCH.get() else name] += 1
        COUNTS["pg_identify_statements"] += _IN_IDENTIFY.get()
        return await function(*args, **kwargs)

    return wrapper


def _count_command(name: object) -> None:
    COUNTS["redis_commands"] += 1
    COUNTS["redis_background_commands"] += _IN_BACKGROUND.get()
    COUNTS[f"redis:{str(name).upper()}"] += 1


def _patch() -> None:
    global _installed
    if _installed:
        return
    _installed = True
    import asyncpg.connection
    import redis.asyncio.connection

    from bot.batch_writer import PostgresBatchWriter
    from bot.channels.wechat_dedupe import Deliveries
    from bot.dispatcher import Dispatcher
    from bot.recorder import Recorder
    from bot.scheduler import Scheduler

    for method in ("execute", "executemany", "fetch", "fetchrow", "fetchval"):
        setattr(asyncpg.connection.Connection, method,
                _counting(getattr(asyncpg.connection.Connection, method), "pg_statements"))

    write = PostgresBatchWriter.write

    async def batch_write(self, batch):
        COUNTS["pg_batches"] += 1
        token = _IN_BATCH.set(True)
        try:
            return await write(self, batch)
        finally:
            _IN_BATCH.reset(token)

    PostgresBatchWriter.write = batch_write

    identify = Recorder.identify

    async def counted_identify(self, channel, user_id):
        known = f"{channel}:{user_id}" in self._identities
        COUNTS["first_sights"] += not known  # a customer this worker has not seen yet
        token = _IN_IDENTIFY.set(True)
        try:
            return await identify(self, channel, user_id)
        finally:
            _IN_IDENTIFY.reset(token)

    Recorder.identify = counted_identify

    connection = redis.asyncio.connection.Connection
    pack_command, send_packed = connection.pack_command, connection.send_packed_command

    def counted_pack(self, *args):
        _count_command(args[0])
        return pack_command(self, *args)

    async def counted_send(self, command, check_health=True):
        COUNTS["redis_round_trips"] += not _IN_SEND_AT_ONCE.get()
        token = _IN_SEND_AT_ONCE.set(False)  # a reconnect's own commands in there are round trips of their own
        try:
            return await send_packed(self, command, check_health)
        finally:
            _IN_SEND_AT_ONCE.reset(token)

    connection.pack_command, connection.send_packed_command = counted_pack, counted_send

    import bot.store.redis as redis_store

    if hasattr(redis_store, "pack_command"):  # the store's lean path packs its commands itself
        pack_lean = redis_store.pack_command

        def counted_pack_lean(*args):
            _count_command(args[0])
            return pack_lean(*args)

        redis_store.pack_command = counted_pack_lean

    if hasattr(redis_store, "send_at_once"):  # the store's lean path writes to the socket itself
        send_at_once = redis_store.send_at_once

        async def counted_send_at_once(connection, packed):
            COUNTS["redis_round_trips"] += 1
            token = _IN_SEND_AT_ONCE.set(True)
            try:
                return await send_at_once(connection, packed)
            finally:
                _IN_SEND_AT_ONCE.reset(token)

        redis_store.send_at_once = counted_send_at_once

    handle = Dispatcher.handle

    async def counted_handle(self, inbound, max_bytes=2000, **options):
        COUNTS["messages"] += 1
        return await handle(self, inbound, max_bytes, **options)

    Dispatcher.handle = counted_handle

    for owner, name in ((Scheduler, "_run"), (Deliveries, "_renew_forever")):
        setattr(owner, name, _in_background(getattr(owner, name)))


def _in_background(loop):
    """A background task's coroutine that marks its commands (the task has its own context)."""

    @functools.wraps(loop)
    async def marked(self):
        _IN_BACKGROUND.set(True)
        return await loop(self)

    return marked


def install(app: web.Application, directory: Path) -> None:
    _patch()
    path = directory / f"counters-{os.getpid()}.json"

    def dump() -> None:
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(COUNTS))
        temporary.replace(path)

    async def writer(app: web.Application):
        async def every_second() -> None:
            while True:
                dump()
                await asyncio.sleep(DUMP_EVERY_S)

        task = asyncio.create_task(every_second())
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        dump()

    app.cleanup_ctx.append(writer)


def read_all(directory: Path) -> Counter[str]:
    """The sum of every worker's latest totals."""
    total: Counter[str] = Counter()
    for path in directory.glob("counters-*.json"):
        with contextlib.suppress(ValueError, OSError):
            total.update(json.loads(path.read_text()))
    return total
