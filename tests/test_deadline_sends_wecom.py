"""A deadline's send to a WeCom customer whose answer did not come back (bot/outbox.py `kept_outcomes`).

On the Official Account a send that went unanswered keeps its once-only mark: WeChat may have taken it,
and sent again it would reach the customer twice. WeCom's `send_msg` carries a msgid derived from the
text's row, which the retry writes under the same id (`row_of`): WeCom drops a repeat, so the retry
sends it again, and a text WeCom never received is not lost. Real parts: the bot, the fake WeCom over
real HTTP through a proxy that loses a request or its reply, time on a FakeClock."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from bot.channels.base import RETRYING
from bot.clock import FakeClock
from bot.scheduler import RETRY_AFTER_S
from tests.fakes.bot_app import make_settings, running_bot
from tests.fakes.wecom_server import FakeWeCom
from tests.tcp_proxy import TcpProxy
from tests.test_wecom_channel import ALICE, WeComBot

REMINDER = "亲，您的问题我们还在跟进"


@pytest.mark.parametrize(("lost", "first"), [
    ("the request", []),  # on a reused connection, closed before any answer: sent again at once (wechat_api)
    ("the reply before its head", []),  # taken for a stale connection too: WeCom drops the repeat
    ("the reply after its head", [[RETRYING]]),  # the channel sends it again later (bot/channels/wecom.py)
])
async def test_a_wecom_send_whose_answer_was_lost_is_sent_by_the_retry_and_reaches_the_customer_once(
        tmp_path: Path, clock: FakeClock, lost: str, first: list[list[str]]) -> None:
    """The request never reached WeCom (the connection dropped as it was sent, a keep-alive connection
    WeCom had closed): the send failed `no_answer` (now `RETRYING`: the channel's own resend follows),
    its mark stayed, and the retry took the reminder for sent: never received. When WeCom took it and its
    reply was lost, the retry's repeat is dropped. A reused connection closed before any answer is now
    sent again at once on a fresh one (wechat_api)."""
    async with FakeWeCom(clock=clock) as fake:
        proxy = TcpProxy("127.0.0.1", urlsplit(fake.url).port or 80)
        await proxy.start()
        settings = make_settings(tmp_path, wecom_corp_id=fake.corp_id, wecom_kf_secret=fake.secret,
                                 wecom_token=fake.token, wecom_aes_key=fake.aes_key,
                                 wecom_api_base=f"http://127.0.0.1:{proxy.port}", staffed_hours="00:00-24:00")
        try:
            async with running_bot(settings, clock=clock) as bot:
                scheduler, wecom, attempts = bot.runtime.scheduler, WeComBot(bot, fake), []
                await scheduler.stop()
                assert await wecom.say(ALICE, "你好")  # a session: the bot may write to Alice

                async def remind(user: str) -> None:
                    attempts.append(await bot.runtime.messenger.send_text("wecom", user, REMINDER))
                    if attempts[-1] != ["sent"]:
                        raise RuntimeError("reminder not sent")

                scheduler.on("test-remind", remind)
                if lost == "the request":
                    proxy.lose_request_to(b"/cgi-bin/kf/send_msg")
                else:
                    proxy.lose_reply_to(b"/cgi-bin/kf/send_msg", keep_head=lost.endswith("after its head"))
                await scheduler.at("test-remind", ALICE, clock.time())
                await scheduler.run_due()
                assert attempts == (first or [["sent"]])
                await clock.advance(RETRY_AFTER_S[0])
                await scheduler.run_due()
                assert attempts == [*first, ["sent"]]
                assert fake.texts_to(ALICE).count(REMINDER) == 1
        finally:
            await proxy.cut()
