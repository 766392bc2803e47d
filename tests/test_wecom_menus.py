"""Choices as WeCom 微信客服 menus (`msgmenu`), over real HTTP against `FakeWeCom`.

When the bot offers answers to pick (which item of an order, the survey's score), WeCom shows them
as click items; the customer's click comes back as a text with `menu_id` and must be understood
exactly as the typed answer. A merged send that WeCom later reports undelivered marks every stored
message it carried.
"""

from __future__ import annotations

from datetime import timedelta

import aiohttp
import pytest

from bot.channels.wecom_protocol import CHOICE_ID, menu
from bot.context import Context
from bot.events import Choice, Reply
from bot.router import Router
from handlers.callbacks import schedule
from handlers.callbacks.desk import DESK
from models.callback import CallbackTask
from models.case import AfterSalesCase
from models.customer import Customer
from models.message import Message
from models.order import Order
from tests.fakes.erp_server import order_object, seed_orders
from tests.fakes.wecom_server import OPEN_KFID, FakeWeCom, Sent, menu_errcode
from tests.test_wecom_channel import ALICE, wecom_bot

pytestmark = pytest.mark.timeout(60)

ORDER = "3301234567890123457"


def menus_to(fake: FakeWeCom, user: str) -> list[Sent]:
    return [sent for sent in fake.delivered(user) if sent.payload.get("msgtype") == "msgmenu"]


async def click(wecom, sent: Sent, index: int) -> list[str]:
    """The customer taps a menu item; returns what they received since."""
    before = len(wecom.fake.texts_to(sent.user))
    wecom.fake.customer_clicks(sent, index)
    assert await wecom.notify() == 200
    return wecom.fake.texts_to(sent.user)[before:]


async def test_an_order_item_picked_from_the_menu_files_the_case_for_that_item(tmp_path, clock):
    async with wecom_bot(tmp_path, clock) as wecom:
        await seed_orders(order_object(ORDER, f"wecom:{ALICE}", items=[
            {"item_name": "陶瓷马克杯", "qty": 2, "price": "39.00"},
            {"item_name": "北欧风餐盘", "qty": 1, "price": "129.00"}]), now=clock.now())
        await wecom.say(ALICE, "我要退货")
        await wecom.say(ALICE, ORDER)
        [question] = menus_to(wecom.fake, ALICE)
        assert "哪一件" in question.payload["msgmenu"]["head_content"]
        assert [item["id"] for item in question.clicks] == [f"{CHOICE_ID}1", f"{CHOICE_ID}2", f"{CHOICE_ID}整单商品"]
        assert "北欧风餐盘" in question.clicks[1]["content"]
        answer = "\n".join(await click(wecom, question, 1))
        [case] = await AfterSalesCase.filter(order__order_no=ORDER)
        assert case.kind == "return" and case.case_no in answer and "北欧风餐盘" in answer
        [picked] = [row for row in await Message.filter(channel="wecom", direction="in") if row.text == "2"]
        assert picked.source_id  # recorded as the answer it stands for, like a typed "2"


async def test_the_whole_order_picked_from_the_menu_reads_like_typing_it(tmp_path, clock):
    async with wecom_bot(tmp_path, clock) as wecom:
        await seed_orders(order_object(ORDER, f"wecom:{ALICE}", items=[
            {"item_name": "陶瓷马克杯", "qty": 2, "price": "39.00"},
            {"item_name": "北欧风餐盘", "qty": 1, "price": "129.00"}]), now=clock.now())
        await wecom.say(ALICE, "我要退货", ORDER)
        [question] = menus_to(wecom.fake, ALICE)
        answer = "\n".join(await click(wecom, question, 2))
        [case] = await AfterSalesCase.filter(order__order_no=ORDER)
        assert case.case_no in answer and "整单商品" in answer


async def test_the_callback_survey_offers_scores_and_a_click_is_the_score(tmp_path, clock):
    async with wecom_bot(tmp_path, clock) as wecom:
        await wecom.say(ALICE, "你好")
        customer = await Customer.get(channel="wecom", external_id=ALICE)
        paid = clock.now() - timedelta(days=3)
        await Order.create(order_no="W0001", customer_id=customer.id, total_fen=100, status="paid", paid_at=paid,
                           updated_at=paid)
        runtime = wecom.bot.runtime
        await runtime.recorder.settle()
        await schedule.sweep(runtime.services[DESK])
        await runtime.scheduler.run_due()
        await wecom.channel.settle()
        task = await CallbackTask.get(customer_id=customer.id)
        assert task.state == "chat"
        [survey] = menus_to(wecom.fake, ALICE)
        assert "满意/一般/不满意" in survey.payload["msgmenu"]["head_content"]
        assert [item["content"] for item in survey.clicks] == ["5分", "4分", "3分", "2分", "1分", "晚点再说"]
        assert "建议" in "\n".join(await click(wecom, survey, 1))
        await wecom.say(ALICE, "没有了")
        await task.refresh_from_db()
        assert (task.rating, task.score) == ("satisfied", 4)


async def test_a_click_on_a_menu_that_is_not_ours_keeps_its_label_as_the_text(tmp_path, clock):
    async with wecom_bot(tmp_path, clock) as wecom:
        wecom.fake.customer_says(ALICE, msgtype="text", body={"content": "发什么快递", "menu_id": "shop_menu_7"})
        await wecom.notify()
        [row] = await Message.filter(channel="wecom", direction="in")
        assert row.text == "发什么快递" and wecom.fake.texts_to(ALICE)


async def test_a_merged_send_reported_undelivered_marks_every_message_it_carried(tmp_path, clock):
    async with wecom_bot(tmp_path, clock) as wecom:
        await wecom.say(ALICE, "你好")
        wecom.fake.quotas[ALICE].left = 2
        await wecom.channel.budget.spend(ALICE)
        await wecom.channel.budget.spend(ALICE)  # the bot's budget agrees: 2 sends left
        notices = ["第一条通知", "第二条通知", "第三条通知"]
        assert await wecom.bot.runtime.outbox.send("wecom", ALICE, notices) == ["sent"] * 3
        merged = [sent for sent in wecom.fake.delivered(ALICE) if "\n" in sent.content]
        assert len(merged) == 1 and merged[0].content.count("\n") == 1
        wecom.fake.fail_delivery(merged[0], fail_type=3)
        await wecom.notify()
        rows = {row.text: row for row in await Message.filter(channel="wecom", direction="out", text__in=notices)}
        failed = sorted(text for text, row in rows.items() if row.delivery_status == "undeliverable")
        assert sorted(merged[0].content.split("\n")) == failed
        assert {rows[text].failure_reason for text in failed} == {"send_fail_3"}
        assert [text for text, row in rows.items() if row.delivery_status == "sent"] == [
            text for text in notices if text not in failed]


def test_a_menu_is_built_only_within_wecoms_limits():
    choices = (Choice("1", "陶瓷马克杯 ×2"), Choice("全部"))
    body = menu("请问是哪一件呢？", choices)
    assert body == {"head_content": "请问是哪一件呢？", "list": [
        {"type": "click", "click": {"id": "pick:1", "content": "陶瓷马克杯 ×2"}},
        {"type": "click", "click": {"id": "pick:全部", "content": "全部"}}]}
    assert menu_errcode(body) == 0
    assert menu("好", ()) is None
    assert menu("字" * 342, choices) is None  # 1,026 bytes: more than a menu's head holds, sent as text
    assert menu("好", tuple(Choice(str(n)) for n in range(11))) is None
    assert menu("好", (Choice("长" * 20),)) is None  # the id would pass 64 bytes
    long_label = menu("好", (Choice("1", "很" * 60),))
    assert long_label is not None and len(long_label["list"][0]["click"]["content"].encode()) == 126
    assert menu_errcode(long_label) == 0


@pytest.mark.parametrize("bad", [
    "not a menu",
    {"head_content": "好"},
    {"head_content": "字" * 342, "list": []},
    {"list": [{"type": "click", "click": {"id": "", "content": "空的id"}}]},
    {"list": [{"type": "click", "click": {"id": "x" * 65, "content": "太长"}}]},
    {"list": [{"type": "click", "click": {"id": "1", "content": "很" * 43}}]},
    {"list": [{"type": "button", "button": {"id": "1", "content": "不认识"}}]},
    {"list": [{"type": "click", "click": {"id": str(n), "content": "选"}} for n in range(11)]},
    {"list": [], "tail_content": "尾" * 342},
])
async def test_the_fake_refuses_a_menu_wecom_would_refuse(tmp_path, clock, bad):
    async with wecom_bot(tmp_path, clock) as wecom:
        await wecom.say(ALICE, "你好")
        token = await wecom.channel.api.access_token()
        payload = {"touser": ALICE, "open_kfid": OPEN_KFID, "msgtype": "msgmenu", "msgmenu": bad}
        async with aiohttp.ClientSession() as session, session.post(
                f"{wecom.fake.url}/cgi-bin/kf/send_msg", params={"access_token": token}, json=payload) as response:
            answer = await response.json()
        assert answer["errcode"] in (40058, 45002)
        assert len(wecom.fake.delivered(ALICE)) == 1  # only the greeting's answer


# --- a welcome with choices (send_msg_on_event takes a msgmenu too) ---

COMMON_QUESTIONS = ("发什么快递", "怎么退换货", "有优惠券吗")


def welcome_offering(*questions: str) -> Router:
    """A shop whose welcome offers its common questions as choices."""
    router = Router("welcome-with-questions")

    @router.event("enter_session")
    async def welcome(ctx: Context) -> Reply:
        return Reply.say("consultation.welcome").offer(*(Choice(question) for question in questions))

    return router


async def test_a_welcome_with_choices_goes_as_a_menu_with_the_welcome_code(tmp_path, clock):
    async with wecom_bot(tmp_path, clock, first=(welcome_offering(*COMMON_QUESTIONS),)) as wecom:
        code = wecom.fake.enter_session(ALICE)
        await wecom.notify()
        [welcome] = wecom.fake.delivered(ALICE)
        assert welcome.path == "send_msg_on_event"
        assert (welcome.payload["code"], welcome.payload["msgtype"]) == (code, "msgmenu")
        assert "小蜜优选旗舰店" in welcome.content
        assert [item["content"] for item in welcome.clicks] == list(COMMON_QUESTIONS)
        [answer] = await click(wecom, welcome, 0)
        [typed] = await wecom.say(ALICE, "发什么快递")
        assert answer == typed  # the click is the typed question
        [row] = await Message.filter(channel="wecom", direction="out").order_by("id").limit(1)
        assert row.delivery_status == "sent"


async def test_a_welcome_with_more_choices_than_a_menu_holds_goes_as_its_text(tmp_path, clock):
    questions = tuple(f"问题{n}" for n in range(11))
    async with wecom_bot(tmp_path, clock, first=(welcome_offering(*questions),)) as wecom:
        wecom.fake.enter_session(ALICE)
        await wecom.notify()
        [welcome] = wecom.fake.delivered(ALICE)
        assert welcome.payload["msgtype"] == "text" and "小蜜优选旗舰店" in welcome.content


async def test_the_fake_refuses_a_malformed_welcome_menu_like_send_msg(tmp_path, clock):
    async with FakeWeCom(clock=clock) as fake, aiohttp.ClientSession() as http:
        code = fake.enter_session(ALICE)
        async with http.get(f"{fake.url}/cgi-bin/gettoken", params={"corpid": fake.corp_id,
                                                                   "corpsecret": fake.secret}) as response:
            token = (await response.json())["access_token"]
        bad = {"code": code, "msgtype": "msgmenu", "msgmenu": {"head_content": "您好", "list": [
            {"type": "click", "click": {"id": "", "content": "查物流"}}]}}
        async with http.post(f"{fake.url}/cgi-bin/kf/send_msg_on_event", params={"access_token": token},
                             json=bad) as response:
            assert (await response.json())["errcode"] == menu_errcode(bad["msgmenu"]) != 0
        good = {**bad, "msgmenu": {"head_content": "您好", "list": [
            {"type": "click", "click": {"id": "pick:查物流", "content": "查物流"}}]}}
        async with http.post(f"{fake.url}/cgi-bin/kf/send_msg_on_event", params={"access_token": token},
                             json=good) as response:
            assert (await response.json())["errcode"] == 0  # the refused try did not use the code up
