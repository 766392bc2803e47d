"""After-sales dialogues over the web chat, HTTP to the real app: what goes wrong, photos, progress.

The dialogues every channel carries the same way (each kind, someone else's order, cancelling, ...)
are in test_after_sales_channels.py.
"""

from __future__ import annotations

import io
from datetime import timedelta

import aiohttp
import pytest
from PIL import Image

from bot.clock import FakeClock
from bot.events import Inbound
from handlers.after_sales.desk import DESK
from models.case import AfterSalesCase, CasePhoto
from models.conversation import Conversation
from models.customer import Customer
from models.order import Order
from tests.fakes.bot_app import make_settings, running_bot, visitor_headers
from tests.fakes.erp_server import order_object, seed_orders

ORDER = "E2026112200123"


def photo_bytes(color: tuple[int, int, int] = (255, 128, 0), kind: str = "PNG") -> bytes:
    """A real image (uploads are read by Pillow, not by their first bytes)."""
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), color).save(buffer, kind)
    return buffer.getvalue()


PNG = photo_bytes()


@pytest.fixture
def bot_settings(tmp_path):
    return {"after_sales_upload_dir": tmp_path / "uploads"}


@pytest.fixture
async def bot(bot, clock: FakeClock):
    await seed_orders(order_object(ORDER, "webchat:alice"), now=clock.now())
    return bot


async def say(bot, user_id: str, text: str, client_msg_id: str | None = None) -> str:
    body = {"user_id": user_id, "text": text, **({"client_msg_id": client_msg_id} if client_msg_id else {})}
    response = await bot.client.post("/api/webchat/messages", json=body, headers=visitor_headers(bot.runtime, user_id))
    assert response.status == 200, await response.text()
    return "\n".join((await response.json())["replies"])


async def upload(bot, user_id: str, data: bytes = PNG, name: str = "photo.png") -> aiohttp.ClientResponse:
    form = aiohttp.FormData()
    form.add_field("user_id", user_id)
    form.add_field("file", io.BytesIO(data), filename=name, content_type="image/png")
    return await bot.client.post("/api/after-sales/photos", data=form, headers=visitor_headers(bot.runtime, user_id))


async def cases(order_no: str = ORDER) -> list[AfterSalesCase]:
    return await AfterSalesCase.filter(order__order_no=order_no).order_by("id")


async def escalation(user_id: str) -> str | None:
    return (await Conversation.get(key=f"webchat:{user_id}")).escalation_reason


async def test_exchange_remembers_the_wanted_size_given_before_the_order(bot):
    await say(bot, "alice", "我要换货")
    await say(bot, "alice", "换成白色")
    reply = await say(bot, "alice", ORDER)
    [case] = await cases()
    assert (case.kind, case.wanted) == ("exchange", "白色") and case.case_no in reply


async def test_a_rights_claim_midway_goes_to_the_complaint_dialogue(bot):
    """投诉/维权 leaves the after-sales dialogue for the complaints flow (test_after_sales_probe5.py follows it)."""
    await say(bot, "alice", "东西坏了")
    assert "没有订单" in await say(bot, "alice", "我要维权")  # the complaint's question: which order, or none
    assert "怎么为您解决" in await say(bot, "alice", ORDER)
    assert await cases() == []


async def test_refund_above_the_limit_goes_to_a_person(bot, clock):
    await seed_orders(order_object("E2026112200999", "webchat:alice", items=[
        {"sku": "ROBOT", "item_name": "扫地机器人", "qty": 1, "price": "6999.00"}]), now=clock.now())
    await say(bot, "alice", "退款 E2026112200999")
    [case] = await cases("E2026112200999")
    assert (case.requested_fen, case.escalation) == (699900, "refund_over_limit")
    assert await escalation("alice") == "refund_over_limit"


async def test_an_order_is_owned_through_the_verified_phone(bot, clock):
    await seed_orders(order_object("E2026112200777", None, phone="+86 138-0000-0003"), now=clock.now())
    await say(bot, "carol", "你好")
    await Customer.filter(channel="webchat", external_id="carol").update(phone="13800000003")
    assert "退货申请" in await say(bot, "carol", "订单E2026112200777申请退货")
    assert "没有查到" in await say(bot, "dave", "订单E2026112200777申请退货")


async def test_which_item_is_asked_for_when_the_order_has_several(bot, clock):
    await seed_orders(order_object("E2026112200555", "webchat:alice", items=[
        {"item_name": "陶瓷马克杯", "qty": 2, "price": "39.00"},
        {"item_name": "北欧风餐盘", "qty": 1, "price": "129.00"}]),
        now=clock.now())
    asked = await say(bot, "alice", "东西坏了 E2026112200555")
    assert "1. 陶瓷马克杯 ×2" in asked and "2. 北欧风餐盘 ×1" in asked
    reply = await say(bot, "alice", "第二个")
    [case] = await cases("E2026112200555")
    assert case.item["name"] == "北欧风餐盘" and "北欧风餐盘" in reply


async def test_the_customer_may_change_their_mind(bot):
    await say(bot, "alice", "我要退货")
    assert "尺码或颜色" in await say(bot, "alice", "还是换货吧")
    await say(bot, "alice", ORDER)
    await say(bot, "alice", "L码")
    [case] = await cases()
    assert (case.kind, case.wanted) == ("exchange", "L码")


async def test_another_topic_midway_is_answered_and_the_dialogue_waits(bot):
    await say(bot, "alice", "我要退货")
    assert "发票" in await say(bot, "alice", "发票怎么开")
    assert "退货申请" in await say(bot, "alice", ORDER)


async def test_a_retried_message_files_one_case_even_after_that_case_closed(bot):
    """The message's source id is the second guard: the open-case key no longer blocks after a cancel."""
    runtime = bot.runtime
    inbound = Inbound(channel="webchat", user_id="alice", kind="text", text=f"订单{ORDER}申请退货",
                      source_id="alice:m-1", received_at=runtime.clock.now())
    first = await runtime.dispatcher.handle(inbound)
    [case] = await cases()
    await runtime.services[DESK].cases.advance(case, "cancelled", actor="agent:1", role="agent", notify=False)
    again = await runtime.dispatcher.handle(inbound)
    assert [c.case_no for c in await cases()] == [case.case_no] and again.texts == first.texts


async def test_a_resent_web_message_files_one_case(bot):
    replies = [await say(bot, "alice", f"订单{ORDER}申请退货", client_msg_id="resend-1") for _ in range(3)]
    assert len(await cases()) == 1 and replies[0] == replies[1] == replies[2]


async def test_a_photo_attaches_to_the_open_case_once(bot):
    await say(bot, "alice", f"{ORDER} 杯子碎了")
    [case] = await cases()
    first, again = await upload(bot, "alice"), await upload(bot, "alice")
    assert first.status == again.status == 200
    assert case.case_no in "".join((await first.json())["replies"])
    assert (await again.json())["replies"] == []  # the same photo is one message, answered once
    [photo] = await CasePhoto.filter(case_id=case.id)
    assert photo.url.startswith("/api/after-sales/photos/") and photo.url.endswith(".png")
    assert (await bot.client.get(photo.url)).status == 401  # customers' photos are for staff only
    assert (await upload(bot, "alice", b"not an image", "x.txt")).status == 415


async def test_a_photo_sent_during_the_dialogue_is_kept_for_the_case(bot):
    await say(bot, "alice", "杯子碎了")
    kept = "".join((await (await upload(bot, "alice")).json())["replies"])
    assert "照片收到" in kept and "订单号" in kept
    await say(bot, "alice", ORDER)
    [case] = await cases()
    assert await CasePhoto.filter(case_id=case.id).count() == 1


async def test_a_photo_without_any_after_sales_request_is_refused(bot):
    response = await upload(bot, "nobody")
    assert response.status == 403
    assert not (bot.runtime.settings.after_sales_upload_dir).exists()


async def test_progress_by_case_number_says_the_step_and_what_comes_next(bot):
    await say(bot, "alice", f"订单{ORDER}申请退货")
    [case] = await cases()
    reply = await say(bot, "alice", f"售后单 {case.case_no} 怎么样了")
    assert case.case_no in reply and "等待商家确认" in reply and "尽快确认" in reply
    assert "没有查到" in await say(bot, "bob", f"售后单 {case.case_no}")  # not bob's case
    assert "没有查到" in await say(bot, "alice", "售后单 AS20261123-0099")


async def test_progress_without_a_number_answers_from_the_customers_cases(bot):
    assert "AS开头" in await say(bot, "alice", "售后进度")
    await say(bot, "alice", f"订单{ORDER}申请退货")
    await say(bot, "alice", f"{ORDER}少发了一个")
    listed = await say(bot, "alice", "我的售后处理到哪了")
    assert all(c.case_no in listed for c in await cases())


async def test_refund_question_with_a_return_under_way_answers_its_progress(bot):
    await say(bot, "alice", f"订单{ORDER}申请退货")
    [case] = await cases()
    reply = await say(bot, "alice", "退款怎么还没到账")
    assert case.case_no in reply and len(await cases()) == 1


async def test_the_customer_cancels_a_case_before_the_goods_are_back(bot):
    await say(bot, "alice", f"订单{ORDER}申请退货")
    [case] = await cases()
    assert "已为您取消" in await say(bot, "alice", f"取消售后单{case.case_no}")
    await case.refresh_from_db()
    assert case.state == "cancelled" and case.open_key is None


async def test_a_case_whose_goods_are_back_is_cancelled_by_a_person(bot):
    await say(bot, "alice", f"订单{ORDER}申请退货")
    [case] = await cases()
    desk = bot.runtime.services[DESK]
    for step in ("approved", "awaiting_return", "received"):
        case = await desk.cases.advance(case, step, actor="agent:1", role="agent", notify=False)
    reply = await say(bot, "alice", f"取消售后单{case.case_no}")
    await case.refresh_from_db()
    assert case.state == "received" and "同事" in reply and await escalation("alice") == "case_cancel_late"


async def test_tracking_answers_from_the_courier_and_latest_movement(bot, clock):
    now = clock.now()
    await seed_orders(order_object("E2026112200301", "webchat:alice", status="shipped", shipped_hours_ago=20,
                                   tracking_events=[{"at": (now - timedelta(hours=2)).isoformat(),
                                                     "status": "【上海市】派送中"}]), now=now)
    assert "订单号" in await say(bot, "alice", "我的快递到哪了")
    reply = await say(bot, "alice", "E2026112200301")
    assert "中通快递" in reply and "ZT12200301" in reply and "【上海市】派送中" in reply and "11-23 08:00" in reply
    assert await cases("E2026112200301") == []


async def test_a_parcel_that_stopped_moving_gets_a_tracking_case(bot, clock):
    now = clock.now()
    await seed_orders(order_object("E2026112200302", "webchat:alice", status="shipped", shipped_hours_ago=60,
                                   tracking_events=[{"at": (now - timedelta(hours=50)).isoformat(),
                                                     "status": "【广州市】已揽收"}]), now=now)
    reply = await say(bot, "alice", "快递到哪了 E2026112200302")
    [case] = await cases("E2026112200302")
    assert case.kind == "track" and case.case_no in reply and "联系快递" in reply


async def test_extend_records_on_the_order_then_a_second_request_goes_to_staff(bot, clock):
    await seed_orders(order_object("E2026112200303", "webchat:alice", status="shipped", shipped_hours_ago=30),
                      now=clock.now())
    reply = await say(bot, "alice", "帮我延长收货时间 E2026112200303")
    order = await Order.get(order_no="E2026112200303")
    assert order.receipt_extended_at == clock.now()
    assert order.receipt_due_at == order.shipped_at + timedelta(days=13)
    assert order.receipt_due_at.astimezone(bot.runtime.settings.zone).strftime("%Y-%m-%d") in reply
    assert await cases("E2026112200303") == []
    again = await say(bot, "alice", "再延长几天 E2026112200303")
    [case] = await cases("E2026112200303")
    assert case.kind == "extend" and case.case_no in again


async def test_shop_specific_order_number_patterns(tmp_path, clock):
    settings = make_settings(tmp_path, order_no_patterns=[r"(?<![A-Za-z0-9])DD\d{8}(?!\d)"])
    async with running_bot(settings, clock=clock) as bot:
        await seed_orders(order_object("DD12345678", "webchat:alice"), now=clock.now())
        reply = await say(bot, "alice", "退货 DD12345678")
        [case] = await cases("DD12345678")
        assert case.case_no in reply


async def test_an_oversized_photo_is_refused_with_413(tmp_path, clock):
    async with running_bot(make_settings(tmp_path, after_sales_photo_max_bytes=1024), clock=clock) as small:
        await say(small, "visitor-1", "杯子碎了")
        response = await upload(small, "visitor-1", PNG + b"\0" * 4096)
        assert response.status == 413
        error = (await response.json())["error"]
        assert error["code"] == "photo_too_large" and "limited to 1024 bytes" in error["message"]
