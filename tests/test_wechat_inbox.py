"""A WeChat message answered `success` is owned by the bot until its answer is handed to WeChat.

The inbox (bot/channels/wechat_inbox.py) keeps it in the database before `success` goes out; when
the work fails afterwards (the conversation lock timed out, the worker died, the store was down)
the retry loop of any worker finishes it: exactly one answer, even when the first attempt had
already recorded it. Real app on a socket, real HTTP to the fake WeChat API, time on a FakeClock.
"""

from __future__ import annotations

import asyncio
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest

from bot.clock import FakeClock
from bot.events import Inbound
from models.inbox import InboxEntry
from models.message import Message
from tests.fakes.bot_app import eventually
from tests.fakes.wechat_user import Probe, RecordingClock, WeChatBot, probe_bot, probe_router, wechat_channel

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def clock() -> RecordingClock:
    return RecordingClock()


@pytest.fixture
def probe() -> Probe:
    return probe_router()


async def retry_rounds_until_sent(bot: WeChatBot, clock: FakeClock, openid: str, count: int) -> None:
    """Let the retry loop run (it wakes every WECHAT_INBOX_RETRY_S) until `count` texts reached `openid`."""
    for _ in range(20):
        await clock.advance(bot.settings.wechat_inbox_retry_s)
        for _ in range(50):
            if len(bot.wechat.texts_to(openid)) >= count:
                return
            await asyncio.sleep(0.01)
    raise AssertionError(f"{openid} got {bot.wechat.texts_to(openid)}")


async def entry_status(openid: str) -> list[str]:
    return [entry.status for entry in await InboxEntry.all() if openid in entry.delivery_key]


async def test_lock_timeout_after_success_is_retried_to_one_answer(tmp_path, clock, probe) -> None:
    """The conversation lock is held (a killed worker's) past the passive budget and the lock wait."""
    async with probe_bot(tmp_path, clock, probe) as bot:
        user = bot.user()
        store = bot.runtime.store
        async with store.lock(f"wechat:{user.openid}", timeout=600):
            first = asyncio.create_task(user.say("echo:锁住了也要回", msg_id=9101))
            await eventually(lambda: _true(any(4 < s <= 5 for s in clock.sleeps)), "the dispatch to wait for the lock")
            await clock.advance(3)
            assert (await first).is_success
            assert await entry_status(user.openid) == ["pending"]
            await clock.advance(2.5)  # the lock wait ends: LockTimeout
            await eventually(lambda: _attempts(user.openid, 1), "the failure to be noted")
        assert bot.wechat.texts_to(user.openid) == []
        await retry_rounds_until_sent(bot, clock, user.openid, 1)
        await wechat_channel(bot).settle()
        assert bot.wechat.texts_to(user.openid) == ["锁住了也要回"]
        assert probe.calls == ["echo:锁住了也要回"]
        assert await Message.filter(direction="in", source_id="9101").count() == 1
        await eventually(lambda: _status_is(user.openid, "done"), "the entry to be done")
        for _ in range(3):  # later rounds find nothing owed
            await clock.advance(bot.settings.wechat_inbox_retry_s)
        assert bot.wechat.texts_to(user.openid) == ["锁住了也要回"]


async def test_work_of_a_dead_worker_is_finished_after_its_claim(tmp_path, clock, probe) -> None:
    async with probe_bot(tmp_path, clock, probe) as bot:
        user = bot.user()
        channel = wechat_channel(bot)
        first = asyncio.create_task(user.say("slow:我还在等", msg_id=9102))
        await eventually(lambda: _true(probe.entered.is_set()), "the handler to start")
        await clock.advance(3)
        assert (await first).is_success
        for task in list(channel._background.tasks):  # the worker dies: its work stops where it is
            task.cancel()
        await asyncio.gather(*channel._background.tasks, return_exceptions=True)
        probe.gate.set()
        assert await entry_status(user.openid) == ["pending"]
        await clock.advance(bot.settings.wechat_inbox_lease_s)
        await retry_rounds_until_sent(bot, clock, user.openid, 1)
        await channel.settle()
        assert bot.wechat.texts_to(user.openid) == ["我还在等"]
        assert await Message.filter(direction="in", source_id="9102").count() == 1
        await eventually(lambda: _status_is(user.openid, "done"), "the entry to be done")


async def test_an_answer_recorded_but_not_sent_is_sent_without_answering_again(tmp_path, clock, probe) -> None:
    """A worker died between recording the answer and sending it: the retry sends those rows only."""
    async with probe_bot(tmp_path, clock, probe) as bot:
        user = bot.user()
        channel = wechat_channel(bot)
        inbound = Inbound(channel="wechat", user_id=user.openid, kind="text", text="long:60", source_id="9103",
                          received_at=clock.now())
        assert channel.inbox is not None
        await channel.inbox.keep("wechat", "dead-worker:9103", inbound)
        outcome = await bot.runtime.dispatcher.handle(inbound, channel.max_bytes)
        assert len(outcome.texts) > 1 and probe.calls == ["long:60"]
        await clock.advance(bot.settings.wechat_inbox_lease_s)
        await retry_rounds_until_sent(bot, clock, user.openid, len(outcome.texts))
        await channel.settle()
        assert bot.wechat.texts_to(user.openid) == outcome.texts
        assert probe.calls == ["long:60"]

        async def all_marked_sent() -> bool:  # the retry loop marks the rows after the fake has them
            return await Message.filter(direction="out", delivery_status="sent").count() == len(outcome.texts)

        await eventually(all_marked_sent, "every part to be marked sent")
        await eventually(lambda: _status_is("dead-worker", "done"), "the entry to be done")


async def test_a_long_answer_tail_is_kept_until_sent(tmp_path, clock, probe) -> None:
    async with probe_bot(tmp_path, clock, probe) as bot:
        user = bot.user()
        reply = await user.say("long:60", msg_id=9104)
        await wechat_channel(bot).settle()
        tail = bot.wechat.texts_to(user.openid)
        assert reply.content and tail and "第001句" in reply.content
        await eventually(lambda: _status_is(user.openid, "done"), "the entry to be done")
        await InboxEntry.all().update(finished_at=clock.now() - timedelta(days=1, seconds=1))
        await clock.advance(bot.settings.wechat_inbox_retry_s)
        await eventually(lambda: _no_entries(), "done entries to be purged after a day")


async def test_a_message_the_store_forgot_is_not_answered_again(tmp_path, clock, probe) -> None:
    """The delivery dedupe lives in the store; after Redis lost it (a restart), WeChat's retry of a
    message already answered meets the database's record and is not handled a second time."""
    async with probe_bot(tmp_path, clock, probe) as bot:
        user = bot.user()
        assert (await user.say("long:60", msg_id=9106)).content
        await wechat_channel(bot).settle()
        sent = bot.wechat.texts_to(user.openid)
        deliveries = wechat_channel(bot).deliveries
        assert deliveries is not None and sent
        await bot.runtime.store.delete(deliveries.key((user.openid, "9106")))  # what a Redis restart does
        again = await user.say("long:60", msg_id=9106)
        await wechat_channel(bot).settle()
        assert again.is_success
        assert probe.calls == ["long:60"]
        assert bot.wechat.texts_to(user.openid) == sent
        assert await Message.filter(direction="in", source_id="9106").count() == 1


async def test_a_quick_repeat_finds_the_passive_part_sent(tmp_path, clock, probe) -> None:
    """The same, with the retry right after the passive reply, its sent mark still waiting for a batch
    (`Recorder.note_sent`): the part went out, so it is not owed again (`Dispatcher._still_owed` leaves out
    what the recorder knows went, without waiting for the writes, which under load never fall idle)."""
    async with probe_bot(tmp_path, clock, probe) as bot:
        user = bot.user()
        assert (await user.say("echo:你好", msg_id=9107)).content
        deliveries = wechat_channel(bot).deliveries
        assert deliveries is not None
        await bot.runtime.store.delete(deliveries.key((user.openid, "9107")))  # the mark still waits
        again = await user.say("echo:你好", msg_id=9107)
        assert again.is_success  # answered before: nothing owed, not the text a second time
        await wechat_channel(bot).settle()
        assert await Message.filter(direction="in", source_id="9107").count() == 1
        assert await Message.filter(direction="out", delivery_status="sent").count() == 1


@contextmanager
def private_redis(port: int) -> Iterator[subprocess.Popen[bytes]]:
    """A Redis of our own (no persistence, like the probe's), so the test can stop and restart it."""
    process = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(500):
            with socket.socket() as probe_socket:
                if probe_socket.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.01)  # waiting for the server process to listen, not for the bot
        yield process
    finally:
        process.terminate()
        process.wait(timeout=10)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server")
async def test_a_redis_restart_after_success_is_finished_without_answering_twice(tmp_path, clock, probe) -> None:
    """Redis dies while the answer is being recorded (after `success`) and comes back empty."""
    port = free_port()
    with private_redis(port) as redis:
        async with probe_bot(tmp_path, clock, probe, redis_url=f"redis://127.0.0.1:{port}/0") as bot:
            user = bot.user()
            first = asyncio.create_task(user.say("slow:停电也要回", msg_id=9105))
            await eventually(lambda: _true(probe.entered.is_set()), "the handler to start")
            await clock.advance(3)
            assert (await first).is_success
            redis.terminate()
            await asyncio.to_thread(redis.wait, 10)
            probe.gate.set()  # the handler answers; saving the state and releasing the lock fail
            await eventually(lambda: _attempts(user.openid, 1), "the failure to be noted")
            assert bot.wechat.texts_to(user.openid) == []
            with private_redis(port):
                await retry_rounds_until_sent(bot, clock, user.openid, 1)
                await wechat_channel(bot).settle()
                assert bot.wechat.texts_to(user.openid) == ["停电也要回"]
                assert probe.calls == ["slow:停电也要回"]  # the recorded answer was sent, not made again
                await eventually(lambda: _status_is(user.openid, "done"), "the entry to be done")


async def _status_is(openid: str, status: str) -> bool:
    return await entry_status(openid) == [status]


async def _true(value: bool) -> bool:
    return value


async def _attempts(openid: str, count: int) -> bool:
    return [entry.attempts for entry in await InboxEntry.all() if openid in entry.delivery_key] == [count]


async def _no_entries() -> bool:
    return await InboxEntry.all().count() == 0
