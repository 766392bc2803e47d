"""Attribution at the friend's first contact: who counts, first touch, and every refusal on record."""

from __future__ import annotations

import pytest

from handlers.referral import followups
from models.customer import Customer
from models.referral import Referral, Rejection
from tests.fakes.bot_app import visitor_headers
from tests.test_referral_support import DAY, card_code, customer, new_campaign, paid_order, say, web_visit


@pytest.fixture
def bot_ticker():
    return False


@pytest.fixture
async def bot(bot):
    await new_campaign(bot.runtime)
    return bot


async def reasons() -> list[str]:
    return [r.reason for r in await Rejection.all().order_by("id")]


async def test_a_new_friend_through_a_card_is_a_referral_with_a_follow_up_planned(bot):
    code = await card_code(bot.client, "old1")
    await web_visit(bot.client, code, "friend1")
    [referral] = await Referral.all().prefetch_related("card")
    assert referral.card.code == code and referral.status == "visited"
    assert referral.referrer_id == (await customer("webchat", "old1")).id
    assert referral.referred_id == (await customer("webchat", "friend1")).id
    assert referral.first_visit_channel == "webchat" and referral.first_visit_at == bot.runtime.clock.now()
    due = await bot.runtime.store.next_due(followups.KIND)
    assert due == (bot.runtime.clock.now() + DAY).timestamp()
    assert await reasons() == []


async def test_a_customer_cannot_refer_themselves(bot):
    code = await card_code(bot.client, "old1")
    await web_visit(bot.client, code, "old1")
    assert await Referral.all().count() == 0
    assert await reasons() == ["self_referral"]


async def test_another_identity_with_the_referrers_phone_is_refused(bot):
    code = await card_code(bot.client, "old1")
    await Customer.filter(external_id="old1").update(phone="13800138000")
    other = await bot.runtime.recorder.identify("webchat", "second-account")
    await Customer.filter(id=other.customer_id).update(phone="+86 138-0013-8000")
    await web_visit(bot.client, code, "second-account")
    assert await Referral.all().count() == 0
    assert await reasons() == ["same_phone"]


async def test_a_card_is_used_once_and_the_same_friend_coming_back_is_no_abuse(bot):
    code = await card_code(bot.client, "old1")
    await web_visit(bot.client, code, "friend1")
    await web_visit(bot.client, code, "friend1")  # the friend taps the link again
    await web_visit(bot.client, code, "friend2")
    assert await Referral.all().count() == 1
    assert await reasons() == ["card_used"]


async def test_first_touch_wins(bot):
    first, second = await card_code(bot.client, "old1"), await card_code(bot.client, "old2")
    await web_visit(bot.client, first, "friend1")
    await web_visit(bot.client, second, "friend1")
    [referral] = await Referral.all()
    assert referral.referrer_id == (await customer("webchat", "old1")).id
    assert await reasons() == ["already_referred"]


async def test_first_touch_wins_across_identities_sharing_a_phone(bot):
    first, second = await card_code(bot.client, "old1"), await card_code(bot.client, "old2")
    await web_visit(bot.client, first, "friend-phone")
    await Customer.filter(external_id="friend-phone").update(phone="13900001111")
    laptop = await bot.runtime.recorder.identify("webchat", "friend-laptop")
    await Customer.filter(id=laptop.customer_id).update(phone="13900001111")
    await web_visit(bot.client, second, "friend-laptop")
    assert await Referral.all().count() == 1
    assert await reasons() == ["already_referred"]


async def test_only_new_customers_count(bot):
    code1, code2 = await card_code(bot.client, "old1"), await card_code(bot.client, "old1")
    await say(bot.client, "chatted-before", "在吗")
    await web_visit(bot.client, code1, "chatted-before")
    bought = await bot.runtime.recorder.identify("webchat", "bought-before")
    await Customer.filter(id=bought.customer_id).update(phone="13700000000")
    await paid_order("E1", 100, bot.runtime.clock.now() - 30 * DAY, phone="13700000000")
    await web_visit(bot.client, code2, "bought-before")
    assert await Referral.all().count() == 0
    assert await reasons() == ["existing_customer", "existing_customer"]


async def test_rejections_name_campaign_card_customer_and_channel(bot):
    code = await card_code(bot.client, "old1")
    await web_visit(bot.client, code, "old1")
    [rejection] = await Rejection.all().prefetch_related("campaign", "card")
    assert rejection.campaign.name == "spring" and rejection.card.code == code
    assert rejection.customer_id == (await customer("webchat", "old1")).id and rejection.channel == "webchat"


async def test_a_visit_needs_the_visitors_own_token(bot):
    code = await card_code(bot.client, "old1")
    friend = visitor_headers(bot.runtime, "friend1")
    for body, headers, status in (
        ({"user_id": "friend1"}, {}, 401),  # no token: anyone could claim any visitor
        ({"user_id": "friend1"}, {"X-Visitor-Token": "friend1.forged-tag-forged-tag-forged-tag"}, 403),
        ({"user_id": "someone-else"}, friend, 403),
        ({"user_id": 7}, friend, 400),  # not a visitor id at all: refused by the body's model
    ):
        response = await bot.client.post(f"/r/{code}/visit", json=body, headers=headers)
        assert response.status == status
    assert await Referral.all().count() == 0
    assert (await bot.client.post(f"/r/{code}/visit", json={}, headers=friend)).status == 200
    assert await Referral.all().count() == 1
