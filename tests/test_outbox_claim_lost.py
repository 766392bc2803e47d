"""A deadline's text claimed before its worker's event loop was blocked for minutes, and sent after it, is
not sent when its claim ran out meanwhile (bot/outbox.py `ClaimLost`, `Store.extend_if_holding`).

The claim lives `CLAIM_TTL_S`; past it (and past the lease, bot/scheduler.py `TAKEN_LEASE_S`) another worker
revives the deadline, claims the text afresh and sends it. The blocked worker went on to make its mark last
with a plain write and sent the text a second time. The mark is now made last only while it still holds
this attempt's claim, in the same one command; otherwise the text is not sent and the attempt fails.

The blocked loop: the fake WeChat server holds the answer to the first text's request while the clock
passes (the blocked worker's own timers stand still: a clock of its own that never moves, so it renews
nothing), then answers, and the worker goes on to the second text. On Redis, whose keys expire by its own
clock, the test moves their TTLs by as much as the FakeClock (`time_passes`).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from bot.clock import FakeClock
from bot.outbox import CLAIM_TTL_S
from bot.scheduler import RETRY_AFTER_S, TAKEN, TAKEN_LEASE_S, Scheduler
from bot.store.redis import RedisStore
from models.message import Message
from tests.fakes.bot_app import eventually, make_settings, running_bot
from tests.fakes.wechat_user import wechat_bot
from tests.fakes.wecom_server import FakeWeCom
from tests.test_deadline_worker_gone import SEND, TEXTS, _true, first_send_held, offering
from tests.test_wecom_channel import ALICE, WeComBot


@pytest.fixture(params=["memory", "redis"])
def store_settings(request: pytest.FixtureRequest) -> dict[str, Any]:
    return {} if request.param == "memory" else {"redis_url": request.getfixturevalue("redis_url")}


async def time_passes(store: Any, clock: FakeClock, seconds: float) -> None:
    """The FakeClock moves `seconds` on; on Redis, the store's keys with a TTL are as far on too (those
    that run out within it deleted, as Redis would have), since Redis expires them by its own clock."""
    await clock.advance(seconds)
    if not isinstance(store, RedisStore):
        return  # the in-process store expires by the FakeClock
    async for key in store.client.scan_iter(match=f"{store.keys.prefix}:*"):
        left = await store.client.pttl(key)
        if left > seconds * 1000:
            await store.client.pexpire(key, int(left - seconds * 1000))
        elif left >= 0:
            await store.client.delete(key)


async def test_a_text_claimed_before_a_blocked_loop_is_not_sent_after_it_when_another_worker_sent_it(
        tmp_path: Path, clock: FakeClock, store_settings: dict[str, Any]) -> None:
    async with wechat_bot(tmp_path, clock=clock, **store_settings) as bot:
        store = bot.runtime.store
        await bot.runtime.scheduler.stop()
        blocked, other = Scheduler(store, FakeClock(clock.now())), Scheduler(store, clock)
        outcomes = await offering(bot, (blocked, other), "o_blocked")
        async with first_send_held(bot, blocked, "o_blocked", clock.time()) as (tick, held):
            await time_passes(store, clock, TAKEN_LEASE_S)  # blocked: the second text's claim and the lease ran out
            await other.run_due()  # the lease fell due: the deadline goes back to the store
            await other.run_due()  # fired: the first text found made lasting, the second claimed and sent
            assert outcomes == [["sent", "sent"]]
            held.set()  # the loop goes on: the first request answered, then the second text
            await asyncio.wait_for(tick, 10)
            assert bot.wechat.requests.count(SEND) == 2  # each text once
            assert sorted(bot.wechat.texts_to("o_blocked")) == sorted(TEXTS)
            assert outcomes == [["sent", "sent"]]  # the blocked attempt failed on the second text
            for worker in (blocked, other):  # nothing put back to send it again
                await time_passes(store, clock, RETRY_AFTER_S[-1])
                assert await worker.run_due() == 0
            assert await store.next_due("test-offer") is None and await store.next_due(TAKEN) is None
            rows = await Message.filter(direction="out", text__in=TEXTS).values_list("delivery_status", flat=True)
            assert list(rows) == ["sent", "sent"]


async def test_a_blocked_attempt_leaves_the_mark_another_attempt_made_last_for_its_text(
        tmp_path: Path, clock: FakeClock, store_settings: dict[str, Any]) -> None:
    """The blocked attempt, failing on its second text, released that text's mark with a plain `DEL`: by
    then the mark was the claim of the attempt revived on another worker, made last as its request went
    to WeChat. That worker dying too, a third revived the deadline, found no mark and sent the text again.
    A failed send now deletes a mark only while it holds its own claim."""
    async with wechat_bot(tmp_path, clock=clock, **store_settings) as bot:
        store = bot.runtime.store
        await bot.runtime.scheduler.stop()
        blocked, held, held_too = Scheduler(store, FakeClock(clock.now())), asyncio.Event(), asyncio.Event()
        outcomes = await offering(bot, (blocked,), "o_twice")
        bot.wechat.hold_sends = held
        await blocked.at("test-offer", "o_twice", clock.time())
        tick = asyncio.ensure_future(blocked.run_due())
        dying_tick: asyncio.Future[int] | None = None
        try:
            await eventually(lambda: _true(SEND in bot.wechat.requests), "the first text's request to reach WeChat")
            await time_passes(store, clock, TAKEN_LEASE_S)
            dying = Scheduler(store, FakeClock(clock.now()))  # revives it, then dies in its second text's request
            bot.wechat.hold_sends = held_too
            dying_outcomes = await offering(bot, (dying,), "o_twice")
            await dying.run_due()  # the lease fell due: back in the store
            dying_tick = asyncio.ensure_future(dying.run_due())
            await eventually(lambda: _true(bot.wechat.requests.count(SEND) == 2), "the second text's request")
            bot.wechat.hold_sends = None
            held.set()  # the blocked worker goes on: its second text's claim is gone
            await asyncio.wait_for(tick, 10)
            await time_passes(store, clock, TAKEN_LEASE_S + 1)  # the dying worker's lease falls due
            last = Scheduler(store, clock)
            last_outcomes = await offering(bot, (last,), "o_twice")
            await last.run_due()
            await last.run_due()
            assert bot.wechat.requests.count(SEND) == 2  # each text once (both held: WeChat's to deliver)
            assert (outcomes, dying_outcomes, last_outcomes) == ([], [], [["sent", "sent"]])
        finally:
            held.set()
            held_too.set()
            for running in (tick, dying_tick):
                if running is not None:
                    running.cancel()
                    await asyncio.gather(running, return_exceptions=True)


async def test_a_text_whose_claim_ran_out_with_no_other_attempt_is_sent_by_the_retry(
        tmp_path: Path, clock: FakeClock, store_settings: dict[str, Any]) -> None:
    """The claim ran out, the lease did not (no other worker took the deadline): the attempt fails on the
    second text, and its retry, on the same worker, claims it again and sends it. Once, not lost."""
    async with wechat_bot(tmp_path, clock=clock, **store_settings) as bot:
        store = bot.runtime.store
        await bot.runtime.scheduler.stop()
        worker = Scheduler(store, FakeClock(clock.now()))  # its timers: they stand still while it is blocked
        outcomes = await offering(bot, (worker,), "o_slow")
        async with first_send_held(bot, worker, "o_slow", clock.time()) as (tick, held):
            await time_passes(store, clock, CLAIM_TTL_S + 1)  # past the second text's claim, not the lease
            held.set()
            await asyncio.wait_for(tick, 10)
            assert outcomes == [] and bot.wechat.requests.count(SEND) == 1
            await worker.clock.advance(RETRY_AFTER_S[0])
            assert await worker.run_due() == 1
            assert outcomes == [["sent", "sent"]]
            assert bot.wechat.requests.count(SEND) == 2
            assert sorted(bot.wechat.texts_to("o_slow")) == sorted(TEXTS)


async def test_a_claim_is_made_to_last_only_while_every_key_holds_its_value(open_stores: Any, clock: FakeClock) -> None:
    """`Store.extend_if_holding`, the outbox's one command before a send: all the keys extended, or none."""
    store = open_stores()
    keys = [store.keys("test-mark", name) for name in ("a", "b")]
    for key in keys:
        assert await store.claim(key, 10, f"own-{key}")
    assert await store.extend_if_holding({key: f"own-{key}" for key in keys}, 100) == []
    assert await store.extend_if_holding({key: f"own-{key}" for key in keys}, 100) == []  # sent again: the same
    await store.delete(keys[1])
    assert await store.claim(keys[1], 10, "another's")
    assert await store.extend_if_holding({key: f"own-{key}" for key in keys}, 1000) == [keys[1]]
    await store.delete(keys[1])
    assert await store.extend_if_holding({key: f"own-{key}" for key in keys}, 1000) == [keys[1]]  # gone: not taken
    assert await store.get(keys[1]) is None
    if isinstance(store, RedisStore):  # none extended: the first key lives the 100 s of its last extension
        assert 0 < await store.client.pttl(keys[0]) <= 100_000
    else:
        await clock.advance(101)
        assert await store.get(keys[0]) is None


class HoldingWeCom(FakeWeCom):
    """The fake WeCom, its `send_msg` requests counted as they come (a repeat it drops included) and
    answered only once `hold`, when set, is."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.send_requests = 0
        self.hold: asyncio.Event | None = None

    async def _send_msg(self, request: web.Request) -> web.Response:
        self.send_requests += 1
        if self.hold is not None:
            await self.hold.wait()
        return await super()._send_msg(request)


async def test_a_wecom_text_claimed_before_a_blocked_loop_is_not_requested_again_after_it(
        tmp_path: Path, clock: FakeClock) -> None:
    """The same on WeCom: its msgid (the row's, the same for both attempts) made it drop the blocked
    worker's repeat, but the request was made; now it is not."""
    async with HoldingWeCom(clock=clock) as fake:
        settings = make_settings(tmp_path, wecom_corp_id=fake.corp_id, wecom_kf_secret=fake.secret,
                                 wecom_token=fake.token, wecom_aes_key=fake.aes_key, wecom_api_base=fake.url,
                                 staffed_hours="00:00-24:00")
        async with running_bot(settings, clock=clock) as bot:
            store, wecom, outcomes = bot.runtime.store, WeComBot(bot, fake), []
            await bot.runtime.scheduler.stop()
            assert await wecom.say(ALICE, "你好")  # a session: the bot may write to Alice
            blocked, other = Scheduler(store, FakeClock(clock.now())), Scheduler(store, clock)

            async def offer(user: str) -> None:
                outcomes.append(await bot.runtime.messenger.send_text("wecom", user, *TEXTS))

            for worker in (blocked, other):
                worker.on("test-offer", offer)
            requests_before = fake.send_requests
            held = fake.hold = asyncio.Event()
            await blocked.at("test-offer", ALICE, clock.time())
            tick = asyncio.ensure_future(blocked.run_due())
            try:
                await eventually(lambda: _true(fake.send_requests > requests_before), "the first text's request")
                fake.hold = None
                await time_passes(store, clock, TAKEN_LEASE_S)
                await other.run_due()
                await other.run_due()
                held.set()
                await asyncio.wait_for(tick, 10)
                assert fake.send_requests - requests_before == 2  # each text once
                assert [text for text in fake.texts_to(ALICE) if text in TEXTS] == [TEXTS[1], TEXTS[0]]
                assert outcomes == [["sent", "sent"]]
            finally:
                held.set()
                tick.cancel()
                await asyncio.gather(tick, return_exceptions=True)

