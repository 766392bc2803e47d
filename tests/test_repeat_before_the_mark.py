"""A WeChat retry that comes while the passive reply's sent mark still waits for a batch (`Recorder.note_sent`)
and after the store forgot the message (a Redis restart, the dedupe TTL): the part went out, so it is not
owed again (`Dispatcher._still_owed` leaves out what the recorder knows went, without waiting for the
writes, which under load never fall idle). Over real HTTP with the fake WeChat user, the injected clock."""

from __future__ import annotations

import pytest

from models.message import Message
from tests.fakes.wechat_user import Probe, RecordingClock, probe_bot, probe_router, wechat_channel


@pytest.fixture
def clock() -> RecordingClock:
    return RecordingClock()


@pytest.fixture
def probe() -> Probe:
    return probe_router()


async def test_a_quick_repeat_finds_the_passive_part_sent(tmp_path, clock, probe) -> None:
    async with probe_bot(tmp_path, clock, probe) as bot:
        user = bot.user()
        first = await user.say("echo:你好", msg_id=9107)
        assert first.content
        deliveries = wechat_channel(bot).deliveries
        await bot.runtime.store.delete(deliveries.key((user.openid, "9107")))  # the mark still waits
        again = await user.say("echo:你好", msg_id=9107)
        assert again.is_success  # answered before: nothing owed, not the text a second time
        await wechat_channel(bot).settle()
        assert await Message.filter(direction="in", source_id="9107").count() == 1
        assert await Message.filter(direction="out", delivery_status="sent").count() == 1
