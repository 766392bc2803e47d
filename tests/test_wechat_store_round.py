"""A WeChat message's store commands on Redis (bot/channels/wechat.py, bot/store/redis.py): the
delivery claim also takes the conversation's lock and reads its state when the lock is free, so a
message costs two Lua calls (claim and lock, write and release); a message of a conversation
already being handled still waits its turn, and a claim refused takes no lock."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from bot.clock import FakeClock
from bot.store.base import Claim, HoldRequest, KeyBuilder, Write
from bot.store.redis import RedisStore
from tests.fakes.wechat_user import PROBE_TEMPLATES, probe_router, scripts_with, wechat_bot
from tests.redis_commands import commands_sent

pytestmark = pytest.mark.timeout(30)


def probe_bot(tmp_path, redis_url: str, probe):
    return wechat_bot(tmp_path, clock=FakeClock(), routers=[probe.router],
                      scripts_dir=scripts_with(tmp_path, PROBE_TEMPLATES), redis_url=redis_url)


async def test_a_message_costs_two_redis_commands(tmp_path, redis_url) -> None:
    probe = probe_router()
    async with probe_bot(tmp_path, redis_url, probe) as bot:
        user = bot.user()
        assert (await user.say("echo:先热身")).content == "先热身"  # the scripts are loaded into Redis
        store = bot.runtime.store
        assert isinstance(store, RedisStore)
        with commands_sent(store, skip=the_ticker) as calls:
            reply = await user.say("echo:第二句")
        assert reply.content == "第二句"
        assert calls == ["EVALSHA", "EVALSHA"], calls
        assert (await store.get_state(f"wechat:{user.openid}") or {}).get("turns") == 2


async def test_a_conversation_being_handled_makes_the_next_message_wait_its_turn(tmp_path, redis_url) -> None:
    probe = probe_router()
    async with probe_bot(tmp_path, redis_url, probe) as bot:
        user = bot.user()
        first = asyncio.create_task(user.say("slow:第一句"))
        await asyncio.wait_for(probe.entered.wait(), 10)  # the first message holds the conversation
        store = bot.runtime.store
        assert isinstance(store, RedisStore)
        refused = asyncio.Event()
        lock_and_read = store._lock_and_read

        async def watched(*args, **kwargs):
            got = await lock_and_read(*args, **kwargs)
            if not got[0]:
                refused.set()
            return got

        store._lock_and_read = watched  # type: ignore[method-assign]
        second = asyncio.create_task(user.say("echo:第二句"))
        await asyncio.wait_for(refused.wait(), 10)  # the second message asked for the conversation: refused
        assert not second.done() and probe.calls == ["slow:第一句"]
        probe.gate.set()
        assert (await first).content == "第一句"
        assert (await second).content == "第二句"
        assert probe.calls == ["slow:第一句", "echo:第二句"]
        assert (await bot.runtime.store.get_state(f"wechat:{user.openid}") or {}).get("turns") == 2


async def test_claim_takes_a_free_lock_with_the_reads_and_a_refused_claim_takes_none(redis_url) -> None:
    store = RedisStore.from_url(redis_url, FakeClock(), KeyBuilder(f"round-{uuid.uuid4().hex[:8]}"))
    try:
        extra = store.keys("handoff", "wechat:o1")
        await store.set_state("wechat:o1", {"turns": 4})
        await store.set(extra, "holder")
        hold = HoldRequest("wechat:o1", (extra,))
        claimed = await store.claim_in_order([Claim(store.keys("d", "1"), "v1", 5)], hold=hold)
        assert claimed.refused is None and claimed.taken is not None
        assert (claimed.taken.state, claimed.taken.values) == ({"turns": 4}, {extra: "holder"})

        other = await store.claim_in_order([Claim(store.keys("d", "2"), "v2", 5)], hold=hold)
        assert other.refused is None and other.taken is None  # the lock is held: the claim alone
        async with store.hold_conversation("wechat:o1", extra, taken=claimed.taken) as held:
            assert held.state == {"turns": 4}
            held.save = {"turns": 5}
            held.writes.append(Write(store.keys("answer"), "done"))
        assert await store.get_state("wechat:o1") == {"turns": 5}
        assert await store.get(store.keys("answer")) == "done"

        refused = await store.claim_in_order([Claim(store.keys("d", "1"), "v3", 5)], hold=hold)
        assert refused.refused == 0 and refused.taken is None
        async with store.lock("wechat:o1", wait=0):  # released, and not taken by the refused claim
            pass

        again = await store.claim_in_order([Claim(store.keys("d", "3"), "v4", 5)], hold=hold)
        assert again.taken is not None
        await store.release_taken(again.taken)
        async with store.lock("wechat:o1", wait=0):
            pass
    finally:
        await store.close()


def the_ticker(args: tuple) -> bool:
    """The scheduler's commands, not the message's."""
    return any(":due:" in str(arg) for arg in args)
