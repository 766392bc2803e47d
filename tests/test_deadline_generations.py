"""A deadline's once-only marks never keep a later deadline of the same kind and member from sending
(bot/outbox.py `_generation`).

A failed attempt's marks were deleted only by the worker it failed on: a cancel on another worker, or a
retry succeeding on another worker without sending the same text again, left them in the store for an
hour, and the member's next deadline sending the same text (a 留言 offer queued again) reported it sent
and sent nothing. Two workers are two schedulers on one store (in-process, and Redis on 127.0.0.1); the
customer is the fake WeChat server over real HTTP; time is a FakeClock.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.scheduler import EPOCH, MAX_ATTEMPTS, RETRY_AFTER_S, Scheduler
from bot.store.base import StoreUnavailable
from bot.store.keys import deadline_generation
from models.message import Message
from tests.fakes.wechat_user import wechat_bot
from tests.store_faults import SENDS_OF_A_COMMAND, claim_of, lose_the_replies
from tests.tcp_proxy import resp_command
from tests.test_deadline_sends_once import bot_on_a_proxied_redis, store_settings

__all__ = ["store_settings"]  # the fixture: the in-process store and Redis

OFFER = "亲，现在可以给我们留言"

#: How the first deadline, whose first attempt (on the first worker) sent the offer then failed, ended.
ENDINGS = ("cancelled on the other worker", "cancelled on the same worker",
           "its retry on the other worker had nothing left to send")


async def fire_the_first_attempt(bot: Any, clock: Any, workers: tuple[Scheduler, ...],
                                 offer: Callable[[str], Awaitable[None]], openid: str) -> None:
    """`offer` the callback of every worker's test deadline; customer `openid` writes (WeChat's window for
    sending opens); the deadline is set and fired on the first worker; the clock moves to its retry."""
    for worker in workers:
        worker.on("test-offer", offer)
    bot.wechat.customer_action(openid, "text")
    await workers[0].at("test-offer", openid, clock.time())
    await workers[0].run_due()
    await clock.advance(RETRY_AFTER_S[0])



def offer_by_steps(messenger: Any, steps: list[str]) -> Callable[[str], Awaitable[None]]:
    """An offer callback whose attempts do `steps` in turn: "send, then fail" (the text goes out, the
    callback fails after it), "nothing to send", or anything else (the text goes out)."""

    async def offer(openid: str) -> None:
        step = steps.pop(0)
        if step != "nothing to send":
            assert await messenger.send_text("wechat", openid, OFFER) == ["sent"]
        if step == "send, then fail":
            raise RuntimeError("the offer not recorded")

    return offer

@pytest.mark.parametrize("next_fires_on", ["the worker it failed on", "the other worker"])
@pytest.mark.parametrize("ending", ENDINGS)
async def test_the_next_deadline_sends_the_text_an_ended_one_sent(
        tmp_path: Path, clock: Any, store_settings: dict[str, Any], ending: str, next_fires_on: str) -> None:
    async with wechat_bot(tmp_path, clock=clock, **store_settings) as bot:
        failing, messenger, steps = bot.runtime.scheduler, bot.runtime.messenger, ["send, then fail"]
        await failing.stop()
        other = Scheduler(bot.runtime.store, clock)
        offer = offer_by_steps(messenger, steps)

        await fire_the_first_attempt(bot, clock, (failing, other), offer, "o_gen")
        if ending == "its retry on the other worker had nothing left to send":
            steps.append("nothing to send")
            await other.run_due()
        else:
            await (other if ending == "cancelled on the other worker" else failing).cancel("test-offer", "o_gen")
        await other.run_due()
        await failing.run_due()
        assert steps == [] and bot.wechat.texts_to("o_gen") == [OFFER]

        await clock.advance(10)  # queued again, well within the hour a mark lives
        steps.append("send")
        await failing.at("test-offer", "o_gen", clock.time())
        await (failing if next_fires_on == "the worker it failed on" else other).run_due()
        assert steps == [] and bot.wechat.texts_to("o_gen") == [OFFER, OFFER]


@pytest.mark.parametrize("failure", [RuntimeError("the offer not recorded"), StoreUnavailable("the store went away")],
                         ids=["a bug", "an outage"])
async def test_an_attempt_cancelled_on_another_worker_while_it_ran_does_not_send_again(
        tmp_path: Path, clock: Any, store_settings: dict[str, Any], failure: Exception) -> None:
    """The cancel cannot reach the attempt running on the first worker, which failed after sending: its
    retry used to find the generation gone, draw another and send the offer a second time."""
    async with wechat_bot(tmp_path, clock=clock, **store_settings) as bot:
        running, messenger, calls = bot.runtime.scheduler, bot.runtime.messenger, []
        await running.stop()
        other = Scheduler(bot.runtime.store, clock)

        async def offer(openid: str) -> None:
            calls.append(openid)
            assert await messenger.send_text("wechat", openid, OFFER) == ["sent"]
            await other.cancel("test-offer", openid)  # an agent answered, on the other worker
            raise failure

        for worker in (running, other):
            worker.on("test-offer", offer)
        bot.wechat.customer_action("o_elsewhere", "text")
        await running.at("test-offer", "o_elsewhere", clock.time())
        await running.run_due()
        for _ in range(MAX_ATTEMPTS):
            await clock.advance(RETRY_AFTER_S[-1])
            await running.run_due()
            await other.run_due()
        assert bot.wechat.texts_to("o_elsewhere") == [OFFER]
        assert calls == ["o_elsewhere"]  # not retried: a cancel here is not either


async def test_a_claim_whose_reply_was_lost_does_not_stop_a_retry_on_another_worker_sending(
        tmp_path: Path, clock: Any, redis_url: str) -> None:
    """Redis took the text's claim but its reply was lost (Redis only: the in-process store always answers):
    nothing was sent. Only the worker it failed on knew the claim's value; the retry on another worker met
    the mark, took the text for sent, sent nothing and marked sent a row never written. The customer must
    get the offer, once, recorded sent."""
    async with bot_on_a_proxied_redis(tmp_path, clock, redis_url) as (bot, proxy):
        failing, messenger, outcomes = bot.runtime.scheduler, bot.runtime.messenger, []
        await failing.stop()
        other = Scheduler(bot.runtime.store, clock)

        async def offer(openid: str) -> None:
            outcomes.append(await messenger.send_text("wechat", openid, OFFER))

        for worker in (failing, other):
            worker.on("test-offer", offer)
        bot.wechat.customer_action("o_lost_reply", "text")
        await failing.at("test-offer", "o_lost_reply", clock.time())
        lose_the_replies(proxy, claim_of("sent-once:test-offer:o_lost_reply:"))  # the text's, not its generation's
        await failing.run_due()
        assert proxy.replies_lost == SENDS_OF_A_COMMAND
        assert outcomes == [] and bot.wechat.texts_to("o_lost_reply") == []
        await clock.advance(RETRY_AFTER_S[0])
        await other.run_due()
        await failing.run_due()
        assert outcomes == [["sent"]] and bot.wechat.texts_to("o_lost_reply") == [OFFER]
        rows = await Message.filter(direction="out", text=OFFER).values_list("delivery_status", flat=True)
        assert rows == ["sent"]


@pytest.mark.parametrize("put_back", ["in a tick", "at stop"])
async def test_a_deadline_goes_back_even_when_settling_its_lost_claims_is_refused(
        tmp_path: Path, clock: Any, redis_url: str, put_back: str) -> None:
    """A failed attempt's lost claims are settled before its deadline goes back to the store, in the tick
    (`in a tick`) or, when its put-back met a store outage, when the worker stops (`at stop`). A store
    refusing that otherwise (an error reply: out of memory, a read-only replica) kept the deadline out of
    the store: the tick counted a failed attempt each time and dropped it, the stop lost it; the
    customer's offer never went out again on any worker. Redis through the proxy: the claim's reply lost,
    the settle's answered with an error in Redis' place (or, first, its reply lost too)."""
    async with bot_on_a_proxied_redis(tmp_path, clock, redis_url) as (bot, proxy):
        failing, messenger, calls = bot.runtime.scheduler, bot.runtime.messenger, []
        await failing.stop()
        other = Scheduler(bot.runtime.store, clock)

        async def offer(openid: str) -> None:
            calls.append(openid)
            await messenger.send_text("wechat", openid, OFFER)

        for worker in (failing, other):
            worker.on("test-offer", offer)
        bot.wechat.customer_action("o_held", "text")
        await failing.at("test-offer", "o_held", clock.time())
        await bot.runtime.store.set(bot.runtime.store.keys(EPOCH), "drawn before")  # not the claims counted here
        mark = "sent-once:test-offer:o_held:"
        settling, refused = resp_command("EVALSHA", mark.encode()), []  # `Store.delete_if_holding` of the lost claim

        def settle(request: bytes) -> bool:  # once
            if refused or not settling(request):
                return False
            refused.append(request)
            return True

        if put_back == "at stop":
            lose_the_replies(proxy, claim_of(mark), resp_command("EVALSHA", mark.encode()))
            with pytest.raises(bot.runtime.store.unavailable):
                await failing.run_due()  # the attempt failed; its put-back met the outage: still held
            proxy.refuse_requests(settle, b"READONLY You can't write against a read only replica.")
            await failing.stop()  # the settle is refused: the deadline goes back all the same
        else:
            lose_the_replies(proxy, claim_of(mark))
            proxy.refuse_requests(settle, b"READONLY You can't write against a read only replica.")
            await failing.run_due()  # the attempt failed; the settle is refused: it goes back all the same
        assert proxy.replies_lost == SENDS_OF_A_COMMAND * (2 if put_back == "at stop" else 1)
        assert len(refused) == 1
        await clock.advance(RETRY_AFTER_S[-1])
        await other.run_due()
        assert calls == ["o_held", "o_held"]


async def a_later_deadline_comes(bot: Any, clock: Any, on_the_first: Callable[[Callable[[], Awaitable[None]]],
                                                                   Awaitable[None]]) -> None:
    """The first deadline, firing on one worker, sends; `on_the_first(the_later_deadline)` runs in its callback
    after that send. `the_later_deadline` cancels it and sets it again on the other worker, whose attempt
    sends, then fails; its retry there must not send again."""
    first_worker, messenger, store = bot.runtime.scheduler, bot.runtime.messenger, bot.runtime.store
    await first_worker.stop()
    second_worker, steps = Scheduler(store, clock), ["first", "second, then fail", "second again"]

    async def the_later_deadline() -> None:  # cancelled and set again on the other worker, which fires it
        await second_worker.cancel("test-offer", "o_later")
        await second_worker.at("test-offer", "o_later", clock.time())
        await second_worker.run_due()

    async def offer(openid: str) -> None:
        step = steps.pop(0)
        assert await messenger.send_text("wechat", openid, OFFER + step[:6]) == ["sent"]
        if step == "first":
            await on_the_first(the_later_deadline)
        if step == "second, then fail":
            raise RuntimeError("the offer not recorded")

    await fire_the_first_attempt(bot, clock, (first_worker, second_worker), offer, "o_later")
    await second_worker.run_due()
    assert steps == []
    assert bot.wechat.texts_to("o_later") == [OFFER + "first", OFFER + "second"]


async def test_a_success_does_not_delete_the_generation_of_a_later_deadline(
        tmp_path: Path, clock: Any, store_settings: dict[str, Any]) -> None:
    """The first deadline, firing on one worker, sends, then is cancelled and set again on the other; the
    second's attempt there sends, then fails. The first's success deleted the generation key, by then the
    second's: the second's retry drew another generation and sent its text a second time."""
    async with wechat_bot(tmp_path, clock=clock, **store_settings) as bot:

        async def while_it_runs(the_later_deadline: Callable[[], Awaitable[None]]) -> None:
            await the_later_deadline()

        await a_later_deadline_comes(bot, clock, while_it_runs)


async def test_a_success_ending_as_a_later_deadline_comes_does_not_delete_its_generation(
        tmp_path: Path, clock: Any, redis_url: str) -> None:
    """The second deadline comes as the first's success ends it: after its read of the generation key (still
    its own), just before its end's command (Redis through a proxy holding that command back while the
    other worker goes first). The generation is checked and deleted in that command
    (`Store.delete_and_cancel`, with the marks and the lease)."""
    async with bot_on_a_proxied_redis(tmp_path, clock, redis_url) as (bot, proxy):
        going_first: list[asyncio.Future[None]] = []

        async def as_it_ends(the_later_deadline: Callable[[], Awaitable[None]]) -> None:
            proxy.hold_next(resp_command("EVALSHA", b":due:deadline-leases\r\n", b"sent-once:test-offer:o_later:",
                                         b"deadline-failures:test-offer"))  # its end (one script)

            async def then_the_end() -> None:
                await proxy.held.wait()
                try:
                    await the_later_deadline()
                finally:
                    proxy.let_go()

            going_first.append(asyncio.ensure_future(then_the_end()))

        await a_later_deadline_comes(bot, clock, as_it_ends)
        await going_first[0]
        assert proxy.held.is_set()


async def test_an_attempt_that_sent_nothing_does_not_delete_the_generation_of_a_later_deadline(
        tmp_path: Path, clock: Any, store_settings: dict[str, Any]) -> None:
    """The first deadline, firing on one worker, has nothing to send; while it runs it is cancelled and
    set again on the other worker, whose attempt sends, then fails. The first's end deleted the
    generation key whatever it held, by then the second's: the second's retry drew another generation
    and sent its text a second time. It now deletes only the generation it found when it was taken
    (none here)."""
    async with wechat_bot(tmp_path, clock=clock, **store_settings) as bot:
        first_worker, messenger, store = bot.runtime.scheduler, bot.runtime.messenger, bot.runtime.store
        await first_worker.stop()
        second_worker, steps = Scheduler(store, clock), ["nothing to send", "second, then fail", "second again"]

        async def offer(openid: str) -> None:
            step = steps.pop(0)
            if step == "nothing to send":  # the later deadline comes while this one runs
                await second_worker.cancel("test-offer", openid)
                await second_worker.at("test-offer", openid, clock.time())
                await second_worker.run_due()
                return
            assert await messenger.send_text("wechat", openid, OFFER) == ["sent"]
            if step == "second, then fail":
                raise RuntimeError("the offer not recorded")

        for worker in (first_worker, second_worker):
            worker.on("test-offer", offer)
        bot.wechat.customer_action("o_nothing", "text")
        await first_worker.at("test-offer", "o_nothing", clock.time())
        await first_worker.run_due()
        await clock.advance(RETRY_AFTER_S[0])
        await second_worker.run_due()
        assert steps == [] and bot.wechat.texts_to("o_nothing") == [OFFER]
        assert await store.get(store.keys(*deadline_generation("test-offer", "o_nothing"))) is None  # ended


async def test_a_cancel_from_another_task_before_the_first_send_leaves_no_generation(
        tmp_path: Path, clock: Any, store_settings: dict[str, Any]) -> None:
    """The cancel deleted the generation before there was one; the callback's send then drew one. Even
    deleted when the attempt ends, it is there while the callback runs on: a later deadline of the member
    firing meanwhile on another worker finds it, shares its marks, and loses it at this attempt's end. A
    cancelled attempt is never retried: its sends need no mark, and draw no generation."""
    async with wechat_bot(tmp_path, clock=clock, **store_settings) as bot:
        scheduler, messenger, store = bot.runtime.scheduler, bot.runtime.messenger, bot.runtime.store
        await scheduler.stop()
        generation, drawn = store.keys(*deadline_generation("test-offer", "o_cancelled")), []

        async def offer(openid: str) -> None:
            await asyncio.create_task(scheduler.cancel("test-offer", openid))  # an agent answered meanwhile
            assert await messenger.send_text("wechat", openid, OFFER) == ["sent"]
            drawn.append(await store.get(generation))  # a failing assert here would only fail the callback

        scheduler.on("test-offer", offer)
        bot.wechat.customer_action("o_cancelled", "text")
        await scheduler.at("test-offer", "o_cancelled", clock.time())
        await scheduler.run_due()
        assert bot.wechat.texts_to("o_cancelled") == [OFFER] and drawn == [None]
        assert await store.get(generation) is None


async def test_a_retry_taken_when_the_generations_read_failed_still_ends_the_generation(
        tmp_path: Path, clock: Any, redis_url: str) -> None:
    """The retry is taken on the other worker in a tick whose `MGET` of the generations Redis refused (an
    error reply): its generation was unknown, and ending having sent nothing it left the first attempt's for
    an hour, which the member's next offer found and took its text for sent. It is now read again as the
    retry begins."""
    async with bot_on_a_proxied_redis(tmp_path, clock, redis_url) as (bot, proxy):
        failing, messenger, steps = bot.runtime.scheduler, bot.runtime.messenger, ["send, then fail"]
        await failing.stop()
        other = Scheduler(bot.runtime.store, clock)
        offer = offer_by_steps(messenger, steps)

        await fire_the_first_attempt(bot, clock, (failing, other), offer, "o_mget")
        steps.append("nothing to send")
        proxy.refuse_requests(lambda request: b"\r\nMGET\r\n" in request, b"OOM command not allowed.")
        await other.run_due()
        proxy.refuse_requests(None)
        assert steps == [] and bot.wechat.texts_to("o_mget") == [OFFER]

        await clock.advance(10)  # queued again, well within the hour a mark lives
        steps.append("send")
        await other.at("test-offer", "o_mget", clock.time())
        await other.run_due()
        assert steps == [] and bot.wechat.texts_to("o_mget") == [OFFER, OFFER]
