"""Two menu taps in the same second are two events: WeChat's events carry no MsgId, and their
de-duplication on FromUserName+CreateTime+Event answered CLICK REFERRAL_CARD with the answer to the
CLICK REFERRAL_STANDING tapped just before. A retry (WeChat pushes the same event again, identical) is
still handled once. Over HTTP, signed as WeChat signs, into the bot with a probe router in front.
"""

from __future__ import annotations

from models.message import Message
from tests.fakes.wechat_user import probe_bot, probe_router


async def test_two_taps_in_one_second_are_two_events_and_a_retry_is_one(tmp_path, clock) -> None:
    probe = probe_router()
    async with probe_bot(tmp_path, clock, probe) as bot:
        user = bot.user("o_two_taps")
        second = int(clock.time())
        standing = user.event("CLICK", "REFERRAL_STANDING", create_time=second)
        for xml in (standing, user.event("CLICK", "REFERRAL_CARD", create_time=second), standing):
            assert (await user.post(xml)).status == 200
        assert [inbound.event_key for inbound in probe.seen] == ["REFERRAL_STANDING", "REFERRAL_CARD"]
        rows = await Message.filter(channel="wechat", direction="in", kind="event").order_by("id")
        assert len(rows) == 2 and len({row.source_id for row in rows}) == 2
        assert all("REFERRAL" not in (row.source_id or "") for row in rows)  # the key is digested, not quoted


async def test_an_event_without_a_key_keeps_its_plain_id(tmp_path, clock) -> None:
    probe = probe_router()
    async with probe_bot(tmp_path, clock, probe) as bot:
        user = bot.user("o_plain_event")
        second = int(clock.time())
        for _ in range(2):
            await user.post(user.event("subscribe", create_time=second))
        [inbound] = probe.seen
        assert inbound.source_id == f"{second}:subscribe"
