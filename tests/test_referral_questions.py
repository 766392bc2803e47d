"""What a `referral` message asks (scripts_zh/topics.yaml, docs/referral.md "Questions about the
campaign"): the rules and rewards are answered with the running campaign's own tiers and no card is
issued; a card only when asked for; the last card and the limit said plainly; a scan through a card
that cannot count says why. Web chat over HTTP, and signed WeChat XML against the fake WeChat."""

from __future__ import annotations

import pytest

from models.referral import Campaign, Referral, ReferralCard, Rejection
from tests.fakes.wechat_marketing import marketing_bot
from tests.test_referral_support import code_in, new_campaign, say

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def bot_ticker():
    return False


async def text_of(client, user_id: str, text: str) -> str:
    return "\n".join(await say(client, user_id, text))


@pytest.mark.parametrize("question", ["推荐奖励怎么算", "推荐朋友有什么奖励", "推荐一个朋友给多少钱"])
async def test_a_question_about_the_rewards_states_the_campaigns_tiers_and_issues_no_card(bot, question):
    await new_campaign(bot.runtime)  # the default plan, R-REF-5 and R-REF-6
    reply = await text_of(bot.client, "asker", question)
    assert "「春季老带新」的推荐奖励" in reply
    assert "第1–3位每位¥4000，第4–6位每位¥5000，第7位起每位¥6000" in reply
    assert "成功推荐1–3位时2%，成功推荐4–6位时2.5%，成功推荐7位及以上3%" in reply
    assert "最多可领5张推荐卡" in reply and "/r/" not in reply
    assert await ReferralCard.all().count() == 0


async def test_the_rules_follow_the_campaigns_own_terms(bot):
    await new_campaign(bot.runtime, bounties="1:3000,2:3500.5", rates="1:1.5%", max_cards=3)
    reply = await text_of(bot.client, "asker", "推荐奖励怎么算")
    assert "第1位¥3000，第2位起每位¥3500.5" in reply and "成功推荐1位及以上1.5%" in reply
    assert "最多可领3张推荐卡" in reply and "¥4000" not in reply


async def test_asking_for_a_card_still_gets_one_and_results_still_get_the_standing(bot):
    await new_campaign(bot.runtime)
    assert code_in(await say(bot.client, "old1", "推荐好友"))
    standing = await text_of(bot.client, "old1", "我推荐了几个朋友")
    assert "还没有好友通过推荐卡到店" in standing and "/r/" not in standing
    assert await ReferralCard.all().count() == 1


async def test_the_last_card_and_the_limit_are_said_plainly(bot):
    await new_campaign(bot.runtime, max_cards=2)
    first = await text_of(bot.client, "old1", "推荐好友")
    assert "第1张" in first and "再领1张" in first
    last = await text_of(bot.client, "old1", "推荐好友")
    assert "第2张" in last and "最后一张" in last and "再领0张" not in last and code_in([last])
    over = await text_of(bot.client, "old1", "推荐好友")
    assert "每人最多可领2张，您已经领满了" in over and "下次推荐活动开始后可以重新领取" in over
    assert "/r/" not in over and await ReferralCard.all().count() == 2


@pytest.fixture
async def wechat(tmp_path, clock):
    async with marketing_bot(tmp_path, clock=clock) as running:
        await running.runtime.scheduler.stop()
        yield running


async def wechat_card(bot, openid: str) -> str:
    reply = await bot.user(openid).say("推荐好友")
    await bot.runtime.channels["wechat"].settle()
    return code_in([reply.content, *bot.wechat.texts_to(openid)])


async def test_a_scan_that_cannot_count_says_why(wechat):
    await new_campaign(wechat.runtime)
    code = await wechat_card(wechat, "o_referrer")
    referrer = wechat.user("o_referrer")
    own = await referrer.post(referrer.event("SCAN", f"ref_{code}"))
    assert "这是您自己的专属推荐卡" in own.content
    regular = wechat.user("o_regular")
    await regular.say("在吗")
    known = await regular.post(regular.event("SCAN", f"ref_{code}"))
    assert "只计入第一次来" in known.content and "这次扫码不计入推荐" in known.content
    friend = wechat.user("o_friend")
    assert "欢迎您通过好友" in (await friend.post(friend.event("SCAN", f"ref_{code}"))).content
    latecomer = wechat.user("o_late")
    used = await latecomer.post(latecomer.event("subscribe", f"qrscene_ref_{code}"))
    assert "这张推荐卡已经邀请过一位好友了" in used.content
    forged = wechat.user("o_forged")
    assert (await forged.post(forged.event("SCAN", "ref_aaaaaaaaaaaaaaaaaa"))).is_success  # nothing to explain
    await Campaign.all().update(ends_at=wechat.runtime.clock.now())
    closed = wechat.user("o_after")
    assert "推荐活动目前不在进行中" in (await closed.post(closed.event("SCAN", f"ref_{code}"))).content
    assert [r.reason for r in await Rejection.all().order_by("id")] == [
        "self_referral", "existing_customer", "card_used", "bad_signature", "campaign_ended"]
    assert await Referral.all().count() == 1
