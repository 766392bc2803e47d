"""Satisfaction callbacks (回访, docs/rules.md R-CALLBACK) through the running bot: the sweep for each
kind (rest hours, merging, members, complaints), the survey in the web chat over real HTTP (both
branches, 晚点再说, a visitor who comes back), and the staff's phone list through the typed API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.web.auth import create_agent, issue_api_token
from handlers.callbacks import reach, schedule, service
from handlers.callbacks.desk import DESK
from handlers.callbacks.settings import CallbackSettings
from models.callback import Callback, CallbackTask
from models.case import AfterSalesCase, CaseEvent
from models.complaint import Complaint
from models.conversation import Conversation
from models.customer import Customer
from models.message import Message
from models.order import Order

DAY = timedelta(days=1)


@pytest.fixture
def bot_ticker():
    return False


def desk(bot):
    return bot.runtime.services[DESK]


async def customer(bot, user: str, *, channel: str = "webchat", vip: bool = False, phone: str | None = None):
    identity = await bot.runtime.recorder.identify(channel, user)
    await Customer.filter(id=identity.customer_id).update(is_vip=vip, phone=phone)
    return await Customer.get(id=identity.customer_id)


async def order(no: str, who: Customer, paid_at: datetime) -> Order:
    return await Order.create(order_no=no, customer_id=who.id, total_fen=9900, status="paid", paid_at=paid_at,
                              updated_at=paid_at)


async def resolved_case(who: Customer, order_row: Order, due: datetime) -> AfterSalesCase:
    return await AfterSalesCase.create(case_no=f"AS20261123-{order_row.id:04d}", order=order_row, customer_id=who.id,
                                       kind="refund", state="resolved", created_at=due, touched_at=due,
                                       resolved_at=due - timedelta(hours=72), satisfaction_due_at=due)


async def say(bot, user: str, text: str) -> list[str]:
    response = await bot.post_chat({"user_id": user, "text": text})
    assert response.status == 200, await response.text()
    return (await response.json())["replies"]


async def pushed(user: str) -> list[str]:
    rows = await Message.filter(author="callback", conversation__key=f"webchat:{user}").order_by("id")
    return [row.text for row in rows]


async def fire(bot) -> None:
    await bot.runtime.scheduler.run_due()


def local(moment: datetime) -> datetime:
    return moment.astimezone(desk_zone())


def desk_zone():
    from zoneinfo import ZoneInfo
    return ZoneInfo("Asia/Shanghai")


# --- scheduling ---

async def test_buyers_are_due_3_30_and_60_days_after_paying_and_the_sweep_never_doubles(bot, clock):
    buyer = await customer(bot, "b1")
    paid = clock.now()
    await order("E100", buyer, paid)
    for days, expected in ((3, [3]), (30, [3, 30]), (60, [3, 30, 60])):
        await clock.advance(paid + days * DAY - clock.now())
        await schedule.sweep(desk(bot))
        await schedule.sweep(desk(bot))  # again: nothing new
        rows = await Callback.filter(kind="buyer").order_by("offset_days")
        assert [row.offset_days for row in rows] == expected
        assert rows[-1].due_at == paid + days * DAY and rows[-1].subject == "E100"
        assert rows[-1].deadline_at == paid + (days + 3) * DAY


async def test_a_callback_due_in_rest_hours_moves_to_nine_in_the_morning(bot, clock):
    buyer = await customer(bot, "late")
    paid = datetime(2026, 11, 23, 14, 30, tzinfo=UTC)  # 22:30 in Shanghai
    await order("E101", buyer, paid)
    await clock.advance(paid + 3 * DAY - clock.now())
    await schedule.sweep(desk(bot))
    row = await Callback.get(kind="buyer")
    assert local(row.due_at).hour == 9 and local(row.due_at).date() == local(paid + 4 * DAY).date()
    assert row.deadline_at == paid + 6 * DAY  # three days from when it was due


async def test_non_buyers_are_due_3_and_15_days_after_first_contact(bot, clock):
    start = clock.now()
    await customer(bot, "just-looking")
    bought = await customer(bot, "bought")
    await order("E102", bought, start + DAY)
    await clock.advance(3 * DAY)
    await schedule.sweep(desk(bot))
    await clock.advance(12 * DAY)
    await schedule.sweep(desk(bot))
    rows = await Callback.filter(kind="prospect").prefetch_related("customer").order_by("offset_days")
    assert [(row.customer.external_id, row.offset_days) for row in rows] == [("just-looking", 3), ("just-looking", 15)]


async def test_what_is_due_together_is_one_task_per_customer(bot, clock):
    who = await customer(bot, "both")
    first = await order("E103", who, clock.now())
    await resolved_case(who, first, clock.now() + 3 * DAY + timedelta(hours=1))
    await clock.advance(3 * DAY)
    await schedule.sweep(desk(bot))
    callbacks = await Callback.filter(customer_id=who.id).order_by("kind")
    assert [c.kind for c in callbacks] == ["after_sales", "buyer"]
    assert len({c.task_id for c in callbacks}) == 1 and await CallbackTask.all().count() == 1


async def test_members_are_always_called_back_and_others_by_the_configured_share(bot, clock):
    desk(bot).settings = CallbackSettings(_env_file=None, non_member_share=0)
    member = await customer(bot, "vip", vip=True)
    other = await customer(bot, "regular")
    await order("E104", member, clock.now())
    await order("E105", other, clock.now())
    await clock.advance(3 * DAY)
    await schedule.sweep(desk(bot))
    assert [c.customer_id for c in await Callback.filter(kind="buyer")] == [member.id]


async def test_a_closed_complaint_is_called_back_once_after_a_day_outside_rest_hours(bot, clock):
    who = await customer(bot, "complainer")
    closed = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)  # 21:00 in Shanghai: due 21:00 next day, rest hours
    await Complaint.create(number="TS202611230001", customer_id=who.id, channel="webchat", matter="service",
                           reply_by=closed, created_at=closed - DAY, closed_at=closed)
    await clock.advance(closed + DAY - clock.now())
    assert await schedule.sweep(desk(bot)) == 1
    assert await schedule.sweep(desk(bot)) == 0  # once, however often the sweep runs
    [row] = await Callback.filter(kind="complaint")
    assert row.subject == "TS202611230001" and row.task_id is not None
    assert local(row.due_at) == datetime(2026, 11, 25, 9, 0, tzinfo=desk_zone())


# --- the survey in the web chat ---

async def due_in_chat(bot, clock, user: str) -> CallbackTask:
    """A buyer whose 3-day callback is due while they are chatting."""
    who = await customer(bot, user)
    await order(f"E{abs(hash(user)) % 10**6:06d}", who, clock.now() - 3 * DAY)
    await say(bot, user, "在吗")
    await bot.runtime.recorder.settle()
    await schedule.sweep(desk(bot))
    await fire(bot)
    return await CallbackTask.get(customer_id=who.id)


async def test_satisfied_customer_is_asked_for_suggestions_and_thanked(bot, clock):
    task = await due_in_chat(bot, clock, "happy")
    assert task.state == "chat"
    [question] = await pushed("happy")
    assert "1-5分" in question and "订单" in question
    assert "建议" in (await say(bot, "happy", "5分"))[0]
    assert "感谢您的答复" in (await say(bot, "happy", "发货再快一点就更好了"))[0]
    await task.refresh_from_db()
    assert (task.state, task.rating, task.score, task.feedback) == ("done", "satisfied", 5, "发货再快一点就更好了")
    assert task.done_by == "customer:chat"
    reply = await say(bot, "happy", "谢谢")
    assert "建议" not in reply[0]  # the survey is over: the shop answers as usual


async def test_unsatisfied_customer_is_asked_what_was_wrong_acknowledged_and_handed_to_a_person(bot, clock):
    task = await due_in_chat(bot, clock, "unhappy")
    assert "哪方面" in (await say(bot, "unhappy", "不满意"))[0]
    answer = await say(bot, "unhappy", "快递太慢了，等了一周")
    assert "确实是我们没有做到位" in "".join(answer)
    await task.refresh_from_db()
    assert (task.state, task.rating, task.feedback, task.follow_up) == ("done", "unsatisfied", "快递太慢了，等了一周",
                                                                        "handoff")
    conversation = await Conversation.get(key="webchat:unhappy")
    assert conversation.escalation_reason == "callback_unsatisfied"


async def test_one_answer_with_rating_and_reason_needs_no_second_question(bot, clock):
    who = await customer(bot, "short")
    first = await order("E200", who, clock.now() - 3 * DAY)
    case = await resolved_case(who, first, clock.now())
    await say(bot, "short", "你好")
    await bot.runtime.recorder.settle()
    await schedule.sweep(desk(bot))
    await fire(bot)
    [question] = await pushed("short")
    assert "售后单AS20261123" in question and "订单E200" in question  # merged: one question about both
    reply = await say(bot, "short", "一般，退款太慢了")
    assert "确实是我们没有做到位" in "".join(reply)
    task = await CallbackTask.get(customer_id=who.id)
    assert (task.rating, task.feedback) == ("neutral", "退款太慢了")
    [event] = await CaseEvent.filter(case_id=case.id, action="callback")
    assert event.reason == "退款太慢了"


async def test_later_reschedules_to_the_next_morning(bot, clock):
    task = await due_in_chat(bot, clock, "busy")
    reply = await say(bot, "busy", "明天吧，现在在开车")
    await task.refresh_from_db()
    assert task.state == "scheduled"
    assert local(task.start_at) == datetime(2026, 11, 24, 9, 0, tzinfo=desk_zone())
    assert "11月24日 09:00" in reply[0]
    await clock.advance(task.start_at - clock.now())
    await say(bot, "busy", "你好")  # online again
    await bot.runtime.recorder.settle()
    await fire(bot)
    assert len(await pushed("busy")) == 2


async def test_a_visitor_who_is_not_online_is_asked_at_the_next_visit(bot, clock):
    who = await customer(bot, "away")
    await order("E300", who, clock.now() - 3 * DAY)
    await schedule.sweep(desk(bot))
    await fire(bot)
    task = await CallbackTask.get(customer_id=who.id)
    assert task.state == "visit" and await pushed("away") == []
    await clock.advance(timedelta(hours=5))
    await say(bot, "away", "我想问下发票怎么开")
    await bot.runtime.recorder.settle()
    await clock.advance(timedelta(seconds=31))
    await fire(bot)
    assert len(await pushed("away")) == 1
    await task.refresh_from_db()
    assert task.state == "chat"



async def test_the_visit_key_read_with_every_messages_state_is_the_visit_key(bot):
    keys_of = reach.visit_keys(desk(bot))
    visit = reach.visit_key(desk(bot), "webchat:alice")
    assert visit in [key_of("webchat:alice") for key_of in bot.runtime.services.read_with_state]
    for conversation_key in ("webchat:alice", "wechat:o6_bmjrPTlm6_2sgVt7hMZOPfL2M", "wecom:wm:x:y", ""):
        assert keys_of(conversation_key) == reach.visit_key(desk(bot), conversation_key)


# --- the phone list ---

async def staff(role: str, name: str) -> dict[str, str]:
    token = await issue_api_token(await create_agent(name, role, "secret-pass-123"))
    return {"Authorization": f"Bearer {token}"}


async def phone_task(bot, clock, user: str, *, vip: bool = False) -> CallbackTask:
    """A WeChat customer outside the 48-hour window: only a call reaches them."""
    who = await customer(bot, user, channel="wechat", vip=vip, phone="13800138000")
    await order(f"P{user}", who, clock.now() - 3 * DAY)
    await schedule.sweep(desk(bot))
    await fire(bot)
    return await CallbackTask.get(customer_id=who.id)


async def test_staff_call_customers_the_chat_cannot_reach_and_record_the_answer(bot, clock):
    task = await phone_task(bot, clock, "o_far")
    assert task.state == "phone"
    alice, bob = await staff("agent", "alice"), await staff("agent", "bob")
    response = await bot.client.get("/api/callbacks/due", headers=alice)
    [row] = await response.json()
    assert row["customer"]["phone"] == "138****8000" and row["way"] == "phone" and row["kinds"] == ["buyer"]
    contact = await bot.client.post(f"/api/callbacks/{task.id}/contact", headers=alice)
    assert (await contact.json())["phone"] == "13800138000"
    assert (await bot.client.post(f"/api/callbacks/{task.id}/contact", headers=bob)).status == 403
    far = await bot.client.post(f"/api/callbacks/{task.id}/outcome", headers=alice,
                                json={"reached": False, "call_again_at": "9999-12-31T23:00:00+08:00"})
    assert far.status == 422 and (await far.json())["error"]["code"] == "bad_time"
    naive = await bot.client.post(f"/api/callbacks/{task.id}/outcome", headers=alice,
                                  json={"reached": False, "call_again_at": "2026-11-24T10:00:00"})
    assert naive.status == 400
    later = await bot.client.post(f"/api/callbacks/{task.id}/outcome", headers=alice,
                                  json={"reached": True, "call_again_at": "2026-11-23T22:00:00+08:00"})
    assert later.status == 200 and (await later.json())["start_at"] == "2026-11-24T01:00:00Z"  # 09:00 next day
    missing = await bot.client.post(f"/api/callbacks/{task.id}/outcome", json={"reached": True}, headers=alice)
    assert missing.status == 422 and (await missing.json())["error"]["code"] == "rating_required"
    done = await bot.client.post(f"/api/callbacks/{task.id}/outcome", headers=alice,
                                 json={"reached": True, "score": 4, "comment": "挺好的"})
    assert done.status == 200 and (await done.json())["state"] == "done"
    await task.refresh_from_db()
    assert (task.rating, task.score, task.comment, task.way) == ("satisfied", 4, "挺好的", "phone")
    again = await bot.client.post(f"/api/callbacks/{task.id}/outcome", headers=alice, json={"reached": False})
    assert again.status == 409


async def test_unreached_calls_close_a_non_member_after_three_tries_but_never_a_member(bot, clock):
    regular = await phone_task(bot, clock, "o_reg")
    member = await phone_task(bot, clock, "o_vip", vip=True)
    supervisor = await staff("supervisor", "sue")
    for _ in range(3):
        for task in (regular, member):
            response = await bot.client.post(f"/api/callbacks/{task.id}/outcome", headers=supervisor,
                                             json={"reached": False})
            assert response.status == 200
    await regular.refresh_from_db()
    await member.refresh_from_db()
    assert (regular.state, regular.attempts) == ("failed", 3)
    assert (member.state, member.attempts) == ("phone", 3) and member.start_at > clock.now()


async def test_a_chat_question_nobody_answers_goes_on_the_phone_list(bot, clock):
    task = await due_in_chat(bot, clock, "silent")
    await clock.advance(timedelta(hours=25))
    await fire(bot)
    await task.refresh_from_db()
    assert task.state == "phone"
    assert "建议" not in "".join(await say(bot, "silent", "5分"))  # the survey no longer claims the chat


async def test_archive_sees_a_customers_callbacks_and_a_leaving_agent_hands_tasks_over(bot, clock):
    task = await phone_task(bot, clock, "o_arch")
    leaving = await create_agent("leaver", "agent", "secret-pass-123")
    staying = await create_agent("stayer", "agent", "secret-pass-123")
    await CallbackTask.filter(id=task.id).update(owner_id=leaving.id)
    assert await service.hand_over(leaving.id, staying.id) == 1
    await task.refresh_from_db()
    assert task.owner_id == staying.id
    [row] = await service.callbacks_of_customers([task.customer_id])
    assert (row["kind"], row["state"], row["task_id"]) == ("buyer", "phone", task.id)


async def test_an_attempt_that_falls_in_rest_hours_waits_for_the_morning(bot, clock):
    who = await customer(bot, "night")
    await order("E400", who, clock.now() - 3 * DAY)
    await schedule.sweep(desk(bot))
    await clock.advance(timedelta(hours=12, minutes=30))  # 22:30 in Shanghai
    await say(bot, "night", "还在吗")
    await bot.runtime.recorder.settle()
    await fire(bot)
    task = await CallbackTask.get(customer_id=who.id)
    assert task.state == "scheduled" and await pushed("night") == []
    assert await bot.runtime.store.next_due("callbacks.start") == datetime(2026, 11, 24, 1, 0, tzinfo=UTC).timestamp()


async def test_survey_waits_while_the_customer_asks_something_else_and_ends_on_no_thanks(bot, clock):
    task = await due_in_chat(bot, clock, "other")
    reply = await say(bot, "other", "怎么开发票")
    assert "1-5分" not in "".join(reply)  # the shop answers the question
    await task.refresh_from_db()
    assert task.state == "chat"
    assert "打扰您了" in (await say(bot, "other", "不用了谢谢"))[0]
    await task.refresh_from_db()
    assert (task.state, task.declined, task.rating) == ("done", True, None)


async def test_two_unclear_answers_end_the_survey_after_three_questions_at_most(bot, clock):
    task = await due_in_chat(bot, clock, "vague")
    assert "1-5分" in (await say(bot, "vague", "嗯嗯"))[0]
    assert "记下了" in (await say(bot, "vague", "哦哦"))[0]
    await task.refresh_from_db()
    assert (task.state, task.rating, task.comment) == ("done", None, "哦哦")


async def test_a_lost_store_gets_its_deadlines_back_from_the_database(bot, clock):
    who = await customer(bot, "rearm")
    await order("E500", who, clock.now())
    await clock.advance(3 * DAY - timedelta(hours=1))
    await schedule.sweep(desk(bot))
    await bot.runtime.store.cancel("callbacks.start", str((await CallbackTask.get(customer_id=who.id)).id))
    assert await bot.runtime.store.next_due("callbacks.start") is None
    from handlers.callbacks import reconcile
    await reconcile(bot.runtime.kit, True)
    assert await bot.runtime.store.next_due("callbacks.start") == (clock.now() + timedelta(hours=1)).timestamp()


def test_a_bad_setting_stops_start_up_with_one_line_naming_it(monkeypatch):
    from bot.errors import ConfigError
    monkeypatch.setenv("CALLBACKS_REST_HOURS", "21:00-21:00")
    with pytest.raises(ConfigError, match="CALLBACKS_REST_HOURS"):
        CallbackSettings.load()
    monkeypatch.setenv("CALLBACKS_REST_HOURS", "22:00-08:30")
    monkeypatch.setenv("CALLBACKS_BUYER_DAYS", "3,thirty")
    with pytest.raises(ConfigError, match="CALLBACKS_BUYER_DAYS"):
        CallbackSettings.load()
    monkeypatch.setenv("CALLBACKS_BUYER_DAYS", "7, 3")
    settings = CallbackSettings.load()
    assert settings.buyer_days == [3, 7] and settings.rest_hours == "22:00-08:30"


async def test_with_redis_a_returning_visitor_is_asked_and_answers(tmp_path, clock, redis_url):
    from tests.fakes.bot_app import make_settings, running_bot

    async with running_bot(make_settings(tmp_path, redis_url=redis_url), clock=clock) as shared:
        await shared.runtime.scheduler.stop()
        who = await customer(shared, "redis-visitor")
        await order("E600", who, clock.now() - 3 * DAY)
        await schedule.sweep(desk(shared))
        await fire(shared)
        assert (await CallbackTask.get(customer_id=who.id)).state == "visit"
        await clock.advance(timedelta(hours=2))
        await say(shared, "redis-visitor", "你好")  # the visit key is read with the conversation's state
        await shared.runtime.recorder.settle()
        await clock.advance(timedelta(seconds=31))
        await fire(shared)
        assert len(await pushed("redis-visitor")) == 1
        assert "建议" in (await say(shared, "redis-visitor", "很满意"))[0]
        assert "感谢" in (await say(shared, "redis-visitor", "没有"))[0]
        task = await CallbackTask.get(customer_id=who.id)
        assert (task.state, task.rating) == ("done", "satisfied")
