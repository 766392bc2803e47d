"""Referral cards in chat and their codes: what a card carries, the per-referrer limit, tampering,
campaigns that have not started or have ended, and the secret behind the codes."""

from __future__ import annotations

import asyncio
import os
import stat

import pytest

from bot.clock import FakeClock
from handlers.referral.cards import issue_card
from handlers.referral.codes import SecretMissing, is_genuine, new_code, secret_key, secret_path
from handlers.referral.settings import ReferralSettings
from models.referral import Referral, ReferralCard, Rejection
from tests.fakes.bot_app import make_settings, visitor_headers
from tests.test_referral_support import (
    DAY,
    card_code,
    code_in,
    customer,
    new_campaign,
    say,
    today,
    web_visit,
)


@pytest.fixture
def bot_settings():
    return {"shop_name": "小蜜优选"}


@pytest.fixture
def bot_ticker():
    return False  # tests move the clock by days and fire deadlines themselves


async def test_a_card_carries_link_image_and_share_copy(bot):
    await new_campaign(bot.runtime, share_copy="这家店真不错，戳链接 {link} 一起来！")
    text = "\n".join(await say(bot.client, "old1", "推荐好友"))
    code = code_in([text])
    link = f"http://127.0.0.1:8080/r/{code}"
    assert f"分享链接：{link}\n" in text and f"{link}/card.png" in text
    assert "第1张" in text and "再领4张" in text and "春季老带新" in text
    assert text.endswith(f"\n朋友圈文案（复制即可发布）：这家店真不错，戳链接 {link} 一起来！")
    card = await ReferralCard.get(code=code)
    assert card.referrer_id == (await customer("webchat", "old1")).id and card.number == 1


async def test_without_share_copy_the_default_copy_is_sent(bot):
    await new_campaign(bot.runtime)
    text = "\n".join(await say(bot.client, "old1", "给我个推荐链接"))
    share_copy = text.split("朋友圈文案")[1]
    assert "小蜜优选" in share_copy and f"/r/{code_in([text])}" in share_copy


async def test_each_friend_gets_a_card_up_to_the_limit_then_a_polite_word(bot):
    await new_campaign(bot.runtime)
    codes = [await card_code(bot.client, "old1") for _ in range(5)]
    assert len(set(codes)) == 5
    assert [card.number for card in await ReferralCard.all().order_by("id")] == [1, 2, 3, 4, 5]
    sixth = await say(bot.client, "old1", "推荐好友")
    assert "5张推荐卡都已经送出" in sixth[0] and "/r/" not in "".join(sixth)
    assert await ReferralCard.all().count() == 5
    assert code_in(await say(bot.client, "old2", "推荐好友"))  # the limit is per referrer


async def test_the_limit_holds_when_requests_race(bot):
    campaign = await new_campaign(bot.runtime, max_cards=3)
    referrer = (await bot.runtime.recorder.identify("webchat", "racer")).customer_id
    secret = await secret_key(bot.runtime.settings)
    issued = await asyncio.gather(*(issue_card(campaign, referrer, secret, bot.runtime.clock.now()) for _ in range(8)))
    assert sorted(i.card.number for i in issued if i.card) == [1, 2, 3]
    assert await ReferralCard.filter(referrer_id=referrer).count() == 3


async def test_a_retried_message_does_not_hand_out_a_second_card(bot):
    await new_campaign(bot.runtime)
    body = {"user_id": "old1", "text": "推荐好友", "client_msg_id": "m-1"}
    headers = visitor_headers(bot.runtime, "old1")
    first = await (await bot.client.post("/api/webchat/messages", json=body, headers=headers)).json()
    again = await (await bot.client.post("/api/webchat/messages", json=body, headers=headers)).json()
    assert first == again and await ReferralCard.all().count() == 1


async def test_no_campaign_running_means_no_card(bot):
    replies = await say(bot.client, "old1", "推荐朋友有奖励吗")
    assert "推荐" in replies[0] and "没有进行中的推荐活动" in replies[0]
    await new_campaign(bot.runtime, "over", starts_on=today(bot.runtime) - 10 * DAY, ends_on=today(bot.runtime) - DAY)
    replies = await say(bot.client, "old1", "推荐好友")
    assert "没有进行中的推荐活动" in replies[0]
    assert await ReferralCard.all().count() == 0


async def test_a_card_of_an_ended_campaign_counts_for_nothing(bot, clock: FakeClock):
    await new_campaign(bot.runtime, ends_on=today(bot.runtime))
    code = await card_code(bot.client, "old1")
    await clock.advance(DAY)
    page = await bot.client.get(f"/r/{code}")
    assert page.status == 410 and "已经结束" in await page.text()
    await web_visit(bot.client, code, "friend1")
    assert await Referral.all().count() == 0
    assert await Rejection.filter(reason="campaign_ended").count() == 1


async def test_a_campaign_moved_into_the_future_does_not_count_yet(bot):
    campaign = await new_campaign(bot.runtime)
    code = await card_code(bot.client, "old1")
    campaign.starts_at = bot.runtime.clock.now() + DAY
    await campaign.save()
    await web_visit(bot.client, code, "friend1")
    assert await Referral.all().count() == 0
    assert await Rejection.filter(reason="campaign_not_started").count() == 1


async def test_a_tampered_code_is_refused_and_recorded(bot):
    await new_campaign(bot.runtime)
    code = await card_code(bot.client, "old1")
    tampered = code[:-1] + ("a" if code[-1] != "a" else "b")
    page = await bot.client.get(f"/r/{tampered}")
    assert page.status == 404 and "链接好像有误" in await page.text()
    await web_visit(bot.client, tampered, "friend1")
    forged = new_code(b"somebody else's secret key!!")
    await web_visit(bot.client, forged, "friend2")
    assert (await bot.client.get("/r/not-a-code")).status == 404
    assert await Referral.all().count() == 0
    assert await Rejection.filter(reason="bad_signature").count() == 4
    assert (await bot.client.get(f"/r/{tampered}/card.png")).status == 404


async def test_a_genuine_code_that_was_never_issued_is_an_unknown_card(bot):
    await new_campaign(bot.runtime)
    unissued = new_code(await secret_key(bot.runtime.settings))
    await web_visit(bot.client, unissued, "friend1")
    assert [r.reason for r in await Rejection.all()] == ["unknown_card"]


def test_codes_are_signed_and_every_change_breaks_them():
    secret = b"0123456789abcdef0123456789abcdef"
    code = new_code(secret)
    assert is_genuine(code, secret) and len(code) == 18
    assert not is_genuine(code, b"another secret of the same size")
    for i in range(len(code)):
        changed = code[:i] + ("a" if code[i] != "a" else "b") + code[i + 1:]
        assert not is_genuine(changed, secret)
    assert not is_genuine(code.upper(), secret) and not is_genuine(code + "a", secret)
    assert len({new_code(secret) for _ in range(1000)}) == 1000


async def test_the_secret_is_generated_once_beside_sqlite_and_required_with_postgres(tmp_path):
    settings = make_settings(tmp_path)
    key = await secret_key(settings)
    path = secret_path(settings.database_url)
    assert path.parent == tmp_path and stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert len(key) == 64 and path.read_bytes().strip() == key
    again = make_settings(tmp_path)
    assert await secret_key(again) == key
    configured = ReferralSettings.load(secret="a-configured-secret")
    assert await secret_key(make_settings(tmp_path).with_areas(configured)) == b"a-configured-secret"
    with pytest.raises(SecretMissing, match="REFERRAL_SECRET"):
        await secret_key(make_settings(tmp_path, database_url="postgres://db.example/shop").with_areas(
            ReferralSettings.load(secret=None)))
    configured = make_settings(tmp_path, database_url="postgres://db.example/shop").with_areas(
        ReferralSettings.load(secret="x" * 32))
    assert await secret_key(configured) == b"x" * 32
