"""Servicer mode, the handoff ending on the bot's side: WeCom lets the API end a servicer's session
(3 → 4) and, in state 4, carry one message only with the ending code it gives; the customer's next
message starts a new session the bot serves (docs/wecom.md, "Handoff")."""

from __future__ import annotations

import pytest

from handlers.handoff.service import HANDOFF
from models.conversation import Conversation
from models.message import Message
from tests.fakes.wecom_server import OPEN_KFID, SERVICER
from tests.test_wecom_channel import ALICE, online_agent, wecom_bot

pytestmark = pytest.mark.timeout(60)


def servicer_mode(tmp_path, clock):
    return wecom_bot(tmp_path, clock, wecom_handoff="servicer", wecom_servicer_userid=SERVICER)


async def test_a_console_hand_back_ends_the_servicer_session_with_the_closing_words(tmp_path, clock):
    async with servicer_mode(tmp_path, clock) as wecom:
        runtime = wecom.bot.runtime
        amy = await online_agent(clock, runtime)
        await wecom.say(ALICE, "转人工")
        assert wecom.fake.states[(OPEN_KFID, ALICE)] == 3
        conversation = await Conversation.get(key=f"wecom:{ALICE}")
        await runtime.services[HANDOFF].hand_back(conversation, amy)
        await wecom.channel.settle()
        assert wecom.fake.trans_calls[-1] == (ALICE, 4, None) and wecom.fake.states[(OPEN_KFID, ALICE)] == 4
        closing = wecom.fake.sent[-1]
        assert (closing.path, closing.user, closing.errcode) == ("send_msg_on_event", ALICE, 0)
        assert closing.content == runtime.templates.render_safe("handoff.handed_back", {})
        [row] = await Message.filter(conversation=conversation, author="system").order_by("-id").limit(1)
        assert row.delivery_status == "sent"
        answered = await wecom.say(ALICE, "发什么快递")  # a new session (state 0): the bot's
        assert answered and wecom.fake.states[(OPEN_KFID, ALICE)] == 1
        assert [sent.errcode for sent in wecom.fake.sent if sent.errcode] == []
        assert [call[1] for call in wecom.fake.trans_calls] == [3, 4]  # not handed to the servicer again


async def test_a_handoff_that_ended_without_a_word_ends_the_session_on_the_next_message(tmp_path, clock):
    async with servicer_mode(tmp_path, clock) as wecom:
        runtime = wecom.bot.runtime
        await online_agent(clock, runtime)
        await wecom.say(ALICE, "转人工")
        conversation = await Conversation.get(key=f"wecom:{ALICE}")
        await runtime.services[HANDOFF].queue.release(conversation, "bot")  # nothing said to the customer
        assert wecom.fake.states[(OPEN_KFID, ALICE)] == 3
        [answer] = await wecom.say(ALICE, "发什么快递")
        assert wecom.fake.states[(OPEN_KFID, ALICE)] == 4  # ended; the answer rode on the ending code
        assert wecom.fake.sent[-1].path == "send_msg_on_event" and wecom.fake.sent[-1].content == answer
        assert await wecom.say(ALICE, "谢谢")
        assert [sent.errcode for sent in wecom.fake.sent if sent.errcode] == []


async def test_a_hand_back_after_the_servicer_ended_the_session_in_the_app_sends_nothing_refused(tmp_path, clock):
    async with servicer_mode(tmp_path, clock) as wecom:
        runtime = wecom.bot.runtime
        amy = await online_agent(clock, runtime)
        await wecom.say(ALICE, "转人工")
        wecom.fake.servicer_ends(ALICE)  # the event is not synced yet
        conversation = await Conversation.get(key=f"wecom:{ALICE}")
        await runtime.services[HANDOFF].hand_back(conversation, amy)
        await wecom.channel.settle()
        assert wecom.fake.trans_calls[-1] == (ALICE, 3, SERVICER)  # 4 → 4 refused, nothing recorded as ended twice
        [row] = await Message.filter(conversation=conversation, author="system").order_by("-id").limit(1)
        assert (row.delivery_status, row.failure_reason) == ("undeliverable", "session_state_refuses")
        await wecom.notify()
        assert await wecom.say(ALICE, "在吗")  # a new session: the bot answers
