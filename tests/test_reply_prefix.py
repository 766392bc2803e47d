"""The ids of an answer's rows (bot/dispatcher.py `reply_prefix`): a WeChat MsgId is kept as it is at their start,
so answers written together sit side by side in the `source_id` index, and the rows an earlier release wrote
under a digest are still found when their message comes again (a redelivery, the inbox finishing it)."""

from __future__ import annotations

import pytest

from bot.dispatcher import digest_prefix, reply_prefix
from bot.events import Inbound
from models.message import Message
from tests.fakes.wechat_user import probe_bot
from tests.test_wechat_inbox import clock, probe

__all__ = ["clock", "probe"]  # the fixtures: the recording clock and the probe's router, as the inbox tests use

pytestmark = pytest.mark.timeout(60)


def test_a_msg_id_is_kept_as_it_is_and_other_ids_are_digested() -> None:
    assert reply_prefix(7, "23456789012345678") == "re:23456789012345678:7:"
    for other in ("1764300000:subscribe", "client_1", "50%", "9" * 65, ""):
        assert reply_prefix(7, other) == digest_prefix(7, other)
    assert not reply_prefix(7, "1234").startswith(reply_prefix(7, "123"))  # the id ends at its `:`
    assert reply_prefix(7, "123") != reply_prefix(8, "123")


async def test_parts_written_under_the_digest_are_still_owed(tmp_path, clock, probe) -> None:
    async with probe_bot(tmp_path, clock, probe) as bot:
        user = bot.user()
        inbound = Inbound(channel="wechat", user_id=user.openid, kind="text", text="long:60", source_id="9104",
                          received_at=clock.now())
        outcome = await bot.runtime.dispatcher.handle(inbound)
        assert len(outcome.texts) > 1
        identity = await bot.runtime.recorder.identify("wechat", user.openid)
        plain, digest = reply_prefix(identity.conversation_id, "9104"), digest_prefix(identity.conversation_id, "9104")
        assert all(source_id.startswith(plain) for source_id in outcome.message_ids)
        for row in await Message.filter(direction="out", source_id__startswith=plain):  # as written before
            row.source_id = digest + row.source_id.removeprefix(plain)
            await row.save(update_fields=["source_id"])

        again = await bot.runtime.dispatcher.handle(inbound)

        assert again.texts == outcome.texts
        assert all(source_id.startswith(digest) for source_id in again.message_ids)
        assert probe.calls == ["long:60"]  # found, not answered twice
