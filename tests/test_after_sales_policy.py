"""Policy questions within returns and exchanges (docs/after_sales.md "Photos kept, policy questions
answered"): 七天无理由吗, 退货运费谁出, 有运费险吗, 拆封了还能退吗 are answered from the shop's templates
with an offer to start the request; a request (我要退货, 帮我退了) or an order number still starts it.
Over the web chat's HTTP API to the real app."""

from __future__ import annotations

import pytest

from bot.clock import FakeClock
from models.case import AfterSalesCase
from tests.fakes.erp_server import order_object, seed_orders
from tests.test_after_sales_chat import say

pytestmark = pytest.mark.timeout(60)

ORDER = "E2026112200123"
#: Words only one shipped policy template says; the return dialogue's own question.
MARKERS = {
    "policy_seven_days": "7天无理由退换货",
    "policy_shipping": "运费险",
    "policy_opened": "拆封后",
}
ASKS_ORDER = "我帮您登记申请"


@pytest.fixture
async def bot(bot, clock: FakeClock):
    await seed_orders(order_object(ORDER, "webchat:alice"), now=clock.now())
    return bot


@pytest.mark.parametrize(("text", "template"), [
    ("七天无理由吗", "policy_seven_days"),
    ("退货运费谁出", "policy_shipping"),
    ("有运费险吗", "policy_shipping"),
    ("拆封了还能退吗", "policy_opened"),
    ("换货运费谁出", "policy_shipping"),
])
async def test_a_policy_question_is_answered_with_an_offer_and_files_nothing(bot, text, template):
    reply = await say(bot, "alice", text)
    assert MARKERS[template] in reply, reply
    assert "订单号" in reply and ASKS_ORDER not in reply  # the offer, not the dialogue's question
    assert await AfterSalesCase.all().count() == 0
    assert "发票" in await say(bot, "alice", "发票怎么开")  # no dialogue waits for an order number


async def test_an_order_number_right_after_the_offer_starts_the_return(bot):
    await say(bot, "alice", "七天无理由吗")
    filed = await say(bot, "alice", ORDER)
    [case] = await AfterSalesCase.filter(order__order_no=ORDER)
    assert case.kind == "return" and case.case_no in filed


async def test_the_offer_lapses_after_another_message(bot):
    await say(bot, "alice", "退货运费谁出")
    await say(bot, "alice", "发票怎么开")
    parcel = await say(bot, "alice", ORDER)
    assert "签收" in parcel and await AfterSalesCase.all().count() == 0  # a bare number asks for the parcel


@pytest.mark.parametrize("text", ["我要退货，七天无理由的", "帮我退了吧 运费谁出", f"{ORDER} 拆封了还能退吗"])
async def test_a_request_or_an_order_number_still_starts_the_return(bot, text):
    reply = await say(bot, "alice", text)
    assert not any(marker in reply for marker in MARKERS.values()), reply
    filed = await AfterSalesCase.filter(order__order_no=ORDER).count()
    assert ASKS_ORDER in reply or filed == 1, reply


async def test_a_policy_question_while_the_order_number_is_awaited_answers_and_asks_again(bot):
    assert ASKS_ORDER in await say(bot, "alice", "我要退货")
    answered = await say(bot, "alice", "运费谁出")  # scored as an exchange; the return stays a return
    assert MARKERS["policy_shipping"] in answered and ASKS_ORDER in answered
    filed = await say(bot, "alice", ORDER)
    [case] = await AfterSalesCase.filter(order__order_no=ORDER)
    assert case.kind == "return" and case.case_no in filed
