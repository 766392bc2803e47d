"""A friend opens a referral link on their phone, taps 在线咨询, and reaches the shop's chat as the visitor
whose first visit the card recorded (a real Chromium, the real app)."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, expect

from models.referral import Referral
from tests.browser import PHONE, open_page
from tests.fakes.bot_app import make_settings, running_bot
from tests.test_referral_support import card_code, new_campaign

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_landing_page_hands_the_friend_to_the_chat_as_the_attributed_visitor(tmp_path, clock, browser: Browser):
    async with running_bot(make_settings(tmp_path), clock=clock) as bot:
        await bot.runtime.scheduler.stop()
        await new_campaign(bot.runtime)
        code = await card_code(bot.client, "old1")
        async with open_page(browser, bot.url(f"/r/{code}"), viewport=PHONE) as page:
            await page.locator("#chat").click()
            await page.wait_for_url(bot.url("/"))
            await expect(page.locator("#shop-name")).to_be_visible()
            token = await page.evaluate("() => window.localStorage.getItem('csbot.webchat.token')")
            visitor = token.split(".")[0]
            referral = await Referral.get().prefetch_related("referred")
            assert referral.referred.external_id == visitor
