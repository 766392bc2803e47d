"""The queue never waits on a holder who stays silent (docs/handoff-sla.md "The queue never waits on a
silent holder"): a handover nobody greeted keeps its holder from the next customer for `greeting_grace`
(15 s − SLA_HOLD_MARGIN_S) only, then the queue is served, so the customer behind it still reaches a
person within 15 s. Before, a conversation moved to an agent who never wrote in it (or a first
handover whose greeting could not be sent) kept that agent "busy" for as long as they stayed silent,
and with nobody else online the queue waited minutes.

Real app over HTTP with a FakeClock, as tests/test_handoff.py; no test waits real seconds.
"""

from __future__ import annotations

from bot.clock import FakeClock
from bot.web.auth import create_agent, issue_api_token
from models.conversation import Conversation
from models.handoff import SlaEvent
from tests import test_handoff
from tests.fakes.wechat_user import wechat_bot
from tests.test_handoff import conversation, say, tick
from tests.test_handoff_shift import holder_name, two_agents_c1_with

clock = test_handoff.clock  # the same fake clock and shop hours as the handoff tests
bot_settings = test_handoff.bot_settings


async def test_a_conversation_moved_to_a_silent_agent_stops_the_queue_only_until_its_greeting_deadline(bot, clock):
    amy, _ = await two_agents_c1_with(bot, clock, "amy")
    await say(bot, "c1", "这个面料起球吗")
    await tick(bot, clock, 13.1)  # amy has not started on it: moved to bob, who owes the answer
    assert await holder_name("c1") == "bob"
    moved_at = (await conversation("c1")).assigned_at
    response = await bot.client.post("/api/agent/presence", json={"presence": "offline"}, headers=amy)
    assert response.status == 200  # bob is the only one online now, and does not write in c1
    await tick(bot, clock, 1)
    await say(bot, "c2", "转人工")
    assert (await conversation("c2")).status == "queued"  # no burst: bob has not greeted c1 yet
    await tick(bot, clock, 8.9)  # 9.9 s after the move: still inside its greeting grace
    assert (await conversation("c2")).status == "queued"
    await tick(bot, clock, 0.2)  # 10.1 s: the grace is over, bob still silent in c1; the queue moves
    c2 = await conversation("c2")
    assert c2.status == "handoff" and await holder_name("c2") == "bob"
    assert (c2.assigned_at - moved_at).total_seconds() < 10.5
    await tick(bot, clock, 0.3)
    reached = await SlaEvent.get(kind="person_reached", conversation_id=c2.id)
    assert reached.within is True and reached.waited_s < 15  # c2's 15 s kept though bob never wrote in c1
    assert await holder_name("c1") == "bob"  # c1 itself stays bob's: its question has its own clock


async def test_a_first_handover_whose_greeting_could_not_be_sent_does_not_stop_the_queue(tmp_path):
    """The greeting on the holder's behalf skipped (the customer's WeChat budget keeps the last message
    for the holder's answer) and the holder silent: the next customer is still handed over."""
    clock = FakeClock()
    async with wechat_bot(tmp_path, clock=clock, staffed_hours="00:00-24:00", sla_first_response_s=15,
                          sla_hold_margin_s=5) as bot:
        amy = await create_agent("amy", "agent", "secret-pass-123", capacity=5)
        headers = {"Authorization": f"Bearer {await issue_api_token(amy)}"}
        online = await bot.session.post(bot.server.make_url("/api/agent/presence"), json={"presence": "online"},
                                         headers=headers)
        assert online.status == 200
        first = bot.user("o_capped")
        await first.say("转人工")
        held = await Conversation.get(key="wechat:o_capped")
        assert held.status == "handoff" and held.assignee_id == amy.id
        wechat = bot.runtime.channels["wechat"]
        while (await wechat.sends_left("o_capped")) > 1:  # the last message is kept for amy's answer
            await bot.runtime.outbox.send("wechat", "o_capped", ["物流说明"])
        await clock.advance(0.3)
        await bot.runtime.scheduler.run_due()
        await held.refresh_from_db()
        assert held.first_reply_at is None  # the greeting was not sent; amy does not write
        await bot.user("o_next").say("转人工")
        following = await Conversation.get(key="wechat:o_next")
        assert following.status == "queued"
        await clock.advance(9.8)  # 10.1 s after amy took o_capped
        await bot.runtime.scheduler.run_due()
        await following.refresh_from_db()
        assert following.status == "handoff" and following.assignee_id == amy.id
