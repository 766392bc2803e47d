"""A deadline whose worker died while its callback ran is fired again by another worker, and its text
goes out at most once (bot/scheduler.py `TAKEN`, bot/outbox.py `CLAIM_TTL_S`).

The pop took the deadline out of the store: a worker killed between a text's once-only mark and its
send lost the deadline, and the text with it (the mark, an hour's, would have made any later attempt take
it for sent). Now a taken deadline leaves a lease that its end removes; fallen due, it puts the deadline
back for any worker. The mark lasts only a few minutes until just before the platform's request: gone by
then, the revived attempt sends the text; made to last (the request may have reached WeChat: `MAYBE_DONE`),
it is not sent again. A death is the worker's task stuck for good (it never goes on, nothing of it is put
back) and its timers stopped (a clock of its own that never moves: a worker alive renews the lease of a
callback that runs long) while the clock passes the lease; the other worker is a second scheduler on the same store; the
customer is the fake WeChat server over real HTTP. Where the worker is stuck is made from outside: the fake
WeChat holding a send, or Redis through a proxy (tests/tcp_proxy.py) holding a command back.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.clock import FakeClock
from bot.scheduler import LEASE_RENEWED_AFTER_S, TAKEN, TAKEN_LEASE_S, Scheduler, current_firing
from bot.store.base import KeyBuilder
from bot.store.keys import LEASE_SEPARATOR, deadline_lease
from bot.store.redis import RedisStore
from models.message import Message
from tests.fakes.bot_app import eventually
from tests.fakes.wechat_user import wechat_bot
from tests.redis_keys import run_key_prefix
from tests.tcp_proxy import TcpProxy, resp_command
from tests.test_deadline_sends_once import bot_on_a_proxied_redis
from tests.test_scheduler_cancel import until_held

TEXTS = ("亲，现在可以给我们留言", "留言后我们会尽快回复您")
SEND = ("POST", "/cgi-bin/message/custom/send")


async def offering(bot: Any, workers: tuple[Scheduler, ...], openid: str) -> list[list[str]]:
    """`workers` fire "test-offer" by sending `TEXTS` to the member, each attempt's outcomes noted in the
    list returned; `openid` has just written, so the sends find its window open."""
    outcomes: list[list[str]] = []

    async def offer(member: str) -> None:
        outcomes.append(await bot.runtime.messenger.send_text("wechat", member, *TEXTS))

    for worker in workers:
        worker.on("test-offer", offer)
    bot.wechat.customer_action(openid, "text")
    await bot.runtime.channels["wechat"].budget.customer_action(openid)  # a window: the sends read it
    return outcomes


@contextlib.asynccontextmanager
async def first_send_held(bot: Any, worker: Scheduler, openid: str,
                          due: float) -> AsyncIterator[tuple[asyncio.Future[int], asyncio.Event]]:
    """`worker`'s tick firing "test-offer" for `openid` at `due`, once its first text's request reached the
    fake WeChat, which holds it unanswered (the later requests are answered); yields the tick and the event
    that lets the held request be answered. At the exit the request is let go and the tick ended."""
    held = bot.wechat.hold_sends = asyncio.Event()
    await worker.at("test-offer", openid, due)
    tick = asyncio.ensure_future(worker.run_due())
    try:
        await eventually(lambda: _true(SEND in bot.wechat.requests), "the first text's request to reach WeChat")
        bot.wechat.hold_sends = None
        yield tick, held
    finally:
        held.set()
        tick.cancel()
        await asyncio.gather(tick, return_exceptions=True)


async def test_a_deadline_whose_worker_died_before_its_sends_is_fired_again_and_its_texts_sent_once(
        tmp_path: Path, clock: Any, redis_url: str) -> None:
    """The worker claimed the texts' marks and wrote their rows, and is stuck for good reading the send
    budget (Redis through a proxy holding that read back). Its marks were claimed for `CLAIM_TTL_S` only,
    shorter than the lease: gone once Redis' clock passed it too. The revived attempt sends both texts, once."""
    async with bot_on_a_proxied_redis(tmp_path, clock, redis_url) as (bot, proxy):
        store = bot.runtime.store
        await bot.runtime.scheduler.stop()
        gone_worker = Scheduler(store, FakeClock(clock.now()))  # dead: its timers never fire
        other = Scheduler(store, clock)
        outcomes = await offering(bot, (gone_worker, other), "o_gone")
        proxy.hold_next(resp_command("GET", b":budget:"))
        await gone_worker.at("test-offer", "o_gone", clock.time())
        dead = asyncio.ensure_future(gone_worker.run_due())
        try:
            await until_held(proxy, dead)
            await redis_time_passes(store, TAKEN_LEASE_S)
            await revived_elsewhere(bot, clock, other, outcomes)
            assert bot.wechat.texts_to("o_gone") == list(TEXTS)
        finally:
            dead.cancel()
            await asyncio.gather(dead, return_exceptions=True)
            proxy.let_go()


async def test_a_deadline_whose_worker_died_during_its_first_send_is_fired_again_and_its_texts_sent_at_most_once(
        tmp_path: Path, clock: Any) -> None:
    """The first text's request reached WeChat, which never answers: its mark was made to last, so the revived
    attempt takes it for sent (WeChat's to deliver) and sends the second. The in-process store: it expires
    the marks by the FakeClock."""
    async with wechat_bot(tmp_path, clock=clock) as bot:
        store = bot.runtime.store
        await bot.runtime.scheduler.stop()
        gone_worker = Scheduler(store, FakeClock(clock.now()))  # dead: its timers never fire
        other = Scheduler(store, clock)
        outcomes = await offering(bot, (gone_worker, other), "o_gone")
        async with first_send_held(bot, gone_worker, "o_gone", clock.time()):
            await revived_elsewhere(bot, clock, other, outcomes)
            assert bot.wechat.texts_to("o_gone") == [TEXTS[1]]  # the first is WeChat's to deliver (held here)


async def redis_time_passes(store: RedisStore, seconds: float) -> None:
    """What Redis does once `seconds` pass on its own clock, which the FakeClock does not move: the store's
    keys that would expire by then are deleted."""
    gone = [key async for key in store.client.scan_iter(match=store.keys("*"))
            if 0 <= await store.client.pttl(key) <= seconds * 1000]
    if gone:
        await store.client.delete(*gone)


async def revived_elsewhere(bot: Any, clock: Any, other: Scheduler, outcomes: list[list[str]]) -> None:
    """The lease falls due: `other` puts the deadline back and fires it. Each text reached WeChat once (the
    dead worker's first, or none) and its row says sent."""
    await clock.advance(TAKEN_LEASE_S)
    await other.run_due()  # the lease fell due: the deadline goes back to the store
    await other.run_due()  # and is fired here
    assert outcomes == [["sent", "sent"]]
    assert bot.wechat.requests.count(SEND) == 2
    rows = await Message.filter(direction="out", text__in=TEXTS).values_list("delivery_status", flat=True)
    assert list(rows) == ["sent", "sent"]


async def _true(value: bool) -> bool:
    return value



async def test_a_deadline_behind_a_slow_tick_keeps_its_lease_and_is_fired_once(open_stores: Any, clock: Any) -> None:
    """A tick leases every deadline it takes at once, then fires them one after the other. Behind slow
    callbacks (sends timing out in an outage), a deadline began with its lease nearly run: the lease fell
    due while it ran, another worker took it for dead and fired it too (its texts' marks claimed before
    the lapse still held, so a revived attempt could also take them for sent). The leases of the
    deadlines not begun are now renewed as the tick goes on (`LEASE_RENEWED_AFTER_S`)."""
    slow, other, fired = Scheduler(open_stores(), clock), Scheduler(open_stores(), clock), []

    def worker(name: str) -> Any:
        async def fire(member: str) -> None:
            fired.append((name, member))
            if name == "slow":
                await clock.advance(0.6 * TAKEN_LEASE_S)  # its sends time out, one after the other
                if member == "a2":  # the other worker ticks past the lease a2 was taken with while it runs
                    assert (await other.run_due(), await other.run_due()) == (0, 0)
        return fire

    slow.on("ack", worker("slow"))
    other.on("ack", worker("other"))
    for member in ("a1", "a2"):
        await slow.at("ack", member, clock.time())
    await slow.run_due()
    await clock.advance(2 * TAKEN_LEASE_S)
    await other.run_due()  # no lease left to revive anything
    await other.run_due()
    assert fired == [("slow", "a1"), ("slow", "a2")]


async def test_a_callback_running_past_its_lease_keeps_it_and_is_not_fired_beside_itself(
        open_stores: Any, clock: Any) -> None:
    """One callback running longer than `TAKEN_LEASE_S` (a send waiting on a slow platform, minutes): its
    lease fell due while it ran, and another worker took it for dead and fired it beside itself. The
    lease is now renewed while the callback runs, every `LEASE_RENEWED_AFTER_S`."""
    long, other, fired = Scheduler(open_stores(), clock), Scheduler(open_stores(), clock), []
    store, running, done = open_stores(), asyncio.Event(), asyncio.Event()

    def worker(name: str) -> Any:
        async def fire(member: str) -> None:
            fired.append((name, member))
            running.set()
            await done.wait()
        return fire

    long.on("ack", worker("long"))
    other.on("ack", worker("other"))
    await long.at("ack", "a1", clock.time())
    tick = asyncio.ensure_future(long.run_due())
    try:
        await asyncio.wait_for(running.wait(), 5)
        for _ in range(int(2 * TAKEN_LEASE_S / LEASE_RENEWED_AFTER_S)):
            await clock.advance(LEASE_RENEWED_AFTER_S)
            await eventually(lambda: _lease_due_at(store, clock.time() + TAKEN_LEASE_S), "the lease renewed", 5)
            assert await other.run_due() == 0
        done.set()
        assert await tick == 1
    finally:
        done.set()
        await asyncio.gather(tick, return_exceptions=True)
    assert fired == [("long", "a1")]
    assert await store.next_due(TAKEN) is None  # ended: its lease gone


async def test_a_lease_renewed_behind_a_slow_tick_does_not_undo_a_cancel_elsewhere(
        open_stores: Any, clock: Any) -> None:
    """A slow tick renews the leases of the deadlines it took and has not begun; one of them cancelled on
    another worker meanwhile (its lease removed there) had its lease added back by the renewal, and when
    this worker died during it, the lease brought the cancelled deadline back: fired on the other worker.
    A renewal now moves a lease only while it is there (`Store.renew_leases`); and the deadline whose lease
    it found gone is not begun here either, where it was fired the cancel notwithstanding. A lease added
    back would be left by this tick, and bring it back on the other worker."""
    own = FakeClock(clock.now())  # the slow worker's timers
    slow, other, fired = Scheduler(open_stores(), own), Scheduler(open_stores(), clock), []

    def worker(name: str) -> Any:
        async def fire(member: str) -> None:
            fired.append((name, member))
            if name == "slow" and member == "a1":  # a2 taken here, not begun: cancelled on the other worker
                await other.cancel("ack", "a2")
                for moved in (own, clock):  # slow: a2's lease renewed meanwhile, or as it begins
                    await moved.advance(2 * LEASE_RENEWED_AFTER_S)
        return fire

    slow.on("ack", worker("slow"))
    other.on("ack", worker("other"))
    for member in ("a1", "a2"):
        await slow.at("ack", member, clock.time())
    assert await slow.run_due() == 1
    await clock.advance(2 * TAKEN_LEASE_S)
    await other.run_due()  # a lease left would put a2 back here
    await other.run_due()
    assert fired == [("slow", "a1")]
    assert await open_stores().next_due(TAKEN) is None


async def _lease_due_at(store: Any, due_at: float) -> bool:
    return await store.next_due(TAKEN) == pytest.approx(due_at)


def _removing(lease: bytes) -> Any:
    """Matches the first request that removes `lease` (one naming it other than a `ZADD`): held there by
    the proxy (`TcpProxy.hold_next`), the worker died just before sending it."""
    return lambda request: lease in request and b"ZADD" not in request


async def test_a_worker_dying_as_a_deadline_ends_leaves_it_whole_and_its_text_is_not_sent_again(
        redis_url: str, clock: Any) -> None:
    """A deadline's end was two commands: its marks deleted, then its lease. A worker dying between them
    left the lease, which brought the ended deadline back with its marks gone: its text went again. The
    end is now one atomic command (`Store.delete_and_cancel`): a worker dying as it ends the deadline leaves
    it whole, and the attempt its lease revives finds the text sent. Redis only: the in-process store dies
    with its worker."""
    keys, port = KeyBuilder(run_key_prefix()), int(redis_url.rsplit(":", 1)[1].split("/")[0])
    proxy = TcpProxy("127.0.0.1", port)
    await proxy.start()
    proxy.hold_next(_removing(f"ack{LEASE_SEPARATOR}a1".encode()))
    dying_store = RedisStore.from_url(f"redis://127.0.0.1:{proxy.port}/0", clock, keys, reconnect_backoff_s=0)
    store = RedisStore.from_url(redis_url, clock, keys)
    dying = Scheduler(dying_store, FakeClock(clock.now()))  # its timers stop when it dies
    other, sent = Scheduler(store, clock), []

    def worker(name: str, worker_store: RedisStore) -> Any:
        async def offer(member: str) -> None:  # the outbox's way: a mark per text, deleted at the end
            firing = current_firing()
            assert firing is not None
            mark = worker_store.keys("test-mark", member)
            firing.marks.append(mark)
            if await worker_store.get(mark) is None:
                sent.append(name)
                await worker_store.set(mark, "sent", ttl=3600)
        return offer

    dying.on("ack", worker("dying", dying_store))
    other.on("ack", worker("other", store))
    await store.schedule("ack", "a1", clock.time())
    dead = asyncio.ensure_future(dying.run_due())
    try:
        await asyncio.wait_for(proxy.held.wait(), 5)
        await clock.advance(TAKEN_LEASE_S)
        await other.run_due()  # a lease left puts the deadline back
        await other.run_due()
        assert sent == ["dying"]
        assert await store.next_due(TAKEN) is None
    finally:
        proxy.let_go()  # the worker's task ends without waiting out its timeouts
        await asyncio.wait_for(asyncio.gather(dead, return_exceptions=True), 10)
        for opened in (dying_store, store):
            await opened.close()
        await proxy.cut()


async def test_a_deadline_revived_from_a_lapsed_lease_is_back_in_the_store_before_the_ticks_callbacks(
        open_stores: Any, clock: Any) -> None:
    """The pop that finds a lease fallen due removes it in the same step; the deadline it revived waited in
    the worker until every callback of the tick had run (minutes behind slow sends), with no lease: this
    worker dying meanwhile lost it for good. It is now back in the store before the first callback, so a
    worker dying during the tick leaves it to the others."""
    own = FakeClock(clock.now())  # the dying worker's timers: they stop when it dies
    dying_worker, other, fired = Scheduler(open_stores(), own), Scheduler(open_stores(), clock), []
    store, dying = open_stores(), asyncio.Event()

    def worker(name: str) -> Any:
        async def fire(member: str) -> None:
            fired.append((name, member))
            if name == "dying":  # this worker dies during its first callback
                dying.set()
                await asyncio.Event().wait()
        return fire

    dying_worker.on("ack", worker("dying"))
    other.on("ack", worker("other"))
    await store.schedule(TAKEN, deadline_lease("ack", "revived", "t0"), clock.time() - 1)  # its worker died
    await dying_worker.at("ack", "a1", clock.time())
    dead = asyncio.ensure_future(dying_worker.run_due())
    try:
        await asyncio.wait_for(dying.wait(), 5)
        assert await store.next_due("ack") == pytest.approx(clock.time())  # back, before a1's callback ended
        await clock.advance(1)
        await other.run_due()
        assert fired == [("dying", "a1"), ("other", "revived")]
    finally:
        dead.cancel()
        await asyncio.gather(dead, return_exceptions=True)


async def test_a_worker_stopping_during_a_send_leaves_the_deadline_to_another_and_the_text_is_not_sent_again(
        tmp_path: Path, clock: Any) -> None:
    """A deploy stops the worker while a deadline's first text is on its way to WeChat (no answer yet). The
    stop took the deadline's lease with it unrun, so every deploy lost the deadline being fired (a 留言
    offer, an SLA alert); it now goes back to the store, due now, and another worker runs it: the text in
    flight (it may have reached the customer) is not sent again, the one never sent is."""
    async with wechat_bot(tmp_path, clock=clock) as bot:
        store = bot.runtime.store
        await bot.runtime.scheduler.stop()
        stopping, other = Scheduler(store, clock), Scheduler(store, clock)
        outcomes = await offering(bot, (stopping, other), "o_deploy")
        async with first_send_held(bot, stopping, "o_deploy", clock.time()) as (tick, _):
            tick.cancel()  # the worker stops
            with pytest.raises(asyncio.CancelledError):
                await tick
            assert await other.run_due() == 1  # due now, not when a lease falls due
            assert outcomes == [["sent", "sent"]]
            assert bot.wechat.requests.count(SEND) == 2  # each text once
            assert bot.wechat.texts_to("o_deploy") == [TEXTS[1]]  # the first is WeChat's to deliver (held here)
            assert await store.next_due(TAKEN) is None


async def test_a_worker_stopping_while_a_finished_deadline_ends_does_not_hand_it_back(
        tmp_path: Path, clock: Any, redis_url: str) -> None:
    """A deploy stops the worker after a deadline's callback returned, while its end is on its way to the
    store (the command ran, its answer not back: Redis through a proxy holding the reply). The stop handed
    the finished deadline back as if cut short, and another worker sent its texts again under a new
    generation; it is now ended again (the same one command) and not put back."""
    async with bot_on_a_proxied_redis(tmp_path, clock, redis_url) as (bot, proxy):
        messenger, store = bot.runtime.messenger, bot.runtime.store
        await bot.runtime.scheduler.stop()
        stopping, other = Scheduler(store, clock), Scheduler(store, clock)

        async def offer(openid: str) -> None:
            assert await messenger.send_text("wechat", openid, *TEXTS) == ["sent", "sent"]

        for worker in (stopping, other):
            worker.on("test-offer", offer)
        bot.wechat.customer_action("o_ending", "text")
        await bot.runtime.channels["wechat"].budget.customer_action("o_ending")  # a window: the sends read it
        # the end (`Store.delete_and_cancel`, one script): the deadline's lease, marks and failures count
        proxy.hold_reply_to(resp_command("EVALSHA", b":due:deadline-leases\r\n", b"sent-once:test-offer:o_ending:",
                                         b"deadline-failures:test-offer"))
        await stopping.at("test-offer", "o_ending", clock.time())
        tick = asyncio.ensure_future(stopping.run_due())
        try:
            await asyncio.wait_for(proxy.held.wait(), 5)
            tick.cancel()  # the worker stops
            with pytest.raises(asyncio.CancelledError):
                await tick
            assert await other.run_due() == 0
            assert bot.wechat.texts_to("o_ending") == list(TEXTS)
            assert await store.next_due(TAKEN) is None
        finally:
            proxy.let_go()
            tick.cancel()
            await asyncio.gather(tick, return_exceptions=True)
