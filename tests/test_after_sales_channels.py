"""After-sales dialogues every channel carries the same way, written once and run over each channel.

`customer` is parametrised by channel: the web chat (HTTP to the real app, with the visitor's token)
and WeChat (signed pushes to the webhook, read from the passive reply; the clock is fake, so every
answer is in time). What only one channel has (WeChat retries and images, web resends and uploads)
stays in test_after_sales_wechat.py and test_after_sales_chat.py.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from bot.clock import FakeClock
from models.case import AfterSalesCase
from models.conversation import Conversation
from models.customer import Customer
from models.order import Order
from tests.fakes.bot_app import make_settings, running_bot
from tests.fakes.erp_server import order_object, seed_orders
from tests.fakes.wechat_user import wechat_bot

#: Each channel's customer and their order (two order-number shapes: a shop prefix, and digits only).
WEB_ORDER = "E2026112200123"
OPENID, WECHAT_ORDER = "o_after_sales_follower_01", "3301234567890123456"


@dataclasses.dataclass(frozen=True)
class ChannelCustomer:
    """A customer who owns `order_no` on `channel`; `as_user` is someone else on the same channel."""

    channel: str
    user_id: str
    order_no: str
    send: Callable[[str, str], Awaitable[str]]  # (user id, text) -> the shop's reply, parts joined

    @property
    def key(self) -> str:
        return f"{self.channel}:{self.user_id}"

    async def say(self, text: str) -> str:
        return await self.send(self.user_id, text)

    def as_user(self, user_id: str) -> ChannelCustomer:
        return dataclasses.replace(self, user_id=user_id)


@pytest.fixture(params=["webchat", "wechat"])
async def customer(request: pytest.FixtureRequest, tmp_path: Path, clock: FakeClock) -> AsyncIterator[ChannelCustomer]:
    if request.param == "webchat":
        async with running_bot(make_settings(tmp_path, after_sales_upload_dir=tmp_path / "uploads"),
                               clock=clock) as bot:

            async def post(user_id: str, text: str) -> str:
                response = await bot.post_chat({"user_id": user_id, "text": text})
                assert response.status == 200, await response.text()
                return "\n".join((await response.json())["replies"])

            await seed_orders(order_object(WEB_ORDER, "webchat:alice"), now=clock.now())
            yield ChannelCustomer("webchat", "alice", WEB_ORDER, post)
        return
    async with wechat_bot(tmp_path, clock=clock) as bot:
        follower = bot.user(OPENID)

        async def push(user_id: str, text: str) -> str:
            return (await follower.as_user(user_id).say(text)).content

        await seed_orders(order_object(WECHAT_ORDER, f"wechat:{OPENID}"), now=clock.now())
        yield ChannelCustomer("wechat", OPENID, WECHAT_ORDER, push)


async def cases(order_no: str) -> list[AfterSalesCase]:
    return await AfterSalesCase.filter(order__order_no=order_no).order_by("id")


async def escalation(key: str) -> str | None:
    return (await Conversation.get(key=key)).escalation_reason


def typed_loosely(order_no: str) -> str:
    """The order number as customers type it on a phone: full-width characters, in groups of four."""
    wide = "".join(chr(ord(c) + 0xFEE0) for c in order_no)
    return " ".join(wide[i : i + 4] for i in range(0, len(wide), 4))


@pytest.mark.parametrize(("messages", "kind", "expected", "escalated"), [  # "#": the customer's order number
    (["我要退货", "#"], "return", "退货申请", None),
    (["想换个尺码", "#", "换大一码"], "exchange", "换货申请", None),
    (["申请退款", "#"], "refund", "59.00元", None),
    (["杯子碎了", "#"], "damaged", "照片", None),
    (["少发了一个", "#"], "missing", "补发", None),
])
async def test_each_kind_is_asked_for_its_order_and_filed(customer, messages, kind, expected, escalated):
    assert "订单号" in await customer.say(messages[0])
    for text in messages[1:]:
        reply = await customer.say(customer.order_no if text == "#" else text)
    [case] = await cases(customer.order_no)
    order = await Order.get(order_no=customer.order_no)
    assert (case.kind, case.state, case.order_id) == (kind, "requested", order.id)
    assert case.case_no.startswith("AS20261123-") and case.case_no in reply and expected in reply
    assert case.customer_id == (await Customer.get(channel=customer.channel, external_id=customer.user_id)).id
    assert messages[0] in case.description  # what the customer said, remembered across turns
    assert await escalation(customer.key) == escalated


async def test_order_number_with_spaces_and_full_width_digits(customer):
    reply = await customer.say(f"我要退货，订单号是 {typed_loosely(customer.order_no)}")
    [case] = await cases(customer.order_no)
    assert case.kind == "return" and case.case_no in reply and customer.order_no in reply


async def test_someone_elses_order_is_not_found_and_reveals_nothing(customer, clock):
    theirs_no, missing_no = customer.order_no[:-3] + "111", customer.order_no[:-3] + "222"  # not theirs
    await seed_orders(order_object(theirs_no, f"{customer.channel}:bob"), now=clock.now())
    theirs = await customer.say(f"订单{theirs_no}申请退货")
    missing = await customer.as_user("carol").say(f"订单{missing_no}申请退货")
    assert theirs_no in theirs and "没有查到" in theirs
    assert theirs.replace(theirs_no, "#") == missing.replace(missing_no, "#")
    assert "玻璃水杯" not in theirs and "中通" not in theirs
    assert await cases(theirs_no) == []
    assert "退货申请" in await customer.say(customer.order_no)  # the dialogue asks again and goes on


@pytest.mark.parametrize("words", ["算了", "取消", "算了，不退了"])
async def test_cancel_midway_ends_politely_and_files_nothing(customer, words):
    await customer.say("我要退货")
    assert "取消" in await customer.say(words)
    await customer.say(customer.order_no)
    assert await cases(customer.order_no) == []


async def test_a_second_request_of_the_same_kind_returns_the_open_case(customer):
    first = await customer.say(f"订单{customer.order_no}申请退货")
    again = await customer.say(f"{customer.order_no}我要退货")
    [case] = await cases(customer.order_no)
    assert case.case_no in first and case.case_no in again and "处理中" in again
    await customer.say(f"{customer.order_no}少发了一个")  # another kind on the same order: a case of its own
    assert [c.kind for c in await cases(customer.order_no)] == ["return", "missing"]
