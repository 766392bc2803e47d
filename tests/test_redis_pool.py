"""The Redis store's connection pool (bot/store/redis.py `WaitingPool`): connections taken and given
back directly when nobody waits, on a real Redis; a connection the server closed is replaced,
waiters keep their turn."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import pytest_asyncio
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import DataError, ResponseError

from bot.channels.webchat import IN_FLIGHT
from bot.channels.wechat_dedupe import PROCESSING, RETRY_SPAN_S, Answered, Deliveries, Lease
from bot.clock import FakeClock
from bot.store import redis as redis_store
from bot.store.base import Batch, HoldRequest, KeyBuilder, StoreUnavailable
from bot.store.redis import _LOCK_AND_READ, RECONNECT_RETRIES, RedisStore, WaitingPool, pack_command
from models.message import Message
from tests.fakes.bot_app import eventually, make_settings, running_bot
from tests.tcp_proxy import TcpProxy


@pytest_asyncio.fixture
async def store(redis_url: str) -> AsyncIterator[RedisStore]:
    store = RedisStore.from_url(redis_url, FakeClock(), KeyBuilder(f"pool-{uuid.uuid4().hex[:8]}"),
                                max_connections=2, pool_wait_s=0.3)
    yield store
    await store.close()


def connections(store: RedisStore) -> tuple[int, int]:
    pool = store.client.connection_pool
    return len(pool._available_connections), len(pool._in_use_connections)


async def test_one_caller_at_a_time_reuses_one_connection(store: RedisStore) -> None:
    for n in range(20):
        await store.set(store.keys("k"), str(n))
        assert await store.get(store.keys("k")) == str(n)
    assert connections(store) == (1, 0)


async def test_a_connection_the_server_closed_is_replaced(store: RedisStore, redis_url: str) -> None:
    await store.set(store.keys("k"), "before")
    client_id = await store.client.client_id()
    async with Redis.from_url(redis_url) as admin:
        assert await admin.client_kill_filter(_id=client_id) == 1
    (idle,) = store.client.connection_pool._available_connections
    await eventually(lambda: asyncio.sleep(0, idle._reader.at_eof()), "the close to reach the idle connection")
    assert await store.get(store.keys("k")) == "before"
    assert await store.client.client_id() != client_id


async def test_a_waiter_gets_the_connection_given_back(store: RedisStore) -> None:
    pool = store.client.connection_pool
    held = [await pool.get_connection(), await pool.get_connection()]  # max_connections=2
    waiting = asyncio.ensure_future(store.get(store.keys("k")))
    await eventually(lambda: asyncio.sleep(0, bool(pool._condition._waiters)), "the caller to wait for a connection")
    assert not waiting.done()
    await pool.release(held.pop())
    assert await asyncio.wait_for(waiting, 1) is None
    await pool.release(held.pop())
    assert connections(store) == (2, 0)


async def test_a_script_redis_has_not_seen_still_answers_the_lean_path(store: RedisStore) -> None:
    """The store's scripts go as `EVALSHA` on its lean path; a Redis restarted or flushed answers
    NOSCRIPT, and the call is made again through redis-py, which loads the script. (A script of its
    own, which no Redis has seen: a flush would take the scripts of every test sharing this Redis.)"""
    source = f"{_LOCK_AND_READ}-- {uuid.uuid4().hex}\n"
    sha = store.client.register_script(source).sha
    assert await store.client.script_exists(sha) == [False]
    lock_and_read = store._script(source)
    await store.set(store.keys("state"), '{"turns": 1}')
    assert await lock_and_read(keys=[store.keys("lock"), store.keys("state")], args=["token", 1000]) == [
        1, '{"turns": 1}']
    assert await store.client.script_exists(sha) == [True]
    assert await store.get(store.keys("lock")) == "token"


async def test_a_command_cancelled_while_waiting_for_its_reply_leaves_no_reply_for_the_next(
        store: RedisStore) -> None:
    """The lean path reads the reply with the connection's own method, which disconnects on a
    cancellation: the late reply never answers the next command on that connection."""
    await store.set(store.keys("k"), "value")
    client_id = await store._command("CLIENT", "ID")  # the pool's one connection, which the BLPOP takes
    waiting = asyncio.ensure_future(store._command("BLPOP", store.keys("empty"), 5))
    await eventually(lambda: asyncio.sleep(0, connections(store) == (0, 1)), "the BLPOP to take the connection")

    async def blocked() -> bool:
        (listed,) = await store.client.client_list(client_id=[client_id])
        return "b" in listed["flags"] and listed["cmd"] == "blpop"

    await eventually(blocked, "Redis to report the BLPOP blocked")
    waiting.cancel()
    await asyncio.gather(waiting, return_exceptions=True)
    await store.client.rpush(store.keys("empty"), "late")
    for _ in range(3):
        assert await store._command("GET", store.keys("k")) == "value"
    assert await store.client.lrange(store.keys("empty"), 0, -1) == ["late"]


@pytest.mark.parametrize("args", [
    ("GET", "csbot:handoff:wechat:o1"),
    ("SET", "k", "您好，请问有什么可以帮您？", "PX", 600000),
    ("ZADD", "csbot:due:handoff-offer", 1764316800.125, "42"),
    ("EVALSHA", "a" * 40, 2, "k1", "k2", b"raw\r\nbytes", -7, 0.1, '{"claims": [["v", 1, 0, 0]]}'),
    ("CLIENT ID",),
    ("SET", "big", "x" * 20000),
])
def test_the_store_packs_a_command_as_redis_py_does(args: tuple[object, ...], store: RedisStore) -> None:
    """The lean path's packing (`pack_command`) writes the very bytes redis-py's connection would."""
    connection = store.client.connection_pool.make_connection()
    assert pack_command(*args) == b"".join(connection.pack_command(*args))


def test_the_store_refuses_to_pack_what_redis_py_refuses() -> None:
    for bad in (True, None, ["list"]):
        with pytest.raises(DataError):
            pack_command("SET", "k", bad)


async def test_a_batch_is_one_write_on_one_connection_and_an_error_reply_stays_in_its_place(
        store: RedisStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """`send`: the batch's commands written at once on one pooled connection (one round trip where a
    coroutine per write took one each); a command Redis refuses (a deadline on a key that holds a
    string) is that command's result, the commands after it still run, and the connection answers the
    next command with its own reply."""
    writes: list[int] = []
    write = redis_store.send_at_once

    async def counted(connection, packed):
        writes.append(len(packed))
        await write(connection, packed)

    monkeypatch.setattr(redis_store, "send_at_once", counted)
    await store.set(store.keys("due", "not-a-deadline-set"), "a string")
    batch = Batch()
    batch.set(store.keys("a"), "1")
    batch.schedule("not-a-deadline-set", "m", 1.0)
    batch.delete(store.keys("gone"))
    batch.set(store.keys("b"), "2", ttl=30)
    writes.clear()
    results = await store.send(batch)
    assert len(writes) == 1 and connections(store) == (1, 0)
    assert results[0] is None and isinstance(results[1], ResponseError) and results[2:] == [None, None]
    assert "WRONGTYPE" in str(results[1])
    assert await store.get_many([store.keys("a"), store.keys("b")]) == ["1", "2"]
    assert 0 < await store.client.pttl(store.keys("b")) <= 30_000


@pytest_asyncio.fixture
async def lossy(redis_url: str) -> AsyncIterator[tuple[RedisStore, TcpProxy]]:
    """A store whose Redis is reached through a proxy that can lose one reply."""
    parts = urlsplit(redis_url)
    proxy = TcpProxy(parts.hostname or "127.0.0.1", parts.port or 6379)
    await proxy.start()
    store = RedisStore.from_url(f"redis://127.0.0.1:{proxy.port}{parts.path}", FakeClock(),
                                KeyBuilder(f"lossy-{uuid.uuid4().hex[:8]}"), pool_wait_s=0.3, reconnect_backoff_s=0)
    yield store, proxy
    await store.close()
    await proxy.cut()


async def test_a_claim_whose_reply_was_lost_is_still_the_claimants(lossy: tuple[RedisStore, TcpProxy]) -> None:
    """Redis ran the SET NX, the connection dropped before its reply: sent again, the claim finds its
    own value and holds; someone else's claim is still refused."""
    store, proxy = lossy
    key = store.keys("webchat-reply", "v1", "m1")
    proxy.lose_reply_to(b"in-flight:mine")
    assert await store.claim(key, 60, value="in-flight:mine") is True
    assert proxy.replies_lost == 1
    assert await store.get(key) == "in-flight:mine"
    assert await store.claim(key, 60, value="in-flight:theirs") is False


async def test_a_delivery_claimed_with_its_lock_whose_reply_was_lost_is_still_the_claimants(
        lossy: tuple[RedisStore, TcpProxy]) -> None:
    """`Deliveries.enter` with `hold`: the claim, its first-time marker and the conversation's lock,
    taken by one script whose reply was lost, are this caller's when it is sent again: a first time,
    the lock taken (and given back with the lease), nobody left waiting for an orphaned lock."""
    store, proxy = lossy
    clock = store._clock
    deliveries = Deliveries(store, clock, ttl=600)
    await store.claim_in_order([], now=clock.time())  # the store's memory began a while ago
    await clock.advance(RETRY_SPAN_S + 1)
    proxy.lose_reply_to(PROCESSING.encode())
    lease = await deliveries.enter(("o1", "m1"), budget_s=0, hold=HoldRequest("wechat:o1"))
    assert proxy.replies_lost == 1
    assert isinstance(lease, Lease) and lease.first_time and lease.taken is not None
    async with store.hold_conversation("wechat:o1", taken=lease.taken) as held:
        held.save = {"turns": 1}
    await deliveries.finish(lease, "已回复")
    async with store.hold_conversation("wechat:o1", wait=0.5) as held:
        assert held.state == {"turns": 1}
    assert await deliveries.enter(("o1", "m1"), budget_s=0) == Answered("已回复")
    await deliveries.close()


async def test_a_conversation_whose_lock_reply_was_lost_is_still_held_by_its_taker(
        lossy: tuple[RedisStore, TcpProxy]) -> None:
    """`hold_conversation`'s lock-and-read ran but its reply was lost: sent again, it finds the lock
    holding its own token and holds the conversation (instead of waiting out `wait` for itself)."""
    store, proxy = lossy
    await store.set_state("wechat:o2", {"turns": 1})
    proxy.lose_reply_to(store.keys("lock", "wechat:o2").encode())
    async with store.hold_conversation("wechat:o2", wait=0.5) as held:
        assert proxy.replies_lost == 1
        assert held.state == {"turns": 1}
        held.save = {"turns": 2}
    assert await store.get_state("wechat:o2") == {"turns": 2}
    assert await store.get(store.keys("lock", "wechat:o2")) is None


async def test_deadlines_popped_by_a_tick_whose_reply_was_lost_are_still_that_ticks(
        lossy: tuple[RedisStore, TcpProxy]) -> None:
    """The scheduler's pop ran but its reply was lost: sent again, it answers the same deadlines from
    its receipt (they are not lost: the first run had removed them), and later pops do not see them."""
    store, proxy = lossy
    await store.schedule("greet", "c1", 10.0)
    await store.schedule("greet", "c2", 20.0)
    await store.schedule("ack", "c3", 15.0)
    proxy.lose_reply_to(store.keys("due", "greet").encode())
    assert await store.pop_due_kinds(["greet", "ack"], now=30.0) == {"greet": ["c1", "c2"], "ack": ["c3"]}
    assert proxy.replies_lost == 1
    assert await store.pop_due_kinds(["greet", "ack"], now=30.0) == {"greet": [], "ack": []}


async def test_a_deadline_added_by_a_call_whose_reply_was_lost_is_reported_added(
        lossy: tuple[RedisStore, TcpProxy]) -> None:
    """`schedule_if_absent` added the deadline but its reply was lost: sent again, it answers that it
    added it (from its receipt), not that someone else had; a later call is still refused and never
    moves the deadline."""
    store, proxy = lossy
    assert await store.schedule_if_absent("daily", "warm-up", 5.0) is True  # the script is known to Redis
    proxy.lose_reply_to(b"d-lost")
    assert await store.schedule_if_absent("daily", "d-lost", 10.0) is True
    assert proxy.replies_lost == 1
    assert await store.schedule_if_absent("daily", "d-lost", 1.0) is False
    assert await store.pop_due("daily", now=9.0) == ["warm-up"]
    assert await store.pop_due("daily", now=10.0) == ["d-lost"]


async def test_a_release_whose_reply_was_lost_is_known_as_released(
        lossy: tuple[RedisStore, TcpProxy], caplog: pytest.LogCaptureFixture) -> None:
    """`hold_conversation`'s write-and-release ran but its reply was lost: sent again, it recognises its
    own release from the receipt named by its lock token: no "lease ran out" warning for work that
    was exclusive, the state written once."""
    store, proxy = lossy
    async with store.hold_conversation("wechat:o3") as held:  # the scripts are known to Redis
        held.save = {"turns": 1}
    proxy.lose_reply_to(b"release-lost")
    with caplog.at_level(logging.WARNING, logger="csbot.store"):
        async with store.hold_conversation("wechat:o3", wait=0.5) as held:
            held.save = {"turns": 2, "note": "release-lost"}
    assert proxy.replies_lost == 1
    assert "expired while held" not in caplog.text
    assert await store.get_state("wechat:o3") == {"turns": 2, "note": "release-lost"}
    assert await store.get(store.keys("lock", "wechat:o3")) is None


async def taken_by_token_1(store: RedisStore, conversation: str) -> dict[str, list]:
    """Take `conversation`'s lock as holder "token-1"; the arguments of its write-and-release of
    `{"turns": 1}`, to send (and send again) as a lost reply's retry would."""
    lock_key, state_key = store.keys("lock", conversation), store.keys("state", conversation)
    assert (await store._lock_and_read(keys=[lock_key, state_key], args=["token-1", 10_000]))[0] == 1
    return {"keys": [lock_key, state_key, store._release_receipt("token-1")], "args": ["token-1", '{"turns": 1}', ""]}


async def test_a_release_sent_again_late_does_not_overwrite_the_next_holders_state(store: RedisStore) -> None:
    """The same write-and-release reaching Redis again after the conversation's next holder saved:
    answered as released, and the next holder's state stays."""
    release = await taken_by_token_1(store, "wechat:o4")
    assert await store._write_and_release(**release) == 1
    async with store.hold_conversation("wechat:o4", wait=0.5) as held:
        held.save = {"turns": 2}
    assert await store._write_and_release(**release) == 1
    assert await store.get_state("wechat:o4") == {"turns": 2}


async def test_a_release_after_the_lease_ran_out_sent_again_does_not_overwrite_the_next_holders_state(
        store: RedisStore) -> None:
    """A holder whose lease ran out releases (answered 0: the lock was gone), and its reply is lost;
    the same call reaching Redis again after the next holder saved answers 0 again and writes nothing."""
    release = await taken_by_token_1(store, "wechat:o5")
    await store.delete(store.keys("lock", "wechat:o5"))  # the lease ran out
    assert await store._write_and_release(**release) == 0
    async with store.hold_conversation("wechat:o5", wait=0.5) as held:
        held.save = {"turns": 2}
    assert await store._write_and_release(**release) == 0
    assert await store.get_state("wechat:o5") == {"turns": 2}


async def test_a_count_whose_reply_was_lost_is_counted_once(lossy: tuple[RedisStore, TcpProxy]) -> None:
    """`incr` (a push budget, a login throttle) ran but its reply was lost: sent again, it answers the
    count its first run made instead of counting twice; counts with and without a TTL."""
    store, proxy = lossy
    assert await store.incr(store.keys("budget-sent", "warm-up"), ttl=60) == 1  # the script is known to Redis
    key = store.keys("budget-sent", "incr-lost")
    proxy.lose_reply_to(b"incr-lost")
    assert await store.incr(key, ttl=60) == 1
    assert proxy.replies_lost == 1
    assert await store.get(key) == "1"
    assert await store.incr(key, ttl=60) == 2
    assert 0 < await store.client.pttl(key) <= 60_000  # the TTL set when the counter was made
    plain = store.keys("attempts", "no-ttl")
    assert [await store.incr(plain), await store.incr(plain)] == [1, 2]
    assert await store.client.ttl(plain) == -1


async def test_a_message_published_by_a_call_whose_reply_was_lost_reaches_each_worker_once(
        lossy: tuple[RedisStore, TcpProxy], redis_url: str) -> None:
    """PUBLISH ran but its reply was lost: sent again, Redis passes the message on twice; another
    worker's subscribers get it once (its id was seen), and the messages after it still arrive."""
    store, proxy = lossy
    other_worker = RedisStore.from_url(redis_url, FakeClock(), store.keys)
    try:
        async with other_worker.subscribe("learned") as events:
            proxy.lose_reply_to(b"publish-lost")
            await store.publish("learned", {"learn": [["publish-lost", "shipping"]]})
            assert proxy.replies_lost == 1
            await store.publish("learned", {"learn": [["after", "refund"]]})
            received = [await asyncio.wait_for(anext(events), 5) for _ in range(2)]
            assert received == [{"learn": [["publish-lost", "shipping"]]}, {"learn": [["after", "refund"]]}]
    finally:
        await other_worker.close()


async def test_a_batch_whose_replies_were_lost_is_done_and_its_news_reaches_each_worker_once(
        lossy: tuple[RedisStore, TcpProxy], redis_url: str) -> None:
    """The pipeline ran but the connection dropped before its replies: each command is sent again on its
    own, the same message (its id) published again, which another worker's subscribers drop."""
    store, proxy = lossy
    other_worker = RedisStore.from_url(redis_url, FakeClock(), store.keys)
    try:
        async with other_worker.subscribe("console") as events:
            batch = Batch()
            batch.set(store.keys("holder"), "queued")
            batch.schedule("offer", "batch-lost", 7.0)
            batch.publish("console", {"type": "queue.changed", "marker": "batch-lost"})
            proxy.lose_reply_to(b"batch-lost")
            assert await store.send(batch) == [None, None, None]
            assert proxy.replies_lost == 1
            await store.publish("console", {"type": "after"})
            received = [await asyncio.wait_for(anext(events), 5) for _ in range(2)]
            assert received == [{"type": "queue.changed", "marker": "batch-lost"}, {"type": "after"}]
        assert await store.get(store.keys("holder")) == "queued"
        assert await store.next_due("offer") == 7.0
    finally:
        await other_worker.close()


async def test_a_batch_whose_connection_failed_after_a_reply_sends_again_only_the_unanswered_commands(
        lossy: tuple[RedisStore, TcpProxy], redis_url: str) -> None:
    """The pipeline's connection failed after its first reply was read (the proxy passes the first command
    only, and drops the connection with its reply). The first command ran, and another worker's
    assignment has since taken the holder: it is not sent again (it would set the holder back to
    "queued"); the commands left unanswered are sent again and done."""
    store, proxy = lossy
    holder, other = store.keys("holder"), store.keys("other")
    proxy.answer_first_then_drop(lambda request: b"partly-answered" in request)
    batch = Batch()
    batch.set(holder, "queued")
    batch.set(other, "1")
    batch.schedule("offer", "partly-answered", 7.0)
    sending = asyncio.ensure_future(store.send(batch))
    answered = asyncio.ensure_future(proxy.held.wait())
    await asyncio.wait([sending, answered], return_when=asyncio.FIRST_COMPLETED)
    assert answered.done() and not sending.done()
    async with Redis.from_url(redis_url) as another_worker:
        await another_worker.set(holder, "handoff")
    proxy.let_go()
    assert await sending == [None, None, None]
    assert await store.get_many([holder, other]) == ["handoff", "1"]
    assert await store.next_due("offer") == 7.0


async def test_a_batch_whose_connection_failed_with_redis_gone_waits_out_one_reconnection_not_one_per_command(
        lossy: tuple[RedisStore, TcpProxy], monkeypatch: pytest.MonkeyPatch) -> None:
    """The pipeline's connection failed as it was sent (the proxy goes away with it) and Redis is
    unreachable since: the first command sent again waits out the reconnection's retries and fails; the
    others fail with it instead of each waiting them out in turn, on a customer's message path."""
    store, proxy = lossy
    pool = store.client.connection_pool
    ensure_connection, reconnections = pool.ensure_connection, []

    async def counted_ensure_connection(connection: object) -> None:  # watched only
        reconnections.append(connection)
        await ensure_connection(connection)

    await store.set(store.keys("warm"), "1")  # a pooled connection, connected
    monkeypatch.setattr(pool, "ensure_connection", counted_ensure_connection)
    proxy.cut_at(lambda request: b"unreachable" in request)
    batch = Batch()
    batch.set(store.keys("holder"), "queued")
    batch.schedule("offer", "unreachable", 7.0)
    batch.publish("console", {"type": "queue.changed"})
    results = await store.send(batch)
    assert len(results) == 3 and all(isinstance(result, StoreUnavailable) for result in results)
    assert len(reconnections) == 1


async def test_a_web_chat_message_whose_claim_reply_was_lost_is_answered_once(
        tmp_path: Path, redis_url: str) -> None:
    """The web chat's reply-cache claim ran but its reply was lost: the message is still handled, once
    (a resend of it gets the same replies, nothing handled again)."""
    parts = urlsplit(redis_url)
    proxy = TcpProxy(parts.hostname or "127.0.0.1", parts.port or 6379)
    await proxy.start()
    settings = make_settings(tmp_path, redis_url=f"redis://127.0.0.1:{proxy.port}{parts.path}")
    try:
        async with running_bot(settings, clock=FakeClock()) as bot:
            body = {"user_id": "phone-1", "text": "什么时候发货呀", "client_msg_id": "m-1"}
            proxy.lose_reply_to(IN_FLIGHT.encode())
            first = await bot.post_chat(body)
            assert proxy.replies_lost == 1
            assert first.status == 200
            replies = (await first.json())["replies"]
            assert replies, "handled, not dropped"
            answered = await Message.filter(direction="out").count()
            assert answered == len(replies)
            again = await bot.post_chat(body)
            assert (await again.json())["replies"] == replies
            assert await Message.filter(direction="out").count() == answered, "not handled twice"
    finally:
        await proxy.cut()


async def test_a_hung_redis_is_asked_once_and_fails_after_one_socket_timeout() -> None:
    """A Redis that takes commands but never answers: the lean path's read times out and the store
    fails at once (unavailable), instead of sending the command again through redis-py's retries."""
    received: list[bytes] = []

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while data := await reader.read(65536):
            received.append(data)
            if b"hung-key" not in data:  # the connection's greeting (HELLO 3, CLIENT ...) is answered
                writer.write(b"%1\r\n$5\r\nproto\r\n:3\r\n" if b"HELLO" in data else b"+OK\r\n")
        writer.close()

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    pool = WaitingPool.from_url(f"redis://127.0.0.1:{port}/0", decode_responses=True, socket_timeout=0.2,
                                retry=Retry(NoBackoff(), RECONNECT_RETRIES))
    store = RedisStore(Redis.from_pool(pool), FakeClock())
    try:
        with pytest.raises(StoreUnavailable):
            await store.get("hung-key")
        assert sum(chunk.count(b"hung-key") for chunk in received) == 1
    finally:
        await store.close()
        server.close()


async def test_a_command_redis_stops_reading_fails_after_one_socket_timeout() -> None:
    """A command too large for the socket's buffers, to a Redis that stopped reading: the lean path's
    write (which waits for the drain only then) is bounded by the socket timeout too, and fails once,
    giving the connection back."""
    done = asyncio.Event()

    async def stops_reading(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while data := await reader.read(65536):
            if b"big-key" in data:
                await done.wait()  # reads nothing more: the client's writes stay buffered
                break
            writer.write(b"%1\r\n$5\r\nproto\r\n:3\r\n" if b"HELLO" in data else b"+OK\r\n")
        writer.close()

    server = await asyncio.start_server(stops_reading, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    pool = WaitingPool.from_url(f"redis://127.0.0.1:{port}/0", decode_responses=True, socket_timeout=0.2,
                                retry=Retry(NoBackoff(), RECONNECT_RETRIES))
    store = RedisStore(Redis.from_pool(pool), FakeClock())
    try:
        with pytest.raises(StoreUnavailable):  # not the bound below: a write waiting without a timeout
            await asyncio.wait_for(store.set("big-key", "x" * (16 << 20)), 60)
        assert not pool._in_use_connections  # given back, disconnected
    finally:
        done.set()
        await store.close()
        server.close()
