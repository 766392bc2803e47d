"""review48's two findings in the after-sales chat: 不要了 beside a case number is about the item, not a
cancellation, unless it is all the message says; and a photo sent while another dialogue runs (a complaint
half told) is kept on its case without a question that would replace that dialogue. Real app over HTTP."""

from __future__ import annotations

from models.complaint import Complaint
from tests import test_after_sales_probe5
from tests.test_after_sales_chat import upload
from tests.test_after_sales_probe5 import ORDER, SECOND, cases, say

bot = test_after_sales_probe5.bot  # the same shop, orders and upload directory as probe5's tests
bot_settings = test_after_sales_probe5.bot_settings


async def test_a_return_request_naming_its_case_is_not_a_cancel(bot):
    await say(bot, "alice", f"{ORDER} 我要退货")
    case, = await cases(ORDER)
    for text in (f"{case.case_no} 东西我不要了 退款什么时候到账", f"{case.case_no} 这个我不要了 退货寄到哪里"):
        await say(bot, "alice", text)
        await case.refresh_from_db()
        assert case.state != "cancelled", text


async def test_a_case_number_with_only_a_withdrawal_beside_it_cancels_the_case(bot):
    await say(bot, "alice", f"{ORDER} 我要退货")
    case, = await cases(ORDER)
    reply = "".join(await say(bot, "alice", f"{case.case_no} 售后不要了"))
    await case.refresh_from_db()
    assert case.state == "cancelled" and "取消" in reply


async def test_a_photo_during_a_complaint_keeps_the_complaint(bot):
    await say(bot, "alice", f"耳机坏了 订单{SECOND}")
    await say(bot, "alice", f"杯子碎了 订单{ORDER}")  # two cases waiting for photos
    await say(bot, "alice", "我要投诉，你们客服态度太差了")
    assert (await upload(bot, "alice")).status == 200
    for text in ("跟订单没关系", "希望客服给我道歉", "就在这里联系吧"):
        await say(bot, "alice", text)
    assert await Complaint.all().count() == 1
    photos = [len(await case.photos.all()) for order in (ORDER, SECOND) for case in await cases(order)]
    assert sorted(photos) == [0, 1]  # kept on one of the waiting cases, not dropped
