"""A 留言 is done when a person's answer reaches the customer, not when a person writes one (docs/handoff-sla.md
"When a 留言 is done"). A console reply WeChat refused (errcode 45015: the customer last wrote more than 48
hours ago), or one whose send failed for good, closed the conversation's open 留言 all the same, and the
console said nothing of the refusal: the customer, never answered, dropped out of every open 留言. The
留言 now stays open with its promise, the console's request is answered `not_delivered` with each part's
outcome, and the conversation shows the reply as undeliverable with the platform's reason. Over the real
WeChat path (the fake WeChat server over HTTP) and the console's API, time moved by the bot's FakeClock.
"""

from __future__ import annotations

from typing import Any

import pytest

from bot.clock import FakeClock
from bot.web.auth import create_agent, issue_api_token
from models.conversation import Conversation
from models.handoff import LeftMessage, SlaEvent
from tests.fakes.wechat_user import WeChatBot, wechat_bot
from tests.test_wecom_retry_accepted import sent_part

TEXT = "留言：麻烦尽快帮我处理退款，订单号在上一条"  # marked: the bot would answer a refund
REPLY = "亲，退款已经为您处理好了"
#: How WeChat refuses the reply, the outcome the console is told (the message row's failure reason), and
#: whether the SLA counts the reply as the agent's answer: a refusal for good does (no reply can reach the
#: customer: passing them on helps nobody), an error a resend may pass does not (the customer still waits).
REFUSALS = {
    "outside the 48-hour window": ([45015], ["outside_48h_window"], True),
    "the send failing for good": ([-1], ["errcode_-1"], False),
}


async def post(bot: WeChatBot, path: str, headers: dict[str, str], body: dict[str, Any] | None = None) -> Any:
    method = bot.session.get if body is None else bot.session.post
    async with method(str(bot.server.make_url(path)), json=body, headers=headers) as response:
        return response.status, await response.json()


@pytest.mark.parametrize("refusal", REFUSALS)
async def test_a_reply_the_platform_refused_leaves_the_left_message_open_and_tells_the_agent(
        tmp_path: Any, refusal: str) -> None:
    errcodes, outcomes, counted = REFUSALS[refusal]
    clock = FakeClock()
    async with wechat_bot(tmp_path, clock=clock, staffed_hours="00:00-24:00") as bot:
        await bot.runtime.scheduler.stop()  # deadlines run when the test says: none sends between its steps
        customer = bot.user("o_left_message")
        await customer.say("转人工")  # nobody online: queued
        await clock.advance(121)
        await bot.runtime.scheduler.run_due()  # the queue's wait offers a 留言
        await customer.say(TEXT)
        left = await LeftMessage.get(conversation__key="wechat:o_left_message")
        assert left.done_at is None
        amy = await create_agent("amy", "agent", "secret-pass-123")
        headers = {"Authorization": f"Bearer {await issue_api_token(amy)}"}
        assert (await post(bot, "/api/agent/presence", headers, {"presence": "online"}))[0] == 200
        await customer.say("转人工")  # amy takes it
        held = await Conversation.get(key="wechat:o_left_message")
        assert held.status == "handoff" and held.assignee_id == amy.id

        await clock.advance(60)
        await bot.runtime.scheduler.run_due()  # the greeting on amy's behalf: sent before the refusal is set
        await customer.say("在吗")  # a question amy owes an answer to
        asked = await Conversation.get(id=held.id)
        assert asked.waiting_since is not None and asked.unacked_since is not None
        for errcode in errcodes:
            bot.wechat.fail_next("o_left_message", errcode)
        status, body = await post(bot, f"/api/agent/conversations/{held.id}/messages", headers, {"text": REPLY})
        assert status == 502, body
        assert body["error"]["code"] == "not_delivered" and body["error"]["outcomes"] == outcomes
        error = body["error"]
        assert (error["counted"], error["refused_for_good"], error["left_messages_open"]) == (counted, counted, 1)
        assert [part["delivery"] for part in body["error"]["parts"]] == ["undelivered"]
        after = await Conversation.get(id=held.id)
        answered = await SlaEvent.filter(conversation_id=held.id, kind="person_answered").count()
        if counted:  # the act counts: the question is off the holder's clock
            assert (after.waiting_since, after.unacked_since, answered) == (None, None, 1)
        else:  # the customer still waits: reminders, breach and lapse go on from the question's time
            assert (after.waiting_since, after.unacked_since, answered) == (asked.waiting_since, asked.unacked_since, 0)
        await clock.advance(bot.runtime.settings.sla_reply_s + 1)  # past the 20 s promise, before a lapse
        await bot.runtime.scheduler.run_due()
        breaches = await SlaEvent.filter(conversation_id=held.id, kind="breach").count()
        assert breaches == (0 if counted else 1)  # an unanswered customer is a broken promise
        assert REPLY not in bot.wechat.texts_to("o_left_message")
        kept = await LeftMessage.get(id=left.id)
        assert kept.done_at is None and kept.promised_by == left.promised_by  # open, its promise as told
        status, detail = await post(bot, f"/api/agent/conversations/{held.id}", headers)
        assert status == 200
        [shown] = [m for m in detail["messages"] if m["text"] == REPLY]
        assert (shown["delivery_status"], shown["failure_reason"]) == ("undeliverable", outcomes[0])

        await clock.advance(30)  # sent again, and delivered: now the 留言 is answered
        status, body = await post(bot, f"/api/agent/conversations/{held.id}/messages", headers, {"text": REPLY})
        assert (status, body) == (200, {"sent": [REPLY], "parts": [sent_part(REPLY)]})
        assert bot.wechat.texts_to("o_left_message")[-1] == REPLY
        assert (await LeftMessage.get(id=left.id)).done_at == clock.now()
