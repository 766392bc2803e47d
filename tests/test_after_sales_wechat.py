"""After-sales dialogues over the WeChat channel: signed (and encrypted) pushes to the real app.

`wechat_bot` runs the app with every extension and the WeChat channel wired to `FakeWeChat`;
`WeChatUser` signs each message as WeChat does and reads the passive reply. The clock is fake, so
every answer is in time and comes back passively.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from bot.clock import FakeClock
from models.case import AfterSalesCase, CasePhoto
from models.conversation import Conversation
from tests.fakes.erp_server import order_object, seed_orders
from tests.fakes.wechat_user import WeChatUser, wechat_bot

OPENID = "o_after_sales_follower_01"
OTHER = "o_after_sales_follower_02"
ORDER = "3301234567890123456"


@asynccontextmanager
async def wechat_shop(tmp_path, clock: FakeClock, *, safe_mode: bool = False) -> AsyncIterator[WeChatUser]:
    async with wechat_bot(tmp_path, clock=clock, safe_mode=safe_mode) as bot:
        await seed_orders(order_object(ORDER, f"wechat:{OPENID}"), now=clock.now())
        yield bot.user(OPENID)


@pytest.fixture
async def follower(tmp_path, clock) -> AsyncIterator[WeChatUser]:
    async with wechat_shop(tmp_path, clock) as user:
        yield user


async def cases() -> list[AfterSalesCase]:
    return await AfterSalesCase.filter(order__order_no=ORDER).order_by("id")


@pytest.mark.parametrize(("messages", "kind"), [
    (["我要退货", ORDER], "return"),
    (["耳机想换个颜色", ORDER, "换成白色"], "exchange"),
    (["申请退款", ORDER], "refund"),
    (["耳机坏了 没声音", ORDER], "damaged"),
    (["少发了配件", ORDER], "missing"),
    (["耳机坏了", "我要维权", ORDER], "rights"),
])
async def test_each_kind_over_wechat(follower, messages, kind):
    first = await follower.say(messages[0])
    assert "订单号" in first.content
    for text in messages[1:]:
        reply = await follower.say(text)
    [case] = await cases()
    assert case.kind == kind and case.case_no in reply.content


async def test_track_and_extend_over_wechat(tmp_path, clock):
    async with wechat_shop(tmp_path, clock) as user:
        await seed_orders(order_object("E2026112200401", f"wechat:{OPENID}", status="shipped", shipped_hours_ago=5),
                          now=clock.now())
        assert "中通快递" in (await user.say("物流到哪了 E2026112200401")).content
        assert "延长" in (await user.say("帮我延长收货 E2026112200401")).content


async def test_someone_elses_order_over_wechat(follower):
    reply = await follower.as_user(OTHER).say(f"订单{ORDER}要退货")
    assert "没有查到" in reply.content and "玻璃水杯" not in reply.content
    assert await cases() == []


async def test_order_number_typed_with_spaces_and_full_width_digits(follower):
    reply = await follower.say("退货 ３３０１ ２３４５ ６７８９ ０１２ ３４５６")
    [case] = await cases()
    assert case.case_no in reply.content


async def test_a_retried_wechat_message_files_one_case(follower):
    request = follower.signed(follower.text(f"订单{ORDER}申请退货"))
    replies = [await follower.send(request) for _ in range(3)]
    assert len(await cases()) == 1
    assert replies[0].content == replies[1].content == replies[2].content


async def test_a_repeated_request_returns_the_open_case(follower):
    await follower.say(f"订单{ORDER}申请退货")
    again = await follower.say(f"{ORDER} 我要退货")
    [case] = await cases()
    assert case.case_no in again.content and "处理中" in again.content


async def test_cancel_midway_over_wechat(follower):
    await follower.say("我要退货")
    assert "取消" in (await follower.say("算了")).content
    await follower.say(ORDER)
    assert await cases() == []


async def test_an_image_message_attaches_to_the_open_case_once(follower):
    await follower.say(f"{ORDER} 耳机坏了")
    [case] = await cases()
    image = follower.signed(follower.image("http://mmbiz.qpic.cn/broken.jpg"))
    first, retry = await follower.send(image), await follower.send(image)
    assert case.case_no in first.content and retry.content == first.content
    [photo] = await CasePhoto.filter(case_id=case.id)
    assert photo.url == "http://mmbiz.qpic.cn/broken.jpg" and photo.source_key.startswith("wechat:")


async def test_rights_claim_escalates_the_wechat_conversation(follower):
    await follower.say("耳机坏了")
    await follower.say("我要维权")
    await follower.say(ORDER)
    conversation = await Conversation.get(key=f"wechat:{OPENID}")
    assert conversation.escalation_reason == "rights_claim"


async def test_safe_mode_dialogue(tmp_path, clock):
    async with wechat_shop(tmp_path, clock, safe_mode=True) as user:
        await user.say("我要退货")
        reply = await user.say(ORDER)
        [case] = await cases()
        assert case.case_no in reply.content
