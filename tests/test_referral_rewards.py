"""Conversion and the reward ledger: tiers, the rate on the purchase date, exactly-once, refunds,
staff confirmation, refusals only an order reveals, and the 24-hour follow-up tasks."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest

from bot.clock import FakeClock
from bot.web.auth import create_agent, issue_api_token
from handlers.referral import followups
from handlers.referral.conversion import convert_from_orders, settle_commissions
from handlers.referral.jobs import settle_all
from models.customer import Customer
from models.referral import FollowUp, Referral, Rejection, RewardEntry
from tests.test_referral_support import DAY, card_code, customer, desk, new_campaign, paid_order, today, web_visit


@pytest.fixture
def bot_ticker():
    return False


async def refer(bot, referrer: str, friend: str) -> Customer:
    await web_visit(bot.client, await card_code(bot.client, referrer), friend)
    return await customer("webchat", friend)


def at_local(bot, day_offset: int, hour: int) -> datetime:
    """A moment `day_offset` days after the fake clock's first day, at `hour` in the shop's time zone."""
    zone = bot.runtime.settings.zone
    first_day = FakeClock().now().astimezone(zone).date()
    return datetime.combine(first_day + day_offset * DAY, time(hour), tzinfo=zone)


async def move_to(clock: FakeClock, moment: datetime) -> None:
    await clock.advance(moment - clock.now())


async def ledger(kind: str) -> list[tuple[str | None, int, str | None]]:
    rows = await RewardEntry.filter(kind=kind).order_by("id")
    return [(row.order_no, row.amount_fen, row.rate) for row in rows]


async def bounties() -> list[int]:
    return [amount for _, amount, _ in await ledger("bounty")]


async def test_the_first_paid_order_converts_and_books_the_bounty(bot):
    await new_campaign(bot.runtime)
    friend = await refer(bot, "old1", "friend1")
    await paid_order("A1", 300, bot.runtime.clock.now(), customer_id=friend.id)
    assert await settle_all(desk(bot)) == (1, 0, 0)  # the purchase day is not over: no commission yet
    referral = await Referral.get(referred=friend)
    assert referral.status == "converted" and referral.position == 1 and referral.converted_by == "order:A1"
    assert referral.converted_at == bot.runtime.clock.now()
    assert await bounties() == [400_000]


async def test_an_unpaid_or_cancelled_order_converts_nothing(bot):
    await new_campaign(bot.runtime)
    friend = await refer(bot, "old1", "friend1")
    await paid_order("A1", 300, bot.runtime.clock.now(), customer_id=friend.id, status="pending")
    await paid_order("A2", 300, bot.runtime.clock.now(), customer_id=friend.id, status="closed")
    assert await convert_from_orders(now=bot.runtime.clock.now(), zone=bot.runtime.settings.zone) == 0
    assert (await Referral.get(referred=friend)).status == "visited"


async def test_bounties_rise_after_the_3rd_and_the_6th_referral(bot, clock):
    await new_campaign(bot.runtime, max_cards=10)
    for n in range(1, 9):
        friend = await refer(bot, "star", f"f{n}")
        await paid_order(f"B{n}", 100, clock.now(), customer_id=friend.id)
        await settle_all(desk(bot))
        await clock.advance(60)
    assert await bounties() == [400_000] * 3 + [500_000] * 3 + [600_000] * 2
    assert [r.position for r in await Referral.all().order_by("id")] == list(range(1, 9))


@pytest.mark.parametrize(("converted_before", "rate_before", "rate_after"), [(3, "0.02", "0.025"),
                                                                           (6, "0.025", "0.03")])
async def test_the_rate_of_a_purchase_is_the_rate_on_its_day(bot, clock, converted_before, rate_before, rate_after):
    """3 (or 6) referrals convert on day 0; the next one converts on day 2 at 15:00; the first friend
    buys on day 1 (the day before: old rate), day 2 at 09:00 (same day: new rate) and day 3 (new rate)."""
    await new_campaign(bot.runtime, max_cards=10)
    friends = []
    for n in range(converted_before):
        friends.append(await refer(bot, "star", f"f{n}"))
        await paid_order(f"first-{n}", 100, clock.now(), customer_id=friends[-1].id)
    await convert_from_orders(now=clock.now(), zone=bot.runtime.settings.zone)
    buyer = friends[0]
    await paid_order("day1", 1000, at_local(bot, 1, 12), customer_id=buyer.id)
    await paid_order("day2", 1000, at_local(bot, 2, 9), customer_id=buyer.id)
    await paid_order("day3", 1000, at_local(bot, 3, 12), customer_id=buyer.id)
    await move_to(clock, at_local(bot, 2, 14))
    newcomer = await refer(bot, "star", "newcomer")
    await paid_order("newcomer-first", 100, at_local(bot, 2, 15), customer_id=newcomer.id)
    await move_to(clock, at_local(bot, 4, 3))
    await settle_all(desk(bot))
    commissions = {order_no: (amount, rate) for order_no, amount, rate in await ledger("commission")}
    before, after = Decimal(rate_before), Decimal(rate_after)
    assert commissions["day1"] == (100_000 * before, rate_before)
    assert commissions["day2"] == (100_000 * after, rate_after)
    assert commissions["day3"] == (100_000 * after, rate_after)
    assert commissions["newcomer-first"] == (10_000 * after, rate_after)


async def test_the_seeds_example_ten_referrals_buying_20000_a_month_earn_6000(bot, clock):
    await new_campaign(bot.runtime, max_cards=10, ends_on=today(bot.runtime) + 60 * DAY)
    friends = [await refer(bot, "star", f"f{n}") for n in range(10)]
    for referral in await Referral.all():
        response = await confirm_as(bot, "admin", referral.id)
        assert response.status == 200
    for n, friend in enumerate(friends):
        await paid_order(f"M{n}", 20_000, at_local(bot, 1 + n, 12), customer_id=friend.id)
    await move_to(clock, at_local(bot, 31, 3))
    await settle_all(desk(bot))
    assert sum(amount for _, amount, _ in await ledger("commission")) == 6_000 * 100
    assert {rate for _, _, rate in await ledger("commission")} == {"0.03"}


async def test_nothing_is_paid_twice(bot, clock):
    await new_campaign(bot.runtime)
    friend = await refer(bot, "old1", "friend1")
    await paid_order("C1", 500, clock.now(), customer_id=friend.id)
    await paid_order("C2", 700, clock.now() + timedelta(hours=1), customer_id=friend.id)
    await clock.advance(DAY)
    assert await settle_all(desk(bot)) == (1, 2, 0)
    before = [(e.key, e.amount_fen) for e in await RewardEntry.all().order_by("id")]
    for _ in range(2):  # re-run, re-import the same orders, the daily job, a second confirmation
        await settle_all(desk(bot))
        await paid_order("C1", 500, clock.now() - DAY, customer_id=friend.id)
        await paid_order("C2", 700, clock.now() - DAY + timedelta(hours=1), customer_id=friend.id)
        await bot.runtime.run_daily()
        assert (await confirm_as(bot, "admin", (await Referral.get(referred=friend)).id)).status == 200
    assert [(e.key, e.amount_fen) for e in await RewardEntry.all().order_by("id")] == before
    assert before == [(f"bounty:{(await Referral.get()).id}", 400_000), ("commission:C1", 1_000),
                      ("commission:C2", 1_400)]


async def test_a_refund_keeps_the_reward_and_later_commissions_count_what_was_kept(bot, clock):
    await new_campaign(bot.runtime)
    friend = await refer(bot, "old1", "friend1")
    await paid_order("R1", 1_000, clock.now(), customer_id=friend.id)
    await clock.advance(DAY)
    await settle_all(desk(bot))
    await paid_order("R1", 1_000, clock.now() - DAY, customer_id=friend.id, refunded_yuan=1_000, status="refunded")
    await paid_order("R2", 500, clock.now(), customer_id=friend.id, refunded_yuan=200)
    await clock.advance(DAY)
    await settle_all(desk(bot))
    assert (await Referral.get(referred=friend)).status == "converted"
    assert await bounties() == [400_000]
    assert await ledger("commission") == [("R1", 2_000, "0.02"), ("R2", 600, "0.02")]  # R2: 2% of ¥300


async def test_orders_are_matched_by_phone_too(bot, clock):
    await new_campaign(bot.runtime)
    friend = await refer(bot, "old1", "friend1")
    await Customer.filter(id=friend.id).update(phone="13600000000")
    await paid_order("P1", 100, clock.now(), phone="13600000000")
    await convert_from_orders(now=clock.now(), zone=bot.runtime.settings.zone)
    assert (await Referral.get(referred=friend)).converted_by == "order:P1"


@pytest.mark.parametrize("case", ["bought_before_the_visit", "bought_after_the_campaign", "referrers_phone",
                                  "known_earlier_under_another_identity"])
async def test_refusals_that_only_an_order_reveals(bot, clock, case):
    campaign = await new_campaign(bot.runtime, ends_on=today(bot.runtime) + 3 * DAY)
    if case == "known_earlier_under_another_identity":
        await refer(bot, "old2", "friend-laptop")
        await clock.advance(60)
    friend = await refer(bot, "old1", "friend1")
    paid_at = clock.now()
    phone = None
    if case == "bought_before_the_visit":
        paid_at -= DAY
    elif case == "bought_after_the_campaign":
        paid_at = campaign.ends_at + timedelta(hours=1)
        await move_to(clock, paid_at)
    elif case == "referrers_phone":
        await Customer.filter(external_id="old1").update(phone="13500000000")
        phone = "13500000000"
    else:
        await Customer.filter(external_id__in=["friend-laptop", "friend1"]).update(phone="13400000000")
    await paid_order("X1", 100, paid_at, customer_id=friend.id, phone=phone)
    await convert_from_orders(now=clock.now(), zone=bot.runtime.settings.zone)
    assert (await Referral.get(referred=friend)).status == "rejected"
    expected = {"bought_before_the_visit": "existing_customer", "bought_after_the_campaign": "campaign_ended",
                "referrers_phone": "same_phone", "known_earlier_under_another_identity": "already_referred"}[case]
    assert [r.reason for r in await Rejection.all()] == [expected]
    assert await RewardEntry.all().count() == 0


async def confirm_as(bot, role: str, referral_id: int):
    name = f"{role}-user"
    agent = await create_agent(name, role, "secret-pass-123") if not await _exists(name) else await _get(name)
    token = await issue_api_token(agent)
    return await bot.client.post(f"/api/referral/referrals/{referral_id}/confirm",
                                 headers={"Authorization": f"Bearer {token}"})


async def _exists(name: str) -> bool:
    from models.agent import Agent

    return await Agent.exists(name=name)


async def _get(name: str):
    from models.agent import Agent

    return await Agent.get(name=name)


async def test_staff_confirm_a_conversion_once_and_agents_may_not(bot):
    await new_campaign(bot.runtime)
    await refer(bot, "old1", "friend1")
    referral = await Referral.get()
    assert (await confirm_as(bot, "agent", referral.id)).status == 403
    response = await confirm_as(bot, "supervisor", referral.id)
    assert response.status == 200
    assert await response.json() == {"id": referral.id, "status": "converted", "position": 1,
                                     "converted_by": "staff:supervisor-user"}
    assert (await confirm_as(bot, "admin", referral.id)).status == 200
    assert await bounties() == [400_000]
    assert (await confirm_as(bot, "admin", 999)).status == 400


async def test_a_friend_who_has_not_bought_in_24_hours_becomes_a_follow_up_task(bot, clock):
    await new_campaign(bot.runtime)
    await refer(bot, "old1", "slow-friend")
    await Customer.filter(external_id="old1").update(name="王小明")
    await refer(bot, "old2", "quick-friend")
    await clock.advance(timedelta(hours=23))
    await paid_order("Q1", 100, clock.now(), customer_id=(await customer("webchat", "quick-friend")).id)
    await bot.runtime.scheduler.run_due()  # the sync and the daily job are due by now too
    assert await FollowUp.all().count() == 0
    await clock.advance(timedelta(hours=1))
    await bot.runtime.scheduler.run_due()
    [task] = await FollowUp.all().prefetch_related("referral__referred")
    assert task.referral.referred.external_id == "slow-friend"
    assert (await Referral.get(referred__external_id="quick-friend")).status == "converted"

    agent = await create_agent("amy", "agent", "secret-pass-123")
    headers = {"Authorization": f"Bearer {await issue_api_token(agent)}"}
    listed = await (await bot.client.get("/api/referral/follow-ups", headers=headers)).json()
    [item] = listed["follow_ups"]
    assert item["referrer"]["name"] == "王小明" and item["friend"]["id"] == task.referral.referred.id
    done = await bot.client.post(f"/api/referral/follow-ups/{task.id}/done", json={"note": "已致电"}, headers=headers)
    assert done.status == 200 and (await done.json())["done_by"] == "amy"
    assert (await (await bot.client.get("/api/referral/follow-ups", headers=headers)).json())["follow_ups"] == []
    assert (await bot.client.get("/api/referral/follow-ups")).status == 401


async def test_the_daily_job_creates_follow_ups_a_lost_deadline_missed(bot, clock):
    await new_campaign(bot.runtime)
    await refer(bot, "old1", "friend1")
    referral = await Referral.get()
    await bot.runtime.store.cancel(followups.KIND, str(referral.id))  # as if a memory store restarted
    await clock.advance(2 * DAY)
    await bot.runtime.run_daily()
    await bot.runtime.run_daily()
    assert await FollowUp.filter(referral=referral).count() == 1


async def test_commissions_wait_until_the_purchase_day_is_over(bot, clock):
    await new_campaign(bot.runtime)
    friend = await refer(bot, "old1", "friend1")
    await paid_order("W1", 100, clock.now(), customer_id=friend.id)
    zone = bot.runtime.settings.zone
    await settle_commissions(now=clock.now(), zone=zone)
    assert await ledger("commission") == []
    await convert_from_orders(now=clock.now(), zone=zone)
    await move_to(clock, at_local(bot, 0, 23))
    assert await settle_commissions(now=clock.now(), zone=zone) == 0
    await move_to(clock, at_local(bot, 1, 0))
    assert await settle_commissions(now=clock.now(), zone=zone) == 1
