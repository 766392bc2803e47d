"""The dispatcher end to end over the web-chat API: answers, "never guess", escalation, persistence."""

from __future__ import annotations

import pytest

from models.conversation import Conversation
from models.customer import Customer
from models.message import Message
from tests.fakes.bot_app import visitor_headers


async def say(bot, user_id: str, text: str) -> list[str]:
    response = await bot.client.post("/api/webchat/messages", json={"user_id": user_id, "text": text},
                                      headers=visitor_headers(bot.runtime, user_id))
    assert response.status == 200, await response.text()
    return (await response.json())["replies"]


@pytest.fixture
def bot_settings():
    return {"shop_name": "小蜜优选"}


async def test_greeting_is_answered_with_the_shop_name(bot):
    replies = await say(bot, "u1", "你好")
    assert len(replies) == 1 and "小蜜优选" in replies[0]


async def test_first_answer_of_a_conversation_opens_with_a_greeting(bot):
    first = await say(bot, "u2", "什么时候发货")
    assert len(first) == 1 and first[0].index("小蜜优选") < first[0].index("48小时")
    second = await say(bot, "u2", "什么时候发货")
    assert len(second) == 1 and "48小时" in second[0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("谢谢", "客气"), ("可以开发票吗", "发票"), ("有优惠券吗", "优惠"), ("付款失败了", "支付"),
        ("会员积分怎么用", "会员"), ("地址写错了要改", "地址"), ("这件衣服什么材质", "商品"),
        ("推荐朋友有奖励吗", "推荐"), ("我要退货", "订单号"), ("订单E2026112200123申请退货", "E2026112200123"),
        ("拜拜", "再见"),
    ],
)
async def test_each_intent_gets_its_template(bot, text, expected):
    await say(bot, "warm", "你好")
    replies = await say(bot, "warm", text)
    assert any(expected in reply for reply in replies), replies


async def test_unclear_asks_then_escalates_on_the_second(bot, clock):
    await say(bot, "u3", "你好")
    first = await say(bot, "u3", "今天天气怎么样")
    assert "请问" in first[0] or "具体" in first[0]
    conversation = await Conversation.get(key="webchat:u3")
    assert conversation.escalation_reason is None
    second = await say(bot, "u3", "给我讲个笑话吧")
    assert "客服" in second[0]
    await conversation.refresh_from_db()
    assert conversation.escalation_reason == "unclear_twice" and conversation.escalated_at == clock.now()


async def test_a_clear_message_resets_the_unclear_streak(bot):
    await say(bot, "u4", "今天天气怎么样")
    await say(bot, "u4", "什么时候发货")
    await say(bot, "u4", "讲个笑话")
    assert (await Conversation.get(key="webchat:u4")).escalation_reason is None


@pytest.mark.parametrize(("text", "reason"), [
    ("转人工", "human_requested"),
    ("我要投诉你们，客服态度太差了，没有订单，要求道歉，这里联系", "complaint"),  # registered, then a person
])
async def test_human_and_complaint_record_an_escalation(bot, text, reason):
    replies = await say(bot, "u5", text)
    assert "不在线" in replies[-1] and "分钟" not in replies[-1]  # nobody online: no wait promised
    assert (await Conversation.get(key="webchat:u5")).escalation_reason == reason


async def test_every_message_is_persisted_with_direction_and_intent(bot):
    replies = await say(bot, "u6", "在吗")
    await bot.runtime.recorder.settle()  # delivery marks are written with the next batch
    rows = await Message.filter(conversation__key="webchat:u6").order_by("id")
    assert [(r.direction, r.author) for r in rows] == [("in", "customer")] + [("out", "bot")] * len(replies)
    assert rows[0].text == "在吗" and rows[0].intent == "greeting"
    assert [r.text for r in rows[1:]] == replies
    assert all(r.delivery_status == "sent" for r in rows[1:])
    customer = await Customer.get(channel="webchat", external_id="u6")
    assert customer.last_inbound_at is not None


async def test_customers_never_share_a_conversation(bot):
    await say(bot, "alice", "我要退货")
    await say(bot, "bob", "你好")
    alice = await Message.filter(conversation__key="webchat:alice").values_list("text", flat=True)
    assert "我要退货" in alice
    bob = await Message.filter(conversation__key="webchat:bob").values_list("text", flat=True)
    assert "我要退货" not in bob
