"""Photos are never dropped (docs/after_sales.md "Photos kept, policy questions answered"): with two
cases waiting for photos, the photo is kept at once on the most recently touched one and the bot asks
whether it belongs to another; a non-answer, another question, more photos or a customer back the next
day lose nothing. Real HTTP to the app (web chat uploads, signed WeChat XML), injected clock."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.clock import FakeClock
from models.case import AfterSalesCase, CasePhoto
from tests.fakes.erp_server import order_object, seed_orders
from tests.fakes.wechat_user import wechat_bot
from tests.test_after_sales_chat import cases, photo_bytes, say, upload

pytestmark = pytest.mark.timeout(60)

CUPS = "E2026112200123"
EARPHONES = "E2026112200456"


@pytest.fixture
def bot_settings(tmp_path):
    return {"after_sales_upload_dir": tmp_path / "uploads"}


@pytest.fixture
async def bot(bot, clock: FakeClock):
    await seed_orders(
        order_object(CUPS, "webchat:alice"),
        order_object(EARPHONES, "webchat:alice", items=[{"item_name": "蓝牙耳机", "qty": 1, "price": "99.00"}]),
        now=clock.now())
    return bot


async def two_waiting(bot, clock: FakeClock) -> tuple[AfterSalesCase, AfterSalesCase]:
    """Two damaged cases waiting for photos: (older, most recently touched)."""
    await say(bot, "alice", f"耳机坏了 订单{EARPHONES}")
    await clock.advance(60)
    await say(bot, "alice", f"杯子碎了 订单{CUPS}")
    [older], [recent] = await cases(EARPHONES), await cases(CUPS)
    return older, recent


async def send_photo(bot, color: int = 0) -> str:
    response = await upload(bot, "alice", photo_bytes((color, 10, 10)))
    assert response.status == 200, await response.text()
    return "".join((await response.json())["replies"])


async def photos_of(case: AfterSalesCase) -> int:
    return await CasePhoto.filter(case_id=case.id).count()


async def test_a_non_answer_asks_once_more_and_the_photo_stays_on_the_recent_case(bot, clock):
    older, recent = await two_waiting(bot, clock)
    asked = await send_photo(bot)
    assert older.case_no in asked and recent.case_no in asked
    again = await say(bot, "alice", "嗯嗯")
    assert recent.case_no in again and "序号" in again  # asked once more, saying where the photo is
    moved_on = await say(bot, "alice", "嗯嗯")
    assert "序号" not in moved_on  # not asked a third time
    assert await photos_of(recent) == 1 and await photos_of(older) == 0


async def test_another_question_is_answered_and_the_photo_is_kept(bot, clock):
    older, recent = await two_waiting(bot, clock)
    await send_photo(bot)
    await send_photo(bot, color=200)  # a second photo while the question is open
    answered = await say(bot, "alice", "发票怎么开")
    assert "发票" in answered
    assert await photos_of(recent) == 2 and await photos_of(older) == 0


async def test_picking_the_other_case_moves_every_photo_there(bot, clock):
    older, recent = await two_waiting(bot, clock)
    await send_photo(bot)
    await send_photo(bot, color=200)
    moved = await say(bot, "alice", "2")  # the list is most recently touched first
    assert older.case_no in moved and "照片" in moved
    assert await photos_of(older) == 2 and await photos_of(recent) == 0


async def test_a_customer_back_the_next_day_loses_nothing_and_is_not_asked_again(bot, clock):
    older, recent = await two_waiting(bot, clock)
    await send_photo(bot)
    await clock.advance(timedelta(days=1))
    greeted = await say(bot, "alice", "你好")
    assert "序号" not in greeted
    assert await photos_of(recent) == 1 and await photos_of(older) == 0


async def test_over_wechat_a_non_answer_keeps_the_photos(tmp_path, clock):
    openid = "o_after_sales_photos_kept_1"
    async with wechat_bot(tmp_path, clock=clock) as shop:
        await seed_orders(order_object("3301234567890123001", f"wechat:{openid}"),
                          order_object("3301234567890123002", f"wechat:{openid}"), now=clock.now())
        follower = shop.user(openid)
        await follower.say("3301234567890123001 杯子碎了")
        await clock.advance(60)
        await follower.say("3301234567890123002 杯子碎了")
        [older] = await AfterSalesCase.filter(order__order_no="3301234567890123001")
        [recent] = await AfterSalesCase.filter(order__order_no="3301234567890123002")
        asked = (await follower.send(follower.signed(follower.image("http://mmbiz.qpic.cn/a.jpg")))).content
        assert older.case_no in asked and recent.case_no in asked
        await follower.send(follower.signed(follower.image("http://mmbiz.qpic.cn/b.jpg")))
        await follower.say("好的")
        await follower.say("好的")
        urls = sorted(await CasePhoto.filter(case_id=recent.id).values_list("url", flat=True))
        assert urls == ["http://mmbiz.qpic.cn/a.jpg", "http://mmbiz.qpic.cn/b.jpg"]
        assert await CasePhoto.filter(case_id=older.id).count() == 0


async def test_a_question_asked_before_this_change_keeps_its_photos(bot, clock):
    """A conversation saved while photos still waited in the state (the earlier shape of the question)."""
    older, recent = await two_waiting(bot, clock)
    state = await bot.runtime.store.get_state("webchat:alice")
    waiting = [{"url": "/after-sales/photos/old.png", "source_key": "webchat:old-photo"}]
    await bot.runtime.store.set_state("webchat:alice", {
        **state, "flow": "after_sales_photo", "data": {"photos": waiting, "cases": [recent.case_no, older.case_no]}})
    reminded = await say(bot, "alice", "嗯嗯")
    assert recent.case_no in reminded and await photos_of(recent) == 1
    assert recent.case_no in await say(bot, "alice", "1") and await photos_of(older) == 0
