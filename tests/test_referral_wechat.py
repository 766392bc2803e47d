"""Referral on WeChat, against the local fake WeChat API server: the card's Official Account QR code,
friends arriving by `subscribe` (EventKey `qrscene_ref_<code>`) and `SCAN` (`ref_<code>`), retries,
first touch across channels, and pushes by customer-service message or template message."""

from __future__ import annotations

import asyncio
import io
from datetime import timedelta

import pytest
from PIL import Image

from handlers.referral.push import Segment, run_push
from handlers.referral.settings import ReferralSettings
from models.customer import Customer
from models.referral import CustomerTag, PushRecipient, Referral, ReferralCard, Rejection
from tests.fakes.bot_app import visitor_headers
from tests.fakes.wechat_marketing import marketing_bot
from tests.test_referral_support import DAY, code_in, desk, new_campaign, today

pytestmark = pytest.mark.timeout(30)


@pytest.fixture
async def bot(tmp_path, clock):
    async with marketing_bot(tmp_path, clock=clock, referral_push_template_id="TPL-CAMPAIGN") as running:
        await running.runtime.scheduler.stop()
        yield running


async def wechat_card(bot, openid: str) -> tuple[str, str]:
    """(the card's code, everything the customer was sent: the passive reply and what followed by kf)."""
    reply = await bot.user(openid).say("推荐好友")
    await bot.runtime.channels["wechat"].settle()
    text = "\n".join([reply.content, *bot.wechat.texts_to(openid)])
    return code_in([text]), text


async def get(bot, path: str):
    return await bot.session.get(bot.server.make_url(path))


async def test_a_card_carries_a_qr_code_of_the_official_account_naming_it(bot):
    await new_campaign(bot.runtime, ends_on=today(bot.runtime) + 10 * DAY)
    code, sent = await wechat_card(bot, "o_old")
    assert "：最近在小蜜优选旗舰店买得很满意" in sent and sent.count(f"/r/{code}") == 3  # link, image, 朋友圈
    response = await get(bot, f"/r/{code}/card.png")
    assert response.status == 200 and response.content_type == "image/png"
    image = Image.open(io.BytesIO(await response.read()))
    assert image.format == "PNG" and image.width > image.height  # two QR codes side by side
    [request] = bot.wechat.qrcodes
    assert request["action_name"] == "QR_STR_SCENE"
    assert request["action_info"] == {"scene": {"scene_str": f"ref_{code}"}}
    assert 10 * 86400 < request["expire_seconds"] <= 11 * 86400  # expires with the campaign, in 10 days + 14 h
    assert (await get(bot, f"/r/{code}/follow.png")).status == 200
    landing = await (await get(bot, f"/r/{code}")).text()
    assert f'src="/r/{code}/follow.png"' in landing and "<figure class=\"follow\">" in landing  # shown
    assert len(bot.wechat.qrcodes) == 1  # created once per card, then kept


async def test_a_long_campaign_gets_permanent_qr_codes(bot):
    await new_campaign(bot.runtime, ends_on=today(bot.runtime) + 90 * DAY)
    code, _ = await wechat_card(bot, "o_old")
    assert (await get(bot, f"/r/{code}/card.png")).status == 200
    [request] = bot.wechat.qrcodes
    assert request["action_name"] == "QR_LIMIT_STR_SCENE" and "expire_seconds" not in request


async def test_a_friend_who_follows_by_scanning_a_card_is_referred(bot):
    await new_campaign(bot.runtime)
    code, _ = await wechat_card(bot, "o_old")
    await Customer.filter(external_id="o_old").update(name="张三丰")
    friend = bot.user("o_friend")
    reply = await friend.post(friend.event("subscribe", f"qrscene_ref_{code}", Ticket="TICKET-1"))
    assert "感谢关注" in reply.content and "张*丰" in reply.content and "张三丰" not in reply.content
    [referral] = await Referral.all().prefetch_related("referred")
    assert referral.referred.external_id == "o_friend" and referral.first_visit_channel == "wechat"
    assert await Rejection.all().count() == 0


async def test_a_retried_subscribe_event_is_one_first_visit(bot):
    await new_campaign(bot.runtime)
    code, _ = await wechat_card(bot, "o_old")
    friend = bot.user("o_friend")
    event = friend.event("subscribe", f"qrscene_ref_{code}", create_time=1_790_000_000)
    first, again = await friend.post(event), await friend.post(event)
    assert first.content == again.content
    assert await Referral.all().count() == 1 and await Rejection.all().count() == 0


async def test_scan_by_a_new_follower_counts_and_by_a_known_one_does_not(bot):
    await new_campaign(bot.runtime)
    (first, _), (second, _) = await wechat_card(bot, "o_old"), await wechat_card(bot, "o_old")
    newcomer = bot.user("o_new")
    reply = await newcomer.post(newcomer.event("SCAN", f"ref_{first}", Ticket="TICKET-1"))
    assert "推荐" in reply.content
    regular = bot.user("o_regular")
    await regular.say("在吗")
    reply = await regular.post(regular.event("SCAN", f"ref_{second}", Ticket="TICKET-2"))
    assert "只计入第一次来" in reply.content  # told why it does not count (tests/test_referral_questions.py)
    assert [r.referred_id for r in await Referral.all()] == [(await Customer.get(external_id="o_new")).id]
    assert [r.reason for r in await Rejection.all()] == ["existing_customer"]


async def test_a_plain_follow_gets_the_shops_welcome_and_no_referral(bot):
    await new_campaign(bot.runtime)
    user = bot.user("o_plain")
    reply = await user.post(user.event("subscribe"))
    assert "感谢关注" in reply.content
    assert await Referral.all().count() == 0 and await Rejection.all().count() == 0


async def test_a_forged_scene_is_recorded_and_the_friend_still_welcomed(bot):
    await new_campaign(bot.runtime)
    user = bot.user("o_forger")
    reply = await user.post(user.event("subscribe", "qrscene_ref_aaaaaaaaaaaaaaaaaa"))
    assert "感谢关注" in reply.content
    assert [r.reason for r in await Rejection.all()] == ["bad_signature"]


async def test_first_touch_wins_across_channels(bot):
    await new_campaign(bot.runtime)
    web_card = code_in((await (await bot.session.post(bot.server.make_url("/api/webchat/messages"), json={
        "user_id": "web-old", "text": "推荐好友"}, headers=visitor_headers(bot.runtime, "web-old"))).json())["replies"])
    visit = await bot.session.post(bot.server.make_url(f"/r/{web_card}/visit"), json={"user_id": "web-friend"},
                                   headers=visitor_headers(bot.runtime, "web-friend"))
    assert visit.status == 200
    await Customer.filter(external_id="web-friend").update(phone="13812345678")
    wechat_card_code, _ = await wechat_card(bot, "o_old")
    await Customer.create(channel="wechat", external_id="o_friend", phone="13812345678",
                          created_at=bot.runtime.clock.now())  # the same person, known by phone
    friend = bot.user("o_friend")
    await friend.post(friend.event("subscribe", f"qrscene_ref_{wechat_card_code}"))
    [referral] = await Referral.all().prefetch_related("referrer")
    assert referral.referrer.external_id == "web-old"
    assert [r.reason for r in await Rejection.all()] == ["already_referred"]


async def tagged(bot, openid: str, *, messaged_ago: timedelta | None) -> None:
    last = None if messaged_ago is None else bot.runtime.clock.now() - messaged_ago
    customer = await Customer.create(channel="wechat", external_id=openid, created_at=bot.runtime.clock.now(),
                                     last_inbound_at=last)
    await CustomerTag.create(customer=customer, tag="wx")


async def push(bot, clock):
    campaign = await new_campaign(bot.runtime)
    task = asyncio.create_task(run_push(campaign, Segment.parse("tag:wx"), desk(bot)))
    while not task.done():
        await clock.advance(0.01)
    return task.result()


async def test_a_push_uses_the_48_hour_window_or_a_template_message(bot, clock):
    await tagged(bot, "o_recent", messaged_ago=timedelta(hours=47))
    await tagged(bot, "o_old", messaged_ago=timedelta(hours=49))
    await tagged(bot, "o_never", messaged_ago=None)
    await tagged(bot, "o_window_closed", messaged_ago=timedelta(hours=1))
    await tagged(bot, "o_refuses_all", messaged_ago=timedelta(days=5))
    bot.wechat.fail_for("o_window_closed", 45015)  # unsubscribed-and-back, or WeChat's own clock
    bot.wechat.fail_templates_for("o_refuses_all", 43004)
    report = await push(bot, clock)
    assert (report.sent, report.failed) == (4, 1)
    assert len(bot.wechat.texts_to("o_recent")) == 1 and "春季老带新" in bot.wechat.texts_to("o_recent")[0]
    for openid in ("o_old", "o_never", "o_window_closed"):
        [template] = bot.wechat.templates_to(openid)
        assert template["template_id"] == "TPL-CAMPAIGN" and template["url"].endswith("/referral/spring/board")
        assert "春季老带新" in template["data"]["first"]["value"]
    rows = {r.customer.external_id: (r.status, r.method, r.detail)
            for r in await PushRecipient.all().prefetch_related("customer")}
    assert rows == {"o_recent": ("sent", "kf", None), "o_old": ("sent", "template", None),
                    "o_never": ("sent", "template", None), "o_window_closed": ("sent", "template", None),
                    "o_refuses_all": ("failed", "template", "not_subscribed")}


async def test_without_a_template_customers_outside_the_window_are_skipped(bot, clock):
    bot.runtime.settings.area(ReferralSettings).push_template_id = None
    await tagged(bot, "o_recent", messaged_ago=timedelta(hours=1))
    await tagged(bot, "o_old", messaged_ago=timedelta(days=3))
    report = await push(bot, clock)
    assert (report.sent, report.skipped) == (1, 1)
    skipped = await PushRecipient.get(customer__external_id="o_old")
    assert (skipped.status, skipped.detail) == ("skipped", "no_template")
    assert bot.wechat.templates == []


async def test_the_landing_page_shows_no_qr_code_when_wechat_cannot_make_it(bot):
    await new_campaign(bot.runtime, ends_on=today(bot.runtime) + 10 * DAY)
    code, _ = await wechat_card(bot, "o_old")
    await ReferralCard.filter(code=code).update(wechat_qr_url=None)  # not made yet (the card sent as a link)
    bot.wechat.qrcode_errcode = 48001  # the account may not create QR codes (or WeChat refuses for now)
    response = await get(bot, f"/r/{code}")
    landing = await response.text()
    assert response.status == 200 and f'data-code="{code}"' in landing  # the page and its chat button
    assert "follow.png" not in landing and '<figure class="follow" hidden>' in landing  # no broken image
    assert (await get(bot, f"/r/{code}/follow.png")).status == 404
    bot.wechat.qrcode_errcode = 0  # WeChat makes it again: the next visit shows it
    assert f'src="/r/{code}/follow.png"' in await (await get(bot, f"/r/{code}")).text()
