"""A campaign's tiers refuse values no reward can be paid in: a NaN or infinite rate or bounty (a NaN
rate reached a Decimal comparison and answered 500), and a bounty past what a reward row holds
(`ReferralReward.amount_fen` is a BIGINT: 1:99999999999999999999 yuan was accepted). Over HTTP, on
the admin API, each refused with the area's 400 `invalid_campaign` and the campaign left as it was.
"""

from __future__ import annotations

import pytest

from bot.web.auth import create_agent, issue_api_token
from handlers.referral.tiers import MAX_BOUNTY_FEN, Tiers, fen_to_yuan
from tests.fakes.bot_app import make_settings, running_bot

BASE = {"title": "测试活动", "starts_on": "2026-11-01", "ends_on": "2026-12-31"}


@pytest.fixture
async def bot(tmp_path):
    async with running_bot(make_settings(tmp_path, referral_secret="s" * 32)) as running:
        admin = await create_agent("root", "admin", "secret-pass-123")
        running.client.session.headers["Authorization"] = f"Bearer {await issue_api_token(admin)}"
        yield running


@pytest.mark.parametrize("tiers", [
    {"rates": "1:nan%"}, {"rates": "1:NaN"}, {"rates": "1:snan%"}, {"rates": "1:inf%"}, {"rates": "1:-Infinity"},
    {"bounties": "1:nan"}, {"bounties": "1:Infinity"}, {"bounties": "1:1e999999999"},
    {"bounties": "1:99999999999999999999"}, {"bounties": f"1:{fen_to_yuan(MAX_BOUNTY_FEN + 100)}"},
    {"bounties": "99999999999:100"},
])
async def test_non_finite_and_out_of_range_tiers_are_refused(bot, tiers):
    response = await bot.client.post("/api/referral/campaigns", json={**BASE, "name": "bad", **tiers})
    assert response.status == 400, await response.text()
    assert (await response.json())["error"]["code"] == "invalid_campaign"
    created = await bot.client.post("/api/referral/campaigns", json={**BASE, "name": "good"})
    assert created.status == 201, await created.text()
    changed = await bot.client.patch("/api/referral/campaigns/good", json=tiers)
    assert changed.status == 400, await changed.text()
    shown = await (await bot.client.get("/api/referral/campaigns/good")).json()
    assert "nan" not in str(shown).lower() and "99999999" not in str(shown)


async def test_the_largest_bounty_is_accepted(bot):
    top = fen_to_yuan(MAX_BOUNTY_FEN)
    response = await bot.client.post("/api/referral/campaigns",
                                     json={**BASE, "name": "top", "bounties": f"1:{top}", "rates": "1:99.5%"})
    assert response.status == 201, await response.text()
    assert Tiers.parse(f"1:{top}", "1:2%").bounty_fen(1) == MAX_BOUNTY_FEN
