"""An agent's WeCom reply refused for a passing reason (45009) is the channel's to send later itself: the
console's API answers 200 with each part's outcome (`retrying`, shown unconfirmed), the conversation's open
留言 are done, and the reply goes once, after the delay (docs/wecom.md, "Sends refused for now")."""

from __future__ import annotations

import pytest

from bot.channels.base import RETRYING
from bot.channels.wecom import RESEND_DELAYS_S
from bot.web.auth import create_agent, issue_api_token
from models.conversation import Conversation
from models.handoff import LeftMessage
from tests.test_wecom_channel import ALICE, wecom_bot
from tests.test_wecom_resilience import rows_of

pytestmark = pytest.mark.timeout(60)


async def test_a_reply_wecom_will_send_later_is_accepted_and_answers_the_left_messages(tmp_path, clock):
    async with wecom_bot(tmp_path, clock) as wecom:
        runtime, fake, session = wecom.bot.runtime, wecom.fake, wecom.bot.client.session
        amy = await create_agent("amy", "agent", "secret-pass-123")
        headers = {"Authorization": f"Bearer {await issue_api_token(amy)}"}
        async with session.post(wecom.bot.url("/api/agent/presence"), json={"presence": "online"},
                                headers=headers) as response:
            assert response.status == 200
        await wecom.say(ALICE, "转人工")
        held = await Conversation.get(key=f"wecom:{ALICE}")
        assert held.assignee_id == amy.id
        await LeftMessage.create(conversation=held, text="什么时候发货", promised_by=clock.now(),
                                 created_at=clock.now())

        fake.refuse_next = [45009]  # over WeCom's frequency limit: tried again in 30 s
        text = "您好，今天下午发货"
        async with session.post(wecom.bot.url(f"/api/agent/conversations/{held.id}/messages"), json={"text": text},
                                headers=headers) as response:
            status, body = response.status, await response.json()
        assert status == 200, body
        assert [(part["outcome"], part["delivery"]) for part in body["parts"]] == [(RETRYING, "unconfirmed")]
        assert await LeftMessage.filter(conversation=held, done_at=None).count() == 0
        await runtime.recorder.settle()
        assert await rows_of(text) == [("pending", "errcode_45009")]

        await clock.advance(RESEND_DELAYS_S[0])
        await runtime.scheduler.run_due()
        await runtime.recorder.settle()
        assert fake.texts_to(ALICE).count(text) == 1
        assert await rows_of(text) == [("sent", None)]


def sent_part(text: str) -> dict[str, str | None]:
    """A part of an agent's reply the platform took, as the console's API answers it."""
    return {"text": text, "outcome": "sent", "delivery": "sent", "category": None}
