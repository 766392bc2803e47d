"""Pushing a campaign: segments, 退订, dry runs, per-recipient status, and resuming after a crash
without ever sending twice (web-chat customers here, but for the crash caught mid-send, whose send is an
HTTP request the fake WeChat holds; WeChat routes in test_referral_wechat)."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import Literal

import pytest

from bot.clock import FakeClock
from handlers.referral.push import Segment, plan, run_push
from models.customer import Customer
from models.message import Message
from models.referral import CustomerTag, Push, PushRecipient
from tests.fakes.wechat_marketing import marketing_bot
from tests.test_deadline_sends_once import SEND_PATH
from tests.test_referral_support import DAY, desk, new_campaign, paid_order, say, today
from tests.test_referral_wechat import tagged


@pytest.fixture
def bot_settings():
    return {"referral_push_per_second": 2}


@pytest.fixture
def bot_ticker():
    return False


async def members(bot, *names: str) -> list[Customer]:
    found = []
    for name in names:
        identity = await bot.runtime.recorder.identify("webchat", name)
        await Customer.filter(id=identity.customer_id).update(is_vip=True)
        found.append(await Customer.get(id=identity.customer_id))
    return found


async def drive(clock: FakeClock, task: asyncio.Task):
    """Let a push run: move the fake clock on while it waits between sends."""
    while not task.done():
        await clock.advance(0.5)
    return task.result()


async def pushed_to() -> list[str]:
    rows = await Message.filter(author="campaign").prefetch_related("conversation")
    return sorted(row.conversation.key.removeprefix("webchat:") for row in rows)


async def statuses(push_id: int | None = None) -> dict[str, str]:
    query = PushRecipient.all() if push_id is None else PushRecipient.filter(push_id=push_id)
    return {row.customer.external_id: row.status for row in await query.prefetch_related("customer")}


async def test_a_push_reaches_each_member_once_and_says_what_the_campaign_is(bot, clock):
    campaign = await new_campaign(bot.runtime)
    await members(bot, "m1", "m2", "m3")
    await bot.runtime.recorder.identify("webchat", "not-a-member")
    report = await drive(clock, asyncio.create_task(run_push(campaign, Segment.parse("members"), desk(bot))))
    assert (report.sent, report.failed, report.skipped) == (3, 0, 0)
    assert await pushed_to() == ["m1", "m2", "m3"]
    text = (await Message.filter(author="campaign").first()).text
    assert "春季老带新" in text and "/referral/spring/board" in text
    assert set((await statuses()).values()) == {"sent"}
    again = await drive(clock, asyncio.create_task(run_push(campaign, Segment.parse("members"), desk(bot))))
    assert (again.sent, again.already_done) == (0, 3)
    assert await pushed_to() == ["m1", "m2", "m3"]
    assert (await Push.get()).finished_at is not None


async def test_pushes_are_paced(bot, clock):
    campaign = await new_campaign(bot.runtime)
    await members(bot, "m1", "m2", "m3", "m4")
    started = clock.time()
    await drive(clock, asyncio.create_task(run_push(campaign, Segment.parse("members"), desk(bot))))
    assert clock.time() - started >= 4 / 2  # 2 per second


async def test_a_push_interrupted_between_sends_resumes_with_the_rest(bot, clock):
    campaign = await new_campaign(bot.runtime)
    await members(bot, *(f"m{n}" for n in range(1, 7)))
    done = 0
    task: asyncio.Task

    def progress(n: int) -> None:
        nonlocal done
        done += n
        if done == 3:
            task.cancel()  # Ctrl-C while the push waits before its 4th message

    task = asyncio.create_task(run_push(campaign, Segment.parse("members"), desk(bot), progress=progress))
    with pytest.raises(asyncio.CancelledError):
        await drive(clock, task)
    assert sorted((await statuses()).values()) == ["pending"] * 3 + ["sent"] * 3
    report = await drive(clock, asyncio.create_task(run_push(campaign, Segment.parse("members"), desk(bot))))
    assert (report.sent, report.already_done, report.interrupted) == (3, 3, 0)
    assert await pushed_to() == [f"m{n}" for n in range(1, 7)]


async def test_a_recipient_caught_mid_send_by_a_crash_is_never_sent_twice(tmp_path, clock):
    """WeChat followers (a send that can be caught mid-way: an HTTP request to WeChat). The fake WeChat holds
    m2's send (it reached WeChat, unanswered) and the push dies there (its task cancelled, as by a kill):
    whether m2 got it is unknown. Run again, the push sends m3 and never asks WeChat to send m2 a second
    time: m2 is `interrupted`."""
    async with marketing_bot(tmp_path, clock=clock, referral_push_per_second=2) as bot:
        await bot.runtime.scheduler.stop()
        campaign = await new_campaign(bot.runtime)
        for openid in ("m1", "m2", "m3"):
            await tagged(bot, openid, messaged_ago=timedelta(hours=1))  # within the window: a kf send each
        segment = Segment.parse("tag:wx")
        m1_done, held = asyncio.Event(), HeldSends()
        task = asyncio.create_task(run_push(campaign, segment, desk(bot), progress=lambda _: m1_done.set()))
        await _before_it_ends(m1_done, task)  # m1's went through; the push waits out its pace on the clock
        bot.wechat.hold_sends = held
        await clock.advance(1 / 2)  # the pace at 2 a second: m2's send goes, and WeChat holds it
        await _before_it_ends(held.arrived, task)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert await statuses() == {"m1": "sent", "m2": "sending", "m3": "pending"}
        bot.wechat.hold_sends.set()
        report = await drive(clock, asyncio.create_task(run_push(campaign, segment, desk(bot))))
        assert (report.sent, report.interrupted) == (1, 1)
        assert await statuses() == {"m1": "sent", "m2": "interrupted", "m3": "sent"}
        assert [len(bot.wechat.texts_to(openid)) for openid in ("m1", "m3")] == [1, 1]
        assert bot.wechat.requests.count(("POST", SEND_PATH)) == 3  # m1's, m2's held one, m3's


class HeldSends(asyncio.Event):
    """The fake WeChat's `hold_sends`: its sends wait until it is set; `arrived` is set once one waits."""

    def __init__(self) -> None:
        super().__init__()
        self.arrived = asyncio.Event()

    async def wait(self) -> Literal[True]:
        self.arrived.set()
        return await super().wait()


async def _before_it_ends(event: asyncio.Event, push: asyncio.Task) -> None:
    """Until `event` is set (however long the bot and the fake WeChat take over their real socket); the
    push ending first fails the test instead of waiting for ever."""
    waiting = asyncio.ensure_future(event.wait())
    await asyncio.wait([waiting, push], return_when=asyncio.FIRST_COMPLETED)
    if not waiting.done():
        waiting.cancel()
        raise AssertionError(f"the push ended first: {push.result()}")


async def test_opting_out_in_chat_stops_pushes_and_opting_in_resumes_them(bot, clock):
    campaign = await new_campaign(bot.runtime)
    for name in ("m1", "m2"):  # not members: a member's first message goes to a person (handoff)
        identity = await bot.runtime.recorder.identify("webchat", name)
        await CustomerTag.create(customer_id=identity.customer_id, tag="fans")
    replies = await say(bot.client, "m1", " 退订 ")
    assert "已为您退订" in replies[0]
    assert (await Customer.get(external_id="m1")).opted_out
    await drive(clock, asyncio.create_task(run_push(campaign, Segment.parse("tag:fans"), desk(bot))))
    assert await pushed_to() == ["m2"]
    skipped = await PushRecipient.get(customer__external_id="m1")
    assert (skipped.status, skipped.detail) == ("skipped", "opted_out")
    assert "恢复" in (await say(bot.client, "m1", "订阅"))[0]
    assert not (await Customer.get(external_id="m1")).opted_out
    assert "退订" not in (await say(bot.client, "m2", "退订的话怎么弄"))[0]  # only the bare command counts
    assert not (await Customer.get(external_id="m2")).opted_out


async def test_a_dry_run_shows_who_would_get_it_and_sends_nothing(bot):
    campaign = await new_campaign(bot.runtime)
    await members(bot, "m1", "m2")
    await Customer.filter(external_id="m2").update(opted_out=True)
    identity = await bot.runtime.recorder.identify("terminal", "local")
    await Customer.filter(id=identity.customer_id).update(is_vip=True)
    planned = await plan(campaign, Segment.parse("members"), desk(bot))
    assert [(p.customer.external_id, p.route) for p in planned] == [
        ("m1", "webchat"), ("m2", "skip:opted_out"), ("local", "skip:no_channel")]
    assert await Push.all().count() == 0 and await pushed_to() == []


async def test_buyers_in_a_date_range_and_tagged_customers(bot, clock):
    campaign = await new_campaign(bot.runtime)
    day0 = today(bot.runtime)
    ids = {}
    for name in ("early", "inside", "by-phone", "late"):
        ids[name] = (await bot.runtime.recorder.identify("webchat", name)).customer_id
    await Customer.filter(id=ids["by-phone"]).update(phone="13300000000")
    await paid_order("O1", 10, clock.now() - 20 * DAY, customer_id=ids["early"])
    await paid_order("O2", 10, clock.now() - 5 * DAY, customer_id=ids["inside"])
    await paid_order("O3", 10, clock.now() - 4 * DAY, phone="13300000000")
    await paid_order("O4", 10, clock.now() - 4 * DAY, customer_id=ids["late"], status="pending")
    segment = Segment.parse("buyers", since=day0 - 10 * DAY, until=day0 - 1 * DAY)
    assert [p.customer.external_id for p in await plan(campaign, segment, desk(bot))] == ["inside", "by-phone"]
    await CustomerTag.create(customer_id=ids["late"], tag="老客户")
    tagged = await plan(campaign, Segment.parse("tag:老客户"), desk(bot))
    assert [p.customer.external_id for p in tagged] == ["late"]


@pytest.mark.parametrize("text", ["everyone", "tag:", "members:x", "buyers:2026"])
def test_unknown_segments_are_refused(text):
    with pytest.raises(ValueError):
        Segment.parse(text)


def test_a_segment_names_its_push():
    assert Segment.parse("buyers", date(2026, 1, 1), date(2026, 1, 31)).key == "buyers:2026-01-01..2026-01-31"
    assert Segment.parse("tag:vip").key == "tag:vip" and Segment.parse("members").key == "members"
    with pytest.raises(ValueError):
        Segment.parse("buyers", date(2026, 2, 1), date(2026, 1, 1))
