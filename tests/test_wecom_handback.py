"""Servicer mode, the handoff ending on the bot's side: WeCom lets the API end a servicer's session
(3 → 4) and, in state 4, carry one message only with the ending code it gives; the customer's next
message starts a new session the bot serves (docs/wecom.md, "Handoff")."""

from __future__ import annotations

import aiohttp
import pytest

from handlers.handoff.service import HANDOFF
from models.conversation import Conversation
from models.message import Message
from tests.fakes.wecom_server import OPEN_KFID, SERVICER, FakeWeCom
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


async def test_words_in_several_parts_after_the_bot_ends_the_session_go_as_the_one_message_its_code_carries(
        tmp_path, clock):
    async with wecom_bot(tmp_path, clock, wecom_handoff="servicer", wecom_servicer_userid=SERVICER) as wecom:
        runtime = wecom.bot.runtime
        await online_agent(clock, runtime)
        await wecom.say(ALICE, "转人工")
        assert wecom.fake.states[(OPEN_KFID, ALICE)] == 3
        conversation = await Conversation.get(key=f"wecom:{ALICE}")
        await runtime.services[HANDOFF].queue.release(conversation, "bot")
        await runtime.messenger.send_text("wecom", ALICE, "第一段话", "第二段话", author="system")
        await wecom.channel.settle()
        [ending] = wecom.fake.delivered(ALICE)[-1:]
        assert ending.path == "send_msg_on_event"
        assert "第一段话" in ending.content and "第二段话" in ending.content  # merged, nothing refused
        assert not [sent for sent in wecom.fake.sent if sent.errcode == 95018]
        refused = await Message.filter(conversation=conversation, failure_reason="session_state_refuses").count()
        assert refused == 0


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


async def test_the_fake_changes_states_only_as_wecom_documents_and_codes_fit_their_state(clock):
    async with FakeWeCom(clock=clock) as fake, aiohttp.ClientSession() as http:
        async with http.get(f"{fake.url}/cgi-bin/gettoken",
                            params={"corpid": fake.corp_id, "corpsecret": fake.secret}) as response:
            token = (await response.json())["access_token"]

        async def call(path: str, **body) -> dict:
            async with http.post(f"{fake.url}/cgi-bin/kf/{path}", params={"access_token": token}, json=body) as r:
                return await r.json()

        async def trans(state: int, **extra) -> dict:
            return await call("service_state/trans", open_kfid=OPEN_KFID, external_userid=ALICE,
                              service_state=state, **extra)

        fake.customer_says(ALICE, "你好")  # state 0
        assert (await trans(4))["errcode"] == 95016  # a session the API serves cannot be ended by it
        assert (await call("send_msg", touser=ALICE, open_kfid=OPEN_KFID, msgtype="text",
                           text={"content": "在的"}))["errcode"] == 0  # 0 -> 1
        assert (await trans(4))["errcode"] == 95016
        handed = await trans(3, servicer_userid=SERVICER)
        assert handed["errcode"] == 0 and handed["msg_code"]
        ended = await trans(4)
        assert ended["errcode"] == 0 and ended["msg_code"]
        assert (await trans(3, servicer_userid=SERVICER))["errcode"] == 95016  # nothing leaves 4 by the API
        assert (await call("send_msg_on_event", code=handed["msg_code"], msgtype="text",
                           text={"content": "x"}))["errcode"] != 0  # a state 3 code, the session is in 4
        closing = {"code": ended["msg_code"], "msgtype": "text", "text": {"content": "再见"}}
        assert (await call("send_msg_on_event", **closing))["errcode"] == 0
        assert (await call("send_msg_on_event", **closing))["errcode"] != 0  # once
        fake.customer_says(ALICE, "又来了")
        assert fake.states[(OPEN_KFID, ALICE)] == 0  # a new session
