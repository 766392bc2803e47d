"""A 留言 sent again (its first reply lost) is written once, and the customer is told the reply time
that 留言 holds, not a fresh one computed for the resend. Over the real web chat path on both
databases; the lost reply is a real trigger in the database refusing the message's row
(tests/test_left_message_redelivery.py)."""

from __future__ import annotations

import pytest

from handlers.handoff.service import HANDOFF
from models.handoff import LeftMessage
from tests.test_left_message_redelivery import a_left_message_whose_reply_was_lost, backend, send

__all__ = ["backend"]  # the fixture: SQLite and PostgreSQL

pytestmark = pytest.mark.timeout(60)


async def test_a_left_message_sent_again_later_is_told_the_promise_its_row_holds(
        tmp_path, backend: tuple[str, dict[str, str]]) -> None:
    async with a_left_message_whose_reply_was_lost(
            tmp_path, backend, "留言：麻烦尽快帮我处理退款，电话13800000000") as (bot, clock):
        row = await LeftMessage.get(conversation__key="webchat:c1")
        await clock.advance(25 * 60)  # the customer sends it again a while later
        again = await send(bot, "留言：麻烦尽快帮我处理退款，电话13800000000", "leave-1")
        assert again.status == 200
        handoff = bot.runtime.services[HANDOFF]
        told = (await again.json())["replies"][-1]
        assert handoff.local(row.promised_by) in told, told
        assert handoff.local(row.promised_by + (clock.now() - row.created_at)) not in told
        assert await LeftMessage.filter(conversation__key="webchat:c1").count() == 1
