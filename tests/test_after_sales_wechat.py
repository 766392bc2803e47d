"""After-sales dialogues over the WeChat channel: signed (and encrypted) pushes to the real app.

`wechat_bot` runs the app with every extension and the WeChat channel wired to `FakeWeChat`;
`WeChatUser` signs each message as WeChat does and reads the passive reply. The clock is fake, so
every answer is in time and comes back passively. The dialogues every channel carries the same way
(each kind, someone else's order, cancelling, ...) are in test_after_sales_channels.py.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from bot.clock import FakeClock
from models.case import AfterSalesCase, CasePhoto
from tests.fakes.erp_server import order_object, seed_orders
from tests.fakes.wechat_user import WeChatUser, wechat_bot

OPENID = "o_after_sales_follower_01"
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


async def test_track_and_extend_over_wechat(tmp_path, clock):
    async with wechat_shop(tmp_path, clock) as user:
        await seed_orders(order_object("E2026112200401", f"wechat:{OPENID}", status="shipped", shipped_hours_ago=5),
                          now=clock.now())
        assert "中通快递" in (await user.say("物流到哪了 E2026112200401")).content
        assert "延长" in (await user.say("帮我延长收货 E2026112200401")).content


async def test_a_retried_wechat_message_files_one_case(follower):
    request = follower.signed(follower.text(f"订单{ORDER}申请退货"))
    replies = [await follower.send(request) for _ in range(3)]
    assert len(await cases()) == 1
    assert replies[0].content == replies[1].content == replies[2].content


async def test_an_image_message_attaches_to_the_open_case_once(follower):
    await follower.say(f"{ORDER} 耳机坏了")
    [case] = await cases()
    image = follower.signed(follower.image("http://mmbiz.qpic.cn/broken.jpg"))
    first, retry = await follower.send(image), await follower.send(image)
    assert case.case_no in first.content and retry.content == first.content
    [photo] = await CasePhoto.filter(case_id=case.id)
    assert photo.url == "http://mmbiz.qpic.cn/broken.jpg" and photo.source_key.startswith("wechat:")


async def test_safe_mode_dialogue(tmp_path, clock):
    async with wechat_shop(tmp_path, clock, safe_mode=True) as user:
        await user.say("我要退货")
        reply = await user.say(ORDER)
        [case] = await cases()
        assert case.case_no in reply.content
