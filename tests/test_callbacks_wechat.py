"""Callbacks (回访) on WeChat against the local fake WeChat API server, with its quota of 5
customer-service messages within 48 h of the customer's message (docs/rules.md R-CALLBACK-4)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from handlers.callbacks import schedule
from handlers.callbacks.desk import DESK
from models.callback import CallbackTask
from models.customer import Customer
from models.order import Order
from tests.fakes.wechat_user import wechat_bot

pytestmark = pytest.mark.timeout(30)
DAY = timedelta(days=1)


@pytest.fixture
async def bot(tmp_path, clock):
    async with wechat_bot(tmp_path, clock=clock) as running:
        await running.runtime.scheduler.stop()
        yield running


async def bought_three_days_ago(bot, openid: str) -> Customer:
    customer = await Customer.get(channel="wechat", external_id=openid)
    paid = bot.clock.now() - 3 * DAY
    await Order.create(order_no=f"W{openid[-4:]}", customer_id=customer.id, total_fen=100, status="paid",
                       paid_at=paid, updated_at=paid)
    return customer


async def callback_due(bot, customer: Customer) -> CallbackTask:
    await bot.runtime.recorder.settle()
    await schedule.sweep(bot.runtime.services[DESK])
    await bot.runtime.scheduler.run_due()
    return await CallbackTask.get(customer_id=customer.id)


async def test_inside_the_window_the_survey_runs_in_the_chat_with_passive_replies(bot):
    user = bot.user("o_wx_happy")
    await user.say("你好")
    await bot.runtime.channels["wechat"].settle()
    customer = await bought_three_days_ago(bot, "o_wx_happy")
    sent_before = len(bot.wechat.texts_to("o_wx_happy"))
    task = await callback_due(bot, customer)
    assert task.state == "chat"
    [question] = bot.wechat.texts_to("o_wx_happy")[sent_before:]
    assert "满意/一般/不满意" in question
    assert "建议" in (await user.say("非常满意")).content
    assert "感谢您的答复" in (await user.say("没有了，挺好的")).content
    await task.refresh_from_db()
    assert (task.state, task.rating, task.feedback) == ("done", "satisfied", "没有了，挺好的")
    assert len(bot.wechat.texts_to("o_wx_happy")) == sent_before + 1  # one push; the answers were passive


async def test_unsatisfied_on_wechat_is_acknowledged_and_handed_to_a_person(bot):
    user = bot.user("o_wx_sad")
    await user.say("在吗")
    await bot.runtime.channels["wechat"].settle()
    customer = await bought_three_days_ago(bot, "o_wx_sad")
    task = await callback_due(bot, customer)
    assert "哪方面" in (await user.say("2分")).content
    reply = await user.say("衣服洗一次就起球了")
    await bot.runtime.channels["wechat"].settle()
    said = "".join([reply.content, *bot.wechat.texts_to("o_wx_sad")])
    assert "确实是我们没有做到位" in said
    await task.refresh_from_db()
    assert (task.rating, task.score, task.follow_up) == ("unsatisfied", 2, "handoff")


async def test_a_customer_whose_send_budget_is_nearly_spent_goes_on_the_phone_list(bot):
    user = bot.user("o_wx_budget")
    await user.say("你好")
    await bot.runtime.channels["wechat"].settle()
    for n in range(4):  # four of the five pushes WeChat allows in the 48 h window
        assert await bot.runtime.outbox.send("wechat", "o_wx_budget", [f"物流通知 {n}"]) == ["sent"]
    customer = await bought_three_days_ago(bot, "o_wx_budget")
    before = bot.wechat.texts_to("o_wx_budget")
    task = await callback_due(bot, customer)
    assert task.state == "phone"
    assert bot.wechat.texts_to("o_wx_budget") == before  # the last push is kept for the shop's own news


async def test_outside_the_48_hour_window_only_a_call_reaches_the_customer(bot):
    user = bot.user("o_wx_quiet")
    await user.say("你好")
    await bot.runtime.channels["wechat"].settle()
    customer = await bought_three_days_ago(bot, "o_wx_quiet")
    await bot.runtime.recorder.settle()
    await Customer.filter(id=customer.id).update(last_inbound_at=bot.clock.now() - timedelta(hours=49))
    before = bot.wechat.texts_to("o_wx_quiet")
    task = await callback_due(bot, customer)
    assert task.state == "phone" and bot.wechat.texts_to("o_wx_quiet") == before


async def test_a_refused_push_falls_back_to_the_phone_list(bot):
    user = bot.user("o_wx_refused")
    await user.say("你好")
    await bot.runtime.channels["wechat"].settle()
    bot.wechat.fail_for("o_wx_refused", 45015)  # WeChat says: outside the window after all
    customer = await bought_three_days_ago(bot, "o_wx_refused")
    task = await callback_due(bot, customer)
    assert task.state == "phone"
    state = await bot.runtime.store.get_state("wechat:o_wx_refused")
    assert not (state or {}).get("flow")  # the survey does not claim the next message
