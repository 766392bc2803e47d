"""Probe 5's after-sales defects over the web chat, HTTP to the real app: a complaint said while the bot
waits for an order number, a case number acted on as named, a photo for the case that asked for it,
an order number sent alone, a duplicate exchange and the item picker (docs/after_sales.md "Probe 5")."""

from __future__ import annotations

import pytest

from bot.clock import FakeClock
from models.case import AfterSalesCase, CasePhoto
from models.complaint import Complaint
from models.conversation import Conversation
from tests.fakes.erp_server import order_object, seed_orders
from tests.test_after_sales_chat import cases, say, upload
from tests.test_after_sales_wechat import ORDER as WECHAT_ORDER
from tests.test_after_sales_wechat import wechat_shop

ORDER = "E2026112200123"
SECOND = "E2026112200456"
BOBS = "E2026112200999"
PLATES = "E2026112200555"


@pytest.fixture
def bot_settings(tmp_path):
    return {"after_sales_upload_dir": tmp_path / "uploads"}


@pytest.fixture
async def bot(bot, clock: FakeClock):
    await seed_orders(
        order_object(ORDER, "webchat:alice"),
        order_object(SECOND, "webchat:alice", items=[{"item_name": "蓝牙耳机", "qty": 1, "price": "99.00"}]),
        order_object(BOBS, "webchat:bob"),
        order_object(PLATES, "webchat:alice", items=[{"item_name": "陶瓷马克杯", "qty": 2, "price": "39.00"},
                                                      {"item_name": "北欧风餐盘四件套", "qty": 1, "price": "129.00"}]),
        now=clock.now())
    return bot


async def escalation(user_id: str) -> str | None:
    return (await Conversation.get(key=f"webchat:{user_id}")).escalation_reason


# --- 1. a complaint while the bot waits for an order number ---

async def test_a_complaint_while_an_order_number_is_awaited_is_registered_without_one(bot):
    assert "订单号" in await say(bot, "alice", "快递到哪了")
    soothed = await say(bot, "alice", "我要投诉，你们客服态度太差了")
    assert "对不起" in soothed and "没有订单" in soothed  # soothed (态度), then the complaint's "which order, or none"
    assert "怎么为您解决" in await say(bot, "alice", "跟订单没关系")
    assert "联系电话" in await say(bot, "alice", "希望客服给我道歉")
    done = await say(bot, "alice", "就在这里联系吧")
    [complaint] = await Complaint.all().prefetch_related("order")
    assert complaint.number in done and complaint.order is None and complaint.category == "service"
    assert "态度" in complaint.content and "道歉" in complaint.desired_outcome
    assert await escalation("alice") == "complaint" and await AfterSalesCase.all().count() == 0


async def test_a_rights_claim_midway_keeps_what_was_said_and_the_order(bot):
    assert "哪一件" in await say(bot, "alice", f"东西坏了 {PLATES}")
    asked = await say(bot, "alice", "我要维权")
    assert "怎么为您解决" in asked  # what happened and the order come from the after-sales dialogue
    await say(bot, "alice", "要求赔偿")
    done = await say(bot, "alice", "13800138000")
    [complaint] = await Complaint.all().prefetch_related("order")
    assert complaint.number in done and complaint.order.order_no == PLATES and "坏了" in complaint.content
    assert await AfterSalesCase.all().count() == 0  # a complaint, not an after-sales case beside it


async def test_no_order_ends_the_order_question(bot):
    assert "订单号" in await say(bot, "alice", "快递到哪了")
    ended = await say(bot, "alice", "没有订单")
    assert "没法" in ended and "麻烦发一下订单号" not in ended
    assert "发票" in await say(bot, "alice", "发票怎么开")  # no dialogue waits any more
    assert "订单号" not in await say(bot, "alice", "好的")


# --- 2. a case number in the message is the case acted on ---

async def test_cancel_by_case_number_cancels_that_case_not_the_refund(bot):
    await say(bot, "alice", f"{SECOND} 耳机坏了")
    await say(bot, "alice", f"{ORDER} 我要退款")
    damaged, = await cases(SECOND)
    refund, = await cases(ORDER)
    reply = await say(bot, "alice", f"取消 {damaged.case_no}")
    await damaged.refresh_from_db()
    await refund.refresh_from_db()
    assert damaged.state == "cancelled" and damaged.case_no in reply and refund.case_no not in reply
    assert refund.state != "cancelled"


async def test_another_customers_case_number_is_not_found_and_nothing_else_is_told(bot):
    await say(bot, "bob", f"{BOBS} 我要退货")
    bobs, = await cases(BOBS)
    await say(bot, "alice", f"{ORDER} 我要退款")
    own, = await cases(ORDER)
    for text in (bobs.case_no, f"取消 {bobs.case_no}", f"{bobs.case_no} 退款怎么还没到"):
        reply = await say(bot, "alice", text)
        assert "没有查到" in reply and own.case_no not in reply, text
    await bobs.refresh_from_db()
    assert bobs.state != "cancelled"


# --- 3. a photo goes to the case that asked for photos ---

async def test_a_photo_goes_to_the_case_waiting_for_photos(bot):
    assert "照片" in await say(bot, "alice", f"耳机坏了 订单{SECOND}")
    await say(bot, "alice", f"{ORDER} 我要退货")
    damaged, = await cases(SECOND)
    returned, = await cases(ORDER)
    reply = "".join((await (await upload(bot, "alice")).json())["replies"])
    assert damaged.case_no in reply and returned.case_no not in reply
    assert await CasePhoto.filter(case_id=damaged.id).count() == 1
    assert await CasePhoto.filter(case_id=returned.id).count() == 0


async def test_with_two_cases_waiting_for_photos_the_bot_asks_which(bot):
    await say(bot, "alice", f"耳机坏了 订单{SECOND}")
    await say(bot, "alice", f"杯子碎了 订单{ORDER}")
    first, = await cases(SECOND)
    second, = await cases(ORDER)
    asked = "".join((await (await upload(bot, "alice")).json())["replies"])
    assert first.case_no in asked and second.case_no in asked
    assert await CasePhoto.all().count() == 1  # kept at once on one of them (fixes31: never dropped)
    attached = await say(bot, "alice", first.case_no)
    assert first.case_no in attached and "照片" in attached
    assert await CasePhoto.filter(case_id=first.id).count() == 1
    assert await CasePhoto.filter(case_id=second.id).count() == 0


# --- 4. an order number sent alone ---

async def test_an_order_number_alone_answers_that_orders_parcel_and_is_remembered(bot):
    alone = await say(bot, "alice", ORDER)
    assert ORDER in alone and "签收" in alone  # the parcel's status (R-ANSWER-6)
    again = await say(bot, "alice", "查物流")
    assert ORDER in again and "签收" in again and "麻烦发一下订单号" not in again
    await say(bot, "alice", ORDER)
    await say(bot, "alice", ORDER)
    assert await escalation("alice") is None  # not "unclear twice"


async def test_a_marketplace_order_number_alone_over_wechat(tmp_path, clock):
    """Probe 5's s24 as it ran: signed WeChat XML, the follower's 19-digit marketplace number alone."""
    async with wechat_shop(tmp_path, clock) as follower:
        alone = (await follower.say(WECHAT_ORDER)).content
        assert WECHAT_ORDER in alone and "签收" in alone
        again = (await follower.say("查物流")).content
        assert WECHAT_ORDER in again and "麻烦发一下订单号" not in again


# --- 5. a duplicate exchange; the item picker ---

async def test_a_second_exchange_says_the_open_case_before_asking_the_size(bot):
    await say(bot, "alice", f"{ORDER} 换货")
    await say(bot, "alice", "换成S码")
    [case] = await cases()
    again = await say(bot, "alice", f"{ORDER} 换货")
    assert case.case_no in again and "尺码" not in again and len(await cases()) == 1


async def test_the_item_picker_matches_shared_words_and_offers_a_person(bot):
    await say(bot, "alice", f"东西摔坏了 {PLATES}")
    picked = await say(bot, "alice", "盘子")
    [case] = await cases(PLATES)
    assert case.item["name"] == "北欧风餐盘四件套" and case.case_no in picked
    await say(bot, "bob", "东西摔坏了")
    await seed_orders(order_object("E2026112200556", "webchat:bob", items=[
        {"item_name": "陶瓷马克杯", "qty": 2, "price": "39.00"},
        {"item_name": "北欧风餐盘四件套", "qty": 1, "price": "129.00"}]), now=bot.runtime.clock.now())
    assert "1. 陶瓷马克杯" in await say(bot, "bob", "E2026112200556")
    await say(bot, "bob", "那个蓝色的")
    offered = await say(bot, "bob", "就是那个东西啊")
    assert "人工" in offered and await escalation("bob") is not None
