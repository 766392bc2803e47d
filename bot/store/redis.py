"""The Redis store: what several workers (or a restarted one) share.

WeChat re-posts an unanswered message to whichever worker the load balancer picks, a conversation's
lock must hold across processes, and an SLA deadline set by one worker must fire on another after a
restart; Redis gives all of that with single commands. Uses `redis.asyncio` (redis-py), not the
abandoned `aioredis`.

Two notions of time meet here. Deadlines are scores in a sorted set holding epoch seconds from the
injected clock (`clock.time()`), so `pop_due(kind, clock.time())` behaves the same under a
`FakeClock`. TTLs and lock leases are Redis' own (PX, in milliseconds) and run on real time: a
`FakeClock` does not expire them, which is why the contract tests check `PTTL` on Redis and real
expiry on the memory store. Lock waits are real time too (redis-py polls every `lock_poll` s).

Connections come from a bounded pool (`max_connections` per worker): a caller finding every
connection busy waits up to `pool_wait_s` and then gets `StoreBusy`, which the app answers with 503
and Retry-After instead of a server error. Pub/sub takes one connection per worker however many
pages are open (`bot.store.redis_pubsub`).

Value keys (`claim`, `get`, `set`, `delete`, `incr`) are used as given: build them with
`store.keys(...)` so that every key carries the prefix. State, locks, deadlines and topics are
named by the store itself.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.commands.core import AsyncScript
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import DataError, LockError, NoScriptError, ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from bot.clock import Clock
from bot.errors import ConfigError
from bot.ids import unique_id
from bot.store.base import (
    CLAIMED,
    CLAIMS_MEMORY_BEGAN,
    Batch,
    Claim,
    Claimed,
    HeldConversation,
    HoldRequest,
    KeyBuilder,
    Lease,
    LockTimeout,
    Store,
    StoreBusy,
    StoreUnavailable,
    Subscription,
    TakenConversation,
    Write,
)
from bot.store.keys import LEASE_SEPARATOR, deadline_lease
from bot.store.redis_pubsub import PubSubHub, envelope

log = logging.getLogger("csbot.store")

#: Claims use `SET ... NX GET`, which came with Redis 7.0: an older server refuses every claim.
MIN_REDIS_VERSION = (7, 0)


def require_redis_version(info_server: str) -> None:
    """Refuse to start on a Redis older than `MIN_REDIS_VERSION`, given its `INFO server` text: one
    clear line at start-up rather than a server error on every message."""
    fields = dict(line.partition(":")[::2] for line in info_server.splitlines() if ":" in line)
    version = fields.get("redis_version", "").strip()
    try:
        found = tuple(int(part) for part in version.split(".")[:2])
    except ValueError:
        found = ()
    if len(found) < len(MIN_REDIS_VERSION):
        raise ConfigError(f"invalid setting REDIS_URL: the server does not say its Redis version ({version!r})")
    if found < MIN_REDIS_VERSION:
        needed = ".".join(map(str, MIN_REDIS_VERSION))
        raise ConfigError(f"invalid setting REDIS_URL: Redis {version} is too old; "
                          f"csbot needs Redis {needed} or newer (claims use SET NX GET)")

# Remove and return the members due (score <= ARGV[1], at most ARGV[2]) of every key at once: one list
# per key, in KEYS' order. One ZREM per member: nothing can fail half-way (an unpack of thousands of
# members would, after earlier keys' removals had run). KEYS[1] is the call's receipt: what it popped
# is kept there a while, so the script sent again after its reply was lost (`RedisStore._command`)
# answers the same members instead of the rest, which would lose those deadlines. Atomic: two workers
# popping at once never both get a member. With a lease (ARGV[4], its due time, not empty), the last key
# is the leases' sorted set, not popped, and each member popped of KEYS[i] whose kind ARGV[5 + i] is not
# empty is leased there in the same step as `deadline_lease` names it: its kind, the separator (ARGV[5]),
# the member, the separator, the taker (ARGV[6]). Sent again, the receipt answers and nothing is leased
# again (a cancel since removed the lease: it stays removed).
_POP_DUE_KINDS = """
local kept = redis.call('GET', KEYS[1])
if kept then
    return cjson.decode(kept)
end
local last, leases = #KEYS, nil
if ARGV[4] ~= '' then
    last, leases = #KEYS - 1, KEYS[#KEYS]
end
local popped, any = {}, false
for i = 2, last do
    local members = redis.call('ZRANGEBYSCORE', KEYS[i], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
    local kind = leases and ARGV[5 + i]
    for _, member in ipairs(members) do
        redis.call('ZREM', KEYS[i], member)
        if kind and kind ~= '' then
            redis.call('ZADD', leases, ARGV[4], kind .. ARGV[5] .. member .. ARGV[5] .. ARGV[6])
        end
        any = true
    end
    popped[i - 1] = members
end
if any then
    redis.call('SET', KEYS[1], cjson.encode(popped), 'EX', ARGV[3])
end
return popped
"""

#: How long a receipt is kept for the same call sent again after a lost reply (seconds): a tick's popped
#: deadlines, a release, an added deadline. A re-send comes within the reconnecting retries' back-off.
RECEIPT_TTL_S = 60


#: A pooled connection found dead (Redis restarted) is reconnected and the command sent again this many
#: times, with a short back-off, before the caller sees the failure.
RECONNECT_RETRIES = 3
#: The back-off's first wait (seconds), doubling at each retry up to half the pool wait
#: (`REDIS_RECONNECT_BACKOFF_S`; 0: each retry at once, as the tests that cut Redis away have it).
RECONNECT_BACKOFF_S = 0.05
# Take the lock (as redis-py's Lock does: SET NX PX with a token) and, if taken, read the state and
# the extra keys in the same command: one round trip where three were. A lock already holding this
# token is taken (the script sent again after its reply was lost, `RedisStore._command`).
_LOCK_AND_READ = """
local holder = redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2], 'GET')
if holder and holder ~= ARGV[1] then
    return {0}
end
local values = {1}
for i = 2, #KEYS do
    values[i] = redis.call('GET', KEYS[i])
end
return values
"""
# Write the state (when ARGV[2] is not empty) and the extra values (KEYS[4..], each with a value
# and a TTL in ms or '' in ARGV[4..]), and release the lock if this token still holds it; returns 1
# when it did (0: the lease ran out while held). KEYS[3] is the call's receipt, named by the lock
# token, holding that answer: the script sent again after its reply was lost (`RedisStore._command`)
# finds it and answers the same without writing again (writing again could overwrite what the
# conversation's next holder saved since, whether or not the first run still held the lock).
_WRITE_AND_RELEASE = """
local function put(key, value, ms)
    if ms ~= '' then
        redis.call('SET', key, value, 'PX', ms)
    else
        redis.call('SET', key, value)
    end
end
local done = redis.call('GET', KEYS[3])
if done then
    return tonumber(done)
end
if ARGV[2] ~= '' then
    put(KEYS[2], ARGV[2], ARGV[3])
end
for i = 4, #KEYS do
    put(KEYS[i], ARGV[2 * i - 4], ARGV[2 * i - 3])
end
local released = 0
if redis.call('GET', KEYS[1]) == ARGV[1] then
    redis.call('DEL', KEYS[1])
    released = 1
end
redis.call('SET', KEYS[3], released, 'EX', {ttl})
return released
""".replace("{ttl}", str(RECEIPT_TTL_S))

# `ZADD NX` whose answer holds when sent again: KEYS[1] the deadlines, KEYS[2] the call's receipt,
# ARGV[1] the due time, ARGV[2] the member. Returns 1 when this call added the member: the script sent
# again after its reply was lost (`RedisStore._command`) finds its receipt and answers 1 again, where
# a plain `ZADD NX` would answer 0 (someone else scheduled it).
_SCHEDULE_IF_ABSENT = """
if redis.call('EXISTS', KEYS[2]) == 1 then
    return 1
end
local added = redis.call('ZADD', KEYS[1], 'NX', ARGV[1], ARGV[2])
if added == 1 then
    redis.call('SET', KEYS[2], '1', 'EX', {ttl})
end
return added
""".replace("{ttl}", str(RECEIPT_TTL_S))

# `INCR` whose count holds when sent again: KEYS[1] the counter, KEYS[2] the call's receipt, ARGV[1]
# the counter's TTL in ms ('' for none; set only when the counter is created), ARGV[2] the receipt's
# TTL in s. The script sent again after its reply was lost (`RedisStore._command`) answers the count
# its first run made instead of adding one more (a WeChat push budget of 5 per 48 h spent twice).
_INCR_ONCE = """
local counted = redis.call('GET', KEYS[2])
if counted then
    return tonumber(counted)
end
if ARGV[1] ~= '' then
    redis.call('SET', KEYS[1], 0, 'NX', 'PX', ARGV[1])
end
local value = redis.call('INCR', KEYS[1])
redis.call('SET', KEYS[2], value, 'EX', ARGV[2])
return value
"""

# Store.delete_if_holding in one command. KEYS: the keys; ARGV: the value each must hold to be deleted.
# Returns the keys left holding another value (1-based indexes, as the keys are the caller's).
_DELETE_IF_HOLDING = """
local kept = {}
for i, key in ipairs(KEYS) do
    local current = redis.call('GET', key)
    if current == ARGV[i] then
        redis.call('DEL', key)
    elseif current then
        kept[#kept + 1] = i
    end
end
return kept
"""

# Store.claim_in_order in one command. KEYS: the claims' keys, then their "claimed" markers (one per
# claim; used only for remembered ones), then the writes' keys, then the memory-began key, then (with
# a hold) the conversation's lock and state keys and the keys read with them. ARGV[1]: JSON
# {"claims": [[value, ttl ms, same value passes (0/1), remember ms or 0]...], "writes": [[value,
# ttl ms or 0]...], "now": epoch s, "hold": [lock token, lease ms] or absent}. Returns {refused index
# (0: none), its value, first time (0/1), memory began (epoch s), lock taken (0/1), then the state and
# the keys' values when it was}: the lock as `_LOCK_AND_READ` takes it. Sent again after a lost reply
# (`RedisStore._command`), the script finds its own first run's values: a claim holding its own value
# (with same_value_passes), a marker holding the claim's value and a lock holding this token count as
# taken by this caller. (SET NX GET: Redis >= 7.0.)
_CLAIM_IN_ORDER = """
local spec = cjson.decode(ARGV[1])
local n = #spec.claims
for i, claim in ipairs(spec.claims) do
    local current = redis.call('SET', KEYS[i], claim[1], 'NX', 'PX', claim[2], 'GET')
    if current then
        if not (claim[3] == 1 and current == claim[1]) then
            return {i, current, 0, 0}
        end
    end
end
local first = 1
for i, claim in ipairs(spec.claims) do
    if claim[4] > 0 then
        local marker = redis.call('SET', KEYS[n + i], claim[1], 'NX', 'PX', claim[4], 'GET')
        if marker and marker ~= claim[1] then
            first = 0
        end
    end
end
for i, write in ipairs(spec.writes) do
    if write[2] > 0 then
        redis.call('SET', KEYS[2 * n + i], write[1], 'PX', write[2])
    else
        redis.call('SET', KEYS[2 * n + i], write[1])
    end
end
local began_key = KEYS[2 * n + #spec.writes + 1]
local began = redis.call('GET', began_key)
if not began then
    began = tostring(spec.now)
    redis.call('SET', began_key, began)
end
local result = {0, false, first, began, 0}
local lock = KEYS[2 * n + #spec.writes + 2]
local held = spec.hold and redis.call('SET', lock, spec.hold[1], 'NX', 'PX', spec.hold[2], 'GET')
if spec.hold and (not held or held == spec.hold[1]) then
    result[5] = 1
    for i = 2 * n + #spec.writes + 3, #KEYS do
        result[#result + 1] = redis.call('GET', KEYS[i])
    end
end
return result
"""


def _ms(seconds: float) -> int:
    """A TTL in whole milliseconds; Redis refuses 0, so anything shorter becomes 1 ms."""
    return max(1, round(seconds * 1000))


def pack_command(*args: Any) -> bytes:
    """A command in Redis' protocol, byte for byte as redis-py's `Connection.pack_command` writes this
    store's arguments (str as UTF-8, bytes, int and float by `repr`; a first argument with spaces is
    split, as "CLIENT ID"), built in one join where redis-py concatenates the buffer anew for each
    argument and calls its encoder on each: less than half its CPU for a script call's dozen arguments
    (docs/performance.md "Eighth round")."""
    if isinstance(args[0], str) and " " in args[0]:
        args = (*args[0].split(), *args[1:])
    parts = [b"*%d\r\n" % len(args)]
    data: bytes | bytearray | memoryview
    for arg in args:
        if isinstance(arg, str):
            data = arg.encode()
        elif isinstance(arg, bytes | bytearray | memoryview):
            data = arg
        elif isinstance(arg, int | float) and not isinstance(arg, bool):
            data = repr(arg).encode()
        else:
            raise DataError(f"Invalid input of type: '{type(arg).__name__}'. "
                            "Convert to a bytes, string, int or float first.")
        parts.append(b"$%d\r\n%b\r\n" % (len(data), data))
    return b"".join(parts)


async def send_at_once(connection: Any, packed: list[bytes]) -> None:
    """A packed command written to a pooled (connected) connection, as redis-py's `send_packed_command`
    but without the task its `wait_for` makes per command (a few percent of a worker's samples,
    docs/performance.md): the transport sends what the socket takes at once, and only when some is
    left buffered (Redis not reading) does redis-py's own method wait for the drain, with its socket
    timeout and its handling of a failed write. A write that fails in the transport closes it, and
    the reply's read then fails as for any lost connection. A closing transport goes to redis-py's
    method, which reconnects or raises."""
    writer = connection._writer
    if writer is None or writer.transport.is_closing():
        await connection.send_packed_command(packed, check_health=False)
        return
    writer.writelines(packed)
    if writer.transport.get_write_buffer_size():
        await connection.send_packed_command([], check_health=False)  # nothing more to write: the drain


class WaitingPool(BlockingConnectionPool):
    """redis-py's blocking pool, telling a saturated pool (`StoreBusy`) from an unreachable server.

    Every command takes a connection from the pool and gives it back. redis-py's blocking pool does
    that under its condition, with a timeout, a reconnect wrapper and its metrics hooks: about a
    third of a command's CPU on a worker (docs/performance.md). When nobody waits for a connection
    and one is idle, it is taken and given back directly instead (nothing suspends in between, so
    this is atomic on the event loop); one that looks closed or has data waiting goes through
    redis-py's own `ensure_connection` first (a closed one is reconnected). With every connection
    busy, or someone waiting, redis-py's own way is taken, so waiters keep their turn and a
    saturated pool still raises `StoreBusy` after the wait.
    """

    def _uncontended(self) -> bool:
        return not self._condition.locked() and not self._condition._waiters  # type: ignore[attr-defined]

    async def get_connection(self, *args: Any, **kwargs: Any) -> Any:
        if self._available_connections and self._uncontended():
            connection = self._available_connections.pop()
            self._in_use_connections.add(connection)
            try:
                await self._make_ready(connection)
            except BaseException:
                await self.release(connection)
                raise
            return connection
        try:
            return await super().get_connection(*args, **kwargs)
        except RedisConnectionError as exc:
            if isinstance(exc.__cause__, TimeoutError):
                raise StoreBusy(f"all {self.max_connections} Redis connections busy for {self.timeout} s") from exc
            raise StoreUnavailable(f"Redis unreachable ({type(exc).__name__})") from exc

    async def _make_ready(self, connection: Any) -> None:
        """As redis-py's `ensure_connection`, which runs only when the connection needs it."""
        try:
            dirty = not connection.is_connected or await connection.can_read()
        except (RedisConnectionError, RedisTimeoutError, OSError):  # closed by the server: reconnect
            dirty = True
        if dirty:
            try:
                await self.ensure_connection(connection)
            except RedisConnectionError as exc:
                raise StoreUnavailable(f"Redis unreachable ({type(exc).__name__})") from exc

    async def release(self, connection: Any) -> None:
        if not self._uncontended():
            await super().release(connection)
            return
        self._in_use_connections.remove(connection)
        if connection.should_reconnect():
            await connection.disconnect()
        self._available_connections.append(connection)


#: A conversation's state as stored: `json.dumps(state, ensure_ascii=False)`, without the encoder `dumps`
#: builds anew on each call made with a setting of its own.
_STATE_JSON = json.JSONEncoder(ensure_ascii=False)

#: What `RedisStore._written_at_once` answers when its connection closed itself before the replies came.
_LOST = object()


async def _read_reply(connection: Any) -> Any:
    return await connection.read_response()


class RedisStore(Store):
    lock_poll = 0.02  # seconds between attempts while waiting for a lock
    unavailable = (StoreUnavailable, RedisConnectionError, RedisTimeoutError)

    def __init__(self, client: Redis, clock: Clock, keys: KeyBuilder | None = None, *,
                 confirm_wait_s: float = 5.0) -> None:
        """`client` must be created with `decode_responses=True`; the store closes it in `close()`.

        `confirm_wait_s` bounds how long a subscriber waits for Redis to confirm its topics.
        """
        if not client.get_encoder().decode_responses:
            raise ValueError("RedisStore needs a client created with decode_responses=True")
        self.keys = keys or KeyBuilder()
        self.client = client
        self._clock = clock
        self.hub = PubSubHub(client, confirm_wait_s, clock)
        self._pop_due_kinds = self._script(_POP_DUE_KINDS)
        self._lock_and_read = self._script(_LOCK_AND_READ)
        self._write_and_release = self._script(_WRITE_AND_RELEASE)
        self._claim_in_order = self._script(_CLAIM_IN_ORDER)
        self._schedule_if_absent = self._script(_SCHEDULE_IF_ABSENT)
        self._incr_once = self._script(_INCR_ONCE)
        self._delete_if_holding = self._script(_DELETE_IF_HOLDING)
        self._delete_and_cancel = self._script(_DELETE_AND_CANCEL)
        self._cancel_leased = self._script(_CANCEL_LEASED)
        self._schedule_if_leased = self._script(_SCHEDULE_IF_LEASED)
        self._renew_leases = self._script(_RENEW_LEASES)
        self._extend_if_holding = self._script(_EXTEND_IF_HOLDING)

    async def together_with_read(self, writes: Sequence[Awaitable[Any]], read: Awaitable[Any]) -> list[Any]:
        """One write (one pipeline) goes in a task of its own and the read (PostgreSQL's) is awaited in the
        caller's task, which goes on as soon as the read is back and the write done: a gather made a task for
        each and woke its caller three turns of the loop after the last of them ended, turns of a saturated
        worker that the escalating customer waited for (docs/performance.md, "Twelfth round"). As with
        `together`, each outcome or failure in its place; a cancellation cancels the write too."""
        if len(writes) != 1:
            return await self.together([*writes, read])
        writing = asyncio.ensure_future(writes[0])
        try:
            outcome = await read
        except Exception as exc:
            outcome = exc
        except BaseException:
            writing.cancel()
            raise
        try:
            written = await writing
        except Exception as exc:
            written = exc
        return [written, outcome]

    def _script(self, source: str) -> Callable[..., Awaitable[Any]]:
        """A Lua script called as `script(keys=[...], args=[...])`: `EVALSHA` on the lean path, redis-py's
        own call (which loads the script into a Redis that forgot it, and retries) when that fails."""
        script: AsyncScript = self.client.register_script(source)

        async def call(keys: Sequence[str], args: Sequence[Any]) -> Any:
            try:
                return await self._command("EVALSHA", script.sha, len(keys), *keys, *args)
            except NoScriptError:
                return await script(keys=keys, args=args)

        return call

    async def _command(self, *args: Any, **options: Any) -> Any:
        """One command on a pooled connection, its reply as the parser gives it.

        redis-py's `execute_command` wraps every command in its retry machinery, observability hooks and
        argument handling: about 40% of a command's CPU on a worker (docs/performance.md, "Redis per command").
        Here the command is packed and sent and its reply read with the connection's own methods (its socket
        timeout, disconnecting on any failure, an error reply raised). When the connection fails (Redis
        restarted), the command goes again through redis-py's `execute_command`, with its reconnecting retries
        (`options` go to its response callback; a plain `SET` then answers True rather than "OK": callers read
        replies in ways both forms satisfy). The command may have run before the connection failed, so it may
        run twice. Every command sent here is written to give the same answer and effect when it does: reads,
        `SET`/`DEL`/`ZADD`/`ZREM`; the ones that carry their caller's own value (`claim`, `claim_in_order` and
        `_LOCK_AND_READ`: sent again, they find the value or lock token they set and pass; `_DELETE_IF_HOLDING`, whose
        key deleted is absent, not another value, the second time; `_EXTEND_IF_HOLDING`, which finds its values
        again); the ones that leave a short-lived receipt named by the call (`_POP_DUE_KINDS` answers the members it
        popped,
        `_SCHEDULE_IF_ABSENT` that it added the deadline, `_INCR_ONCE` the count it made, and
        `_WRITE_AND_RELEASE`, its receipt named by the lock token, whether it released the lock, without writing
        again); and `PUBLISH`, whose message carries an id the subscribing workers drop when it comes a second
        time (`bot.store.redis_pubsub`: at least once to Redis, once to subscribers, so learned examples are not
        lost). A new command sent here must be one of these kinds. A Redis that does not answer in time is not
        asked again: a hung server fails once, after the socket timeout.
        """
        reply = await self._written_at_once([pack_command(*args)], args[0], _read_reply)
        if reply is not _LOST:
            return reply
        return await self.client.execute_command(*args, **options)

    async def _written_at_once(self, packed: list[bytes], what: str,
                               read: Callable[[Any], Awaitable[Any]]) -> Any:
        """`packed` written at once on a pooled connection, then `read(connection)`'s answer: a reply not
        in time is Redis away (`StoreUnavailable`; not asked again); a connection that closed itself
        answers `_LOST`, so the caller sends again (the connection goes back to the pool and reconnects
        when next taken). A plain coroutine, not a context manager: an async generator costs a message
        the loop's bookkeeping of generators on each of its round trips (docs/performance.md, "Tenth round")."""
        pool = self.client.connection_pool
        connection = await pool.get_connection()
        try:
            await send_at_once(connection, packed)
            return await read(connection)
        except RedisTimeoutError as exc:
            raise StoreUnavailable(f"Redis did not answer {what} in time") from exc
        except RedisConnectionError:
            return _LOST
        finally:
            await pool.release(connection)

    async def send(self, batch: Batch) -> list[Any]:
        """The batch as one pipeline on one pooled connection, without MULTI (its writes are independent):
        written at once, then each reply read in turn; an error reply is that command's result, the
        others' None. A connection that fails sends again, each on its own and in order, the commands
        whose replies were not read (`_command`, with its reconnecting retries), the same packed arguments
        (a `publish` keeps its message's id, so subscribers drop the second copy); those whose replies
        were read ran once and keep their result: sent again they would undo what another worker wrote
        since (a holder taken by an assignment set back to "queued"). A command sent again that finds Redis
        away (`unavailable`, after its reconnection's retries) fails the ones after it too, so a batch
        waits out those retries once, not once per command in turn (a customer's answer waits on it). A
        hung Redis fails the whole batch at once (`StoreUnavailable`)."""
        commands = [self._packed(name, args) for name, args in batch.commands]
        if not commands:
            return []
        results: list[Any] = []

        async def read_each(connection: Any) -> list[Any]:
            for _ in commands:
                try:
                    await connection.read_response()
                    results.append(None)
                except ResponseError as exc:  # the reply was read whole: the next one follows on the connection
                    results.append(exc)
            return results

        packed = [pack_command(*command) for command in commands]
        if await self._written_at_once(packed, f"a pipeline of {len(commands)}", read_each) is not _LOST:
            return results
        for command in commands[len(results):]:
            try:
                await self._command(*command)
                results.append(None)
            except self.unavailable as exc:  # Redis is away: the rest fail with it, not each after its own wait
                results += [exc] * (len(commands) - len(results))
                break
            except Exception as exc:
                results.append(exc)
        return results

    def _packed(self, name: str, args: tuple[Any, ...]) -> tuple[Any, ...]:
        """A `Batch` entry as the command this store's method of that name sends."""
        return getattr(self, f"_{name}_command")(*args)

    # the commands of the writes a `Batch` can list, sent alone by the methods of the same name
    @staticmethod
    def _set_command(key: str, value: str, ttl: float | None = None) -> tuple[Any, ...]:
        return ("SET", key, value) if ttl is None else ("SET", key, value, "PX", _ms(ttl))

    @staticmethod
    def _delete_command(*keys: str) -> tuple[Any, ...]:
        return ("DEL", *keys)

    def _schedule_command(self, kind: str, member: str, due_at: float) -> tuple[Any, ...]:
        return ("ZADD", self.keys("due", kind), due_at, member)

    def _publish_command(self, topic: str, payload: Mapping[str, Any]) -> tuple[Any, ...]:
        return ("PUBLISH", self.keys("topic", topic), envelope(payload))

    @classmethod
    def from_url(
        cls, url: str, clock: Clock, keys: KeyBuilder | None = None, *, max_connections: int = 64,
        pool_wait_s: float = 2.0, reconnect_backoff_s: float = RECONNECT_BACKOFF_S,
    ) -> RedisStore:
        """Connect lazily: nothing is sent until the first command (call `ping()` to check early).

        A command waits up to `pool_wait_s` for a free connection, and as long for a connection to
        Redis. A Redis that accepts connections but does not answer (hung) fails a command after the
        socket timeout, max(`pool_wait_s`, 5 s), on the store's own path (`_command`: values, state,
        scripts, deadlines); the commands sent through redis-py's client (locks, pipelines, `incr`,
        `next_due`, `ping`) are retried `RECONNECT_RETRIES` times, so fail after about four socket
        timeouts plus the back-off (20.7 s measured with the defaults). The back-off between those retries
        starts at `reconnect_backoff_s` and doubles, up to half of `pool_wait_s`.
        """
        pool = WaitingPool.from_url(
            url, decode_responses=True, max_connections=max_connections, timeout=pool_wait_s,
            socket_connect_timeout=pool_wait_s, socket_timeout=max(pool_wait_s, 5.0),
            retry=Retry(ExponentialBackoff(cap=pool_wait_s / 2, base=reconnect_backoff_s), RECONNECT_RETRIES),
        )
        return cls(Redis.from_pool(pool), clock, keys, confirm_wait_s=max(pool_wait_s, 5.0))

    # --- plain values ---
    async def claim(self, key: str, ttl: float, value: str | None = None) -> bool:
        value = unique_id() if value is None else value
        current = await self._command("SET", key, value, "NX", "PX", _ms(ttl), "GET", get=True)
        return current is None or current == value  # sent again after a lost reply: it finds its own value

    async def claim_many(self, items: Sequence[tuple[str, float]]) -> list[bool]:
        values = [unique_id() for _ in items]
        async with self.client.pipeline(transaction=False) as pipe:
            for (key, ttl), value in zip(items, values, strict=True):
                pipe.set(key, value, nx=True, px=_ms(ttl), get=True)
            currents = await pipe.execute()
        return [current is None or current == value for current, value in zip(currents, values, strict=True)]

    async def get(self, key: str) -> str | None:
        return await self._command("GET", key)

    async def get_many(self, keys: Sequence[str]) -> list[str | None]:
        return list(await self._command("MGET", *keys)) if keys else []

    async def claim_in_order(self, claims: Sequence[Claim], then: Sequence[Write] = (), *,
                             now: float = 0.0, hold: HoldRequest | None = None) -> Claimed:
        spec = {
            "claims": [[c.value, _ms(c.ttl), int(c.same_value_passes), _ms(c.remember_s) if c.remember_s else 0]
                       for c in claims],
            "writes": [[w.value, 0 if w.ttl is None else _ms(w.ttl)] for w in then],
            "now": now,
        }
        keys = [c.key for c in claims] + [self.keys.about(CLAIMED, c.key) for c in claims]
        keys += [w.key for w in then] + [self.keys(CLAIMS_MEMORY_BEGAN)]
        token = unique_id() if hold is not None else ""
        if hold is not None:
            spec["hold"] = [token, _ms(hold.lease)]
            keys += [self.keys("lock", hold.conversation), self.keys("state", hold.conversation), *hold.keys]
        refused, value, first, began, *held = await self._claim_in_order(keys=keys, args=[json.dumps(spec)])
        if refused:
            return Claimed(int(refused) - 1, value)
        taken = None
        if hold is not None and int(held[0]):
            state, *values = held[1:]
            taken = TakenConversation(hold.conversation, token, json.loads(state) if state else None,
                                      dict(zip(hold.keys, values, strict=True)))
        return Claimed(None, None, bool(first), float(began), taken)

    async def release_taken(self, taken: TakenConversation) -> None:
        lock_key, state_key = self.keys("lock", taken.conversation), self.keys("state", taken.conversation)
        await self._write_and_release(keys=[lock_key, state_key, self._release_receipt(taken.token)],
                                      args=[taken.token, "", ""])

    async def set(self, key: str, value: str, ttl: float | None = None) -> None:
        await self._command(*self._set_command(key, value, ttl))

    async def delete(self, *keys: str) -> None:
        if keys:
            await self._command(*self._delete_command(*keys))

    async def delete_if_holding(self, held: Mapping[str, str]) -> list[str]:
        if not held:
            return []
        keys = list(held)
        kept = await self._delete_if_holding(keys=keys, args=[held[key] for key in keys])
        return [keys[int(index) - 1] for index in kept]

    async def incr(self, key: str, ttl: float | None = None) -> int:
        receipt = self.keys("counted", unique_id())
        args = ["" if ttl is None else _ms(ttl), RECEIPT_TTL_S]
        return int(await self._incr_once(keys=[key, receipt], args=args))

    # --- conversation state ---
    async def get_state(self, conversation: str) -> dict[str, Any] | None:
        raw = await self._command("GET", self.keys("state", conversation))
        return None if raw is None else json.loads(raw)

    async def set_state(self, conversation: str, state: Mapping[str, Any], ttl: float | None = None) -> None:
        await self.set(self.keys("state", conversation), _STATE_JSON.encode(state), ttl)

    async def clear_state(self, conversation: str) -> None:
        await self._command("DEL", self.keys("state", conversation))

    # --- locks ---
    @asynccontextmanager
    async def lock(
        self,
        *name: str,
        timeout: float = 10.0,  # noqa: ASYNC109 (the lease length, named so by the contract)
        wait: float = 5.0,
    ) -> AsyncIterator[None]:
        key = self.keys("lock", *name)
        lock = self.client.lock(
            key,
            timeout=timeout,
            sleep=self.lock_poll,
            blocking_timeout=wait,
            thread_local=False,
        )
        if not await lock.acquire():
            raise LockTimeout(f"lock {key!r} still held after waiting {wait} s")
        try:
            yield
        finally:
            try:
                await lock.release()
            except LockError:
                log.warning("a lock expired while held; the work under it was not exclusive")

    def hold_conversation(
        self, conversation: str, *keys: str, lease: float = 10.0, wait: float = 5.0,
        taken: TakenConversation | None = None,
    ) -> HoldingConversation:
        """Two commands per message instead of five (lock, get, set, release; `keys` read in the first),
        one when `claim_in_order` took the lock (`taken`)."""
        return HoldingConversation(self, conversation, keys, lease, wait, taken)

    async def _write_and_release_held(self, conversation: str, token: str, held: HeldConversation,
                                      ended_well: bool) -> None:
        """The end of `hold_conversation`: `held.save` and `held.writes` written (when the block ended
        well) and the lock released, in one command."""
        saving = ended_well and held.save is not None
        state = _STATE_JSON.encode(held.save) if saving else ""
        ttl = str(_ms(held.ttl)) if saving and held.ttl is not None else ""
        writes = held.writes if ended_well else []
        args = [token, state, ttl]
        for write in writes:
            args += [write.value, "" if write.ttl is None else str(_ms(write.ttl))]
        keys = [self.keys("lock", conversation), self.keys("state", conversation), self._release_receipt(token),
                *(write.key for write in writes)]
        if not await self._write_and_release(keys=keys, args=args):
            log.warning("a conversation's lock expired while held; the work under it was not exclusive")

    def _release_receipt(self, token: str) -> str:
        """Where `_WRITE_AND_RELEASE` notes that it released the lock holding `token`."""
        return self.keys("released", token)

    async def _lock_and_read_waiting(self, lock_key: str, state_key: str, keys: tuple[str, ...], token: str,
                                     lease: float, wait: float, conversation: str) -> HeldConversation:
        give_up_at = time.monotonic() + wait  # real time, as redis-py's lock waits
        while not (got := await self._lock_and_read(keys=[lock_key, state_key, *keys], args=[token, _ms(lease)]))[0]:
            if time.monotonic() >= give_up_at:
                raise LockTimeout(f"lock {conversation!r} still held after waiting {wait} s")
            await asyncio.sleep(self.lock_poll)
        return HeldConversation(json.loads(got[1]) if got[1] else None, dict(zip(keys, got[2:], strict=False)))

    # --- deadlines ---
    async def schedule(self, kind: str, member: str, due_at: float) -> None:
        await self._command(*self._schedule_command(kind, member, due_at))

    async def schedule_if_absent(self, kind: str, member: str, due_at: float) -> bool:
        receipt = self.keys("scheduled", unique_id())
        return bool(await self._schedule_if_absent(keys=[self.keys("due", kind), receipt], args=[repr(due_at), member]))

    async def cancel(self, kind: str, member: str) -> None:
        await self._command("ZREM", self.keys("due", kind), member)

    async def pop_due(self, kind: str, now: float, limit: int = 100) -> list[str]:
        return (await self.pop_due_kinds([kind], now, limit))[kind]

    async def pop_due_kinds(self, kinds: Sequence[str], now: float, limit: int = 100,
                            lease: Lease | None = None) -> dict[str, list[str]]:
        if not kinds:
            return {}
        receipt = self.keys("popped", unique_id())
        keys = [receipt, *(self.keys("due", kind) for kind in kinds)]
        args: list[Any] = [repr(now), limit, RECEIPT_TTL_S, ""]
        if lease is not None:
            keys.append(self.keys("due", lease.kind))
            args = [*args[:3], repr(lease.due_at), LEASE_SEPARATOR, lease.taker,
                    *("" if kind == lease.kind or kind in lease.unleased else kind for kind in kinds)]
        popped = await self._pop_due_kinds(keys=keys, args=args)
        return {kind: list(members) for kind, members in zip(kinds, popped, strict=True)}

    async def next_due(self, kind: str) -> float | None:
        head = await self.client.zrange(self.keys("due", kind), 0, 0, withscores=True)
        return float(head[0][1]) if head else None

    # --- pub/sub ---
    async def publish(self, topic: str, payload: Mapping[str, Any]) -> None:
        await self._command(*self._publish_command(topic, payload))

    def subscribe(self, *topics: str) -> Subscription:
        return Subscription(self.hub.listen(self.keys("topic", topic) for topic in topics))

    # --- life cycle ---
    async def ping(self) -> None:
        """Reachable, and new enough for the commands sent here (`require_redis_version`)."""
        await self.client.ping()
        require_redis_version(await self._command("INFO", "server"))

    async def close(self) -> None:
        await self.hub.close()
        await self.client.aclose()

    # --- deadlines: moves and removals that must not undo another worker's ---
    async def renew_leases(self, kind: str, members: Sequence[str], due_at: float) -> list[str]:
        if not members:
            return []
        gone = await self._renew_leases(keys=[self.keys("due", kind)], args=[repr(due_at), *members])
        return [members[int(index) - 1] for index in gone]

    async def schedule_if_leased(self, kind: str, member: str, due_at: float, leases: str, lease: str) -> bool | None:
        receipt = self.keys("scheduled", unique_id())
        answer = await self._schedule_if_leased(keys=[self.keys("due", kind), self.keys("due", leases), receipt],
                                                args=[repr(due_at), member, lease, RECEIPT_TTL_S])
        return None if not int(answer) else int(answer) == 2

    async def cancel_leased(self, kind: str, member: str, leases: Sequence[str], keys: Sequence[str] = ()) -> None:
        leased = [self.keys("due", leases_kind) for leases_kind in leases]
        await self._cancel_leased(keys=[self.keys("due", kind), *leased, *keys],
                                  args=[member, deadline_lease(kind, member, ""), len(leases)])

    async def delete_and_cancel(self, keys: Sequence[str], held: Mapping[str, str], kind: str,
                                member: str) -> list[str]:
        compared = list(held)
        kept = await self._delete_and_cancel(keys=[self.keys("due", kind), *keys, *compared],
                                             args=[member, len(keys), *(held[key] for key in compared)])
        return [compared[int(index) - 1] for index in kept]

    async def extend_if_holding(self, held: Mapping[str, str], ttl: float) -> list[str]:
        if not held:
            return []
        keys = list(held)
        lost = await self._extend_if_holding(keys=keys, args=[*(held[key] for key in keys), _ms(ttl)])
        return [keys[int(index) - 1] for index in lost]


class HoldingConversation(AbstractAsyncContextManager[HeldConversation]):
    """`RedisStore.hold_conversation`'s block as a class: the lock taken and the state read on entering
    (or handed over by `claim_in_order`), written and released on leaving. Not a generator-based context
    manager, whose async generator and wrapper cost every message a few microseconds more
    (docs/performance.md, "Tenth round")."""

    __slots__ = ("_conversation", "_held", "_keys", "_lease", "_store", "_taken", "_token", "_wait")

    def __init__(self, store: RedisStore, conversation: str, keys: tuple[str, ...], lease: float, wait: float,
                 taken: TakenConversation | None) -> None:
        self._store, self._conversation, self._keys = store, conversation, keys
        self._lease, self._wait, self._taken = lease, wait, taken

    async def __aenter__(self) -> HeldConversation:
        taken, conversation, keys = self._taken, self._conversation, self._keys
        if taken is not None:
            assert taken.conversation == conversation and tuple(taken.values) == keys, "another conversation's"
            self._token, self._held = taken.token, HeldConversation(taken.state, dict(taken.values))
        else:
            store = self._store
            self._token = unique_id()
            self._held = await store._lock_and_read_waiting(
                store.keys("lock", conversation), store.keys("state", conversation), keys, self._token,
                self._lease, self._wait, conversation)
        return self._held

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        traceback: object) -> None:
        await self._store._write_and_release_held(self._conversation, self._token, self._held, exc_type is None)


# Store.delete_and_cancel in one command (`RedisStore._command` may send it twice: `ZREM`, `DEL` and a
# compare-and-delete do the same the second time). KEYS[1]: the kind's deadlines; then ARGV[2] keys deleted;
# then the keys compared, ARGV[3..] the values they must hold. ARGV[1]: the member removed. Returns the
# compared keys left holding another value (1-based indexes among them).
_DELETE_AND_CANCEL = """
redis.call('ZREM', KEYS[1], ARGV[1])
local plain = tonumber(ARGV[2])
for i = 2, plain + 1 do
    redis.call('DEL', KEYS[i])
end
local kept = {}
for i = plain + 2, #KEYS do
    local current = redis.call('GET', KEYS[i])
    if current == ARGV[i - plain + 1] then
        redis.call('DEL', KEYS[i])
    elseif current then
        kept[#kept + 1] = i - plain - 1
    end
end
return kept
"""

# Store.renew_leases in one command (sent twice, the same effect and answer): KEYS[1] the deadlines; ARGV[1] the
# due time, ARGV[2..] the members. Returns the members not there (1-based indexes among them).
_RENEW_LEASES = """
local gone = {}
for i = 2, #ARGV do
    if redis.call('ZSCORE', KEYS[1], ARGV[i]) then
        redis.call('ZADD', KEYS[1], 'XX', ARGV[1], ARGV[i])
    else
        gone[#gone + 1] = i - 1
    end
end
return gone
"""

# Store.schedule_if_leased in one command: KEYS[1] the kind's deadlines, KEYS[2] the leases, KEYS[3] the call's
# receipt; ARGV[1] the due time, ARGV[2] the member, ARGV[3] the lease, ARGV[4] the receipt's TTL (s). Returns 0
# when the lease was gone (nothing added), 1 when the member was already scheduled, 2 when added; the
# script sent again after its reply was lost (`RedisStore._command`) finds its receipt and answers the same,
# where it would find its own lease gone.
_SCHEDULE_IF_LEASED = """
local done = redis.call('GET', KEYS[3])
if done then
    return tonumber(done)
end
local answer = 0
if redis.call('ZREM', KEYS[2], ARGV[3]) == 1 then
    answer = 1 + redis.call('ZADD', KEYS[1], 'NX', ARGV[1], ARGV[2])
end
redis.call('SET', KEYS[3], answer, 'EX', ARGV[4])
return answer
"""

# Store.cancel_leased in one command (sent twice, the same effect). KEYS[1]: the kind's deadlines, KEYS[2] to
# KEYS[1 + ARGV[3]]: the kinds of leases, then the keys deleted; ARGV[1]: the member, ARGV[2]: its leases'
# common start (`deadline_lease` with no taker), which without its last character (the separator) is an
# earlier release's lease. The leases are read whole: they are the deadlines taken now, few.
_CANCEL_LEASED = """
redis.call('ZREM', KEYS[1], ARGV[1])
local last = 1 + tonumber(ARGV[3])
for i = last + 1, #KEYS do
    redis.call('DEL', KEYS[i])
end
local start = ARGV[2]
for i = 2, last do
    for _, lease in ipairs(redis.call('ZRANGE', KEYS[i], 0, -1)) do
        if string.sub(lease, 1, #start) == start then
            redis.call('ZREM', KEYS[i], lease)
        end
    end
    redis.call('ZREM', KEYS[i], string.sub(start, 1, #start - 1))
end
return 0
"""

# Store.extend_if_holding in one command (sent twice, the same effect and answer): KEYS the keys, ARGV[i] the value
# KEYS[i] must hold, the last ARGV the TTL (ms). Every key extended, or none; returns the keys not holding their
# value (1-based indexes).
_EXTEND_IF_HOLDING = """
local lost = {}
for i, key in ipairs(KEYS) do
    if redis.call('GET', key) ~= ARGV[i] then
        lost[#lost + 1] = i
    end
end
if #lost == 0 then
    for _, key in ipairs(KEYS) do
        redis.call('PEXPIRE', key, ARGV[#ARGV])
    end
end
return lost
"""
