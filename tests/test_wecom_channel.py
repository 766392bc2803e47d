"""The WeCom 微信客服 channel end to end: the real app on a real socket, `FakeWeCom` on another.

Customers write to the fake; the fake POSTs the encrypted callback; the bot syncs, answers through
`send_msg`, and everything is read back from the fake (what the customer received) and from the
database (what was recorded). The clock is fake: welcome codes, the sync interval and the budget's
48 h move only when a test says so.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.channels.base import RETRYING
from bot.channels.wecom import PERIODIC, RESEND_DELAYS_S, WeComChannel
from bot.channels.wecom_api import CURSOR_SUSPECT_AFTER
from bot.clock import FakeClock
from bot.config import load_settings
from bot.errors import ConfigError
from bot.router import Router
from handlers.consultation import WELCOME_PICKS
from handlers.handoff.service import HANDOFF
from models.agent import Agent
from models.case import AfterSalesCase
from models.conversation import Conversation
from models.handoff import SlaEvent
from models.message import Message
from tests.fakes.bot_app import RunningBot, make_settings, running_bot
from tests.fakes.erp_server import order_object, seed_orders
from tests.fakes.wecom_server import OPEN_KFID, SERVICER, FakeWeCom
from tests.test_referral_support import DAY, code_in, new_campaign, today

pytestmark = pytest.mark.timeout(60)

ALICE, BOB = "wmAlice0000000001", "wmBob00000000000002"


@dataclass
class WeComBot:
    bot: RunningBot
    fake: FakeWeCom

    @property
    def channel(self) -> WeComChannel:
        channel = self.bot.runtime.channels["wecom"]
        assert isinstance(channel, WeComChannel)
        return channel

    @property
    def callback_url(self) -> str:
        return self.bot.url("/wecom/kf")

    async def notify(self) -> int:
        status = await self.fake.notify(self.callback_url)
        await self.channel.settle()
        return status

    async def say(self, user: str, *texts: str) -> list[str]:
        """The customer writes; returns what they received since (texts, in order)."""
        before = len(self.fake.texts_to(user))
        for text in texts:
            self.fake.customer_says(user, text)
        assert await self.notify() == 200
        return self.fake.texts_to(user)[before:]


def wecom_settings(tmp_path: Path, fake: FakeWeCom, **overrides: Any):
    return make_settings(tmp_path, wecom_corp_id=fake.corp_id, wecom_kf_secret=fake.secret,
                         wecom_token=fake.token, wecom_aes_key=fake.aes_key, wecom_api_base=fake.url,
                         staffed_hours="00:00-24:00", **overrides)


@asynccontextmanager
async def wecom_bot(tmp_path: Path, clock: FakeClock, fake: FakeWeCom | None = None,
                    first: tuple[Router, ...] = (), **overrides: Any) -> AsyncIterator[WeComBot]:
    async with FakeWeCom(clock=clock) if fake is None else _same(fake) as wecom:
        async with running_bot(wecom_settings(tmp_path, wecom, **overrides), clock=clock, first=first) as bot:
            await bot.runtime.scheduler.stop()  # deadlines fire when a test runs them
            yield WeComBot(bot, wecom)


@asynccontextmanager
async def _same(fake: FakeWeCom) -> AsyncIterator[FakeWeCom]:
    yield fake


async def inbound(user: str | None = None) -> list[Message]:
    rows = Message.filter(channel="wecom", direction="in").order_by("id")
    if user is not None:
        rows = rows.filter(conversation__key=f"wecom:{user}")
    return await rows


# --- callback URL ---


async def test_url_verification_answers_the_decrypted_echostr_and_refuses_a_bad_signature(tmp_path, clock):
    async with wecom_bot(tmp_path, clock) as wecom:
        session = wecom.bot.client.session
        good = await session.get(wecom.callback_url, params=wecom.fake.verify_params("echo-4711"))
        assert good.status == 200 and await good.text() == "echo-4711"
        forged = await session.get(wecom.callback_url, params=wecom.fake.verify_params("x", token="someoneelse"))
        assert forged.status == 403
        old = wecom.fake.verify_params("x")
        await clock.advance(301)
        assert (await session.get(wecom.callback_url, params=old)).status == 403
        assert (await session.get(wecom.callback_url)).status == 403


async def test_a_forged_or_replayed_callback_is_refused_and_syncs_nothing(tmp_path, clock):
    async with wecom_bot(tmp_path, clock) as wecom:
        session = wecom.bot.client.session
        params, body = wecom.fake.callback_request()
        forged = await session.post(wecom.callback_url, params={**params, "msg_signature": "0" * 40}, data=body)
        assert forged.status == 403
        assert (await session.post(wecom.callback_url, params=params, data=b"<xml>not encrypted</xml>")).status in (
            400, 403)
        assert await wecom.fake.notify(wecom.callback_url, timestamp=int(clock.time()) - 600) == 403
        await wecom.channel.settle()
        assert wecom.fake.sync_calls == []


# --- syncing ---


async def test_a_burst_of_30_messages_over_3_pages_is_handled_in_order_once(tmp_path, clock):
    async with wecom_bot(tmp_path, clock, wecom_sync_limit=10) as wecom:
        customers = [f"wmBurst{n:010d}" for n in range(10)]
        msgids = [wecom.fake.customer_says(customers[n % 10], text)
                  for n, text in enumerate(["你好"] * 10 + ["发什么快递"] * 10 + ["谢谢"] * 10)]
        assert await wecom.notify() == 200
        assert await wecom.notify() == 200  # WeCom repeats a callback: nothing new, nothing twice
        assert [row.source_id for row in await inbound()] == msgids
        pages = [call for call in wecom.fake.sync_calls if call.get("limit") == 10]
        assert [call.get("cursor") for call in pages[:3]] == [None, "G0.10", "G0.20"]
        assert pages[0]["token"].startswith("SYNC")
        assert await wecom.channel.sync.cursor(OPEN_KFID) == "G0.30"
        for customer in customers:  # three messages, three answers each, none twice
            assert len(wecom.fake.texts_to(customer)) == 3
        assert all(sent.open_kfid == OPEN_KFID for sent in wecom.fake.delivered())


async def test_two_concurrent_callbacks_handle_each_message_once(tmp_path, clock):
    async with wecom_bot(tmp_path, clock, wecom_sync_limit=4) as wecom:
        msgids = [wecom.fake.customer_says(ALICE if n % 2 else BOB, "你好") for n in range(8)]
        statuses = await asyncio.gather(wecom.fake.notify(wecom.callback_url), wecom.fake.notify(wecom.callback_url))
        assert statuses == [200, 200]
        await wecom.channel.settle()
        assert [row.source_id for row in await inbound()] == msgids
        assert len(wecom.fake.texts_to(ALICE)) == len(wecom.fake.texts_to(BOB)) == 4


async def test_a_lost_callback_is_caught_by_the_periodic_sync(tmp_path, clock):
    async with wecom_bot(tmp_path, clock) as wecom:
        assert await wecom.say(ALICE, "你好")
        lost = wecom.fake.customer_says(ALICE, "发什么快递")  # WeCom's callback never arrives
        runtime = wecom.bot.runtime
        assert await runtime.scheduler.run_due() == 0
        await clock.advance(runtime.settings.wecom_sync_interval_s)
        assert await runtime.scheduler.run_due() == 1
        await wecom.channel.settle()
        assert [row.source_id for row in await inbound()][-1] == lost
        assert len(wecom.fake.texts_to(ALICE)) == 2
        assert await runtime.store.next_due(PERIODIC) is not None  # and the next catch-up is planned


async def test_a_restart_resumes_from_the_stored_cursor_with_nothing_in_the_store(tmp_path, clock):
    """The cursor lives in the database: a new worker with an empty (memory) store reads on from it,
    answering only what came after, not WeCom's three days of kept messages again."""
    async with FakeWeCom(clock=clock) as fake:
        async with wecom_bot(tmp_path, clock, fake) as first:
            await first.say(ALICE, "你好", "发什么快递")
            stopped_at = await first.channel.sync.cursor(OPEN_KFID)
        answered_before = len(fake.texts_to(ALICE))
        later = fake.customer_says(BOB, "在吗")
        async with wecom_bot(tmp_path, clock, fake) as second:
            calls_before = len(fake.sync_calls)
            assert await second.notify() == 200
            assert fake.sync_calls[calls_before]["cursor"] == stopped_at
            assert len(fake.texts_to(ALICE)) == answered_before  # nothing of Alice's answered twice
            assert len(fake.texts_to(BOB)) == 1
            assert [row.source_id for row in await inbound(BOB)] == [later]
            assert len(await inbound(ALICE)) == 2


async def test_an_expired_cursor_restarts_from_the_oldest_kept_message_answering_nothing_twice(tmp_path, clock):
    async with wecom_bot(tmp_path, clock) as wecom:
        await wecom.say(ALICE, "你好", "发什么快递")
        wecom.fake.expire_cursors()  # WeCom no longer knows the stored cursor
        [answer] = await wecom.say(BOB, "在吗")
        assert answer
        assert len(wecom.fake.texts_to(ALICE)) == 2  # re-read, not answered again
        assert len(await inbound()) == 3
        assert await wecom.channel.sync.cursor(OPEN_KFID) == "G1.3"


async def test_a_refusal_that_keeps_coming_back_with_the_cursor_drops_it_instead_of_stalling(tmp_path, clock):
    async with wecom_bot(tmp_path, clock) as wecom:
        await wecom.say(ALICE, "你好")
        stored = await wecom.channel.sync.cursor(OPEN_KFID)
        wecom.fake.refuse_sync = [40058] * CURSOR_SUSPECT_AFTER  # an answer no source ties to the cursor
        wecom.fake.customer_says(BOB, "在吗")
        for _ in range(CURSOR_SUSPECT_AFTER - 1):
            await wecom.notify()
            assert await wecom.channel.sync.cursor(OPEN_KFID) == stored  # not dropped on a passing refusal
        assert wecom.fake.texts_to(BOB) == []
        await wecom.notify()  # the third time in a row: the cursor goes, the sync starts over
        assert len(wecom.fake.texts_to(BOB)) == 1 and len(wecom.fake.texts_to(ALICE)) == 1
        assert [call.get("cursor") for call in wecom.fake.sync_calls[-2:]] == [stored, None]


async def test_a_drain_of_many_pages_clears_the_refusal_count_once_and_again_after_a_refusal(tmp_path, clock):
    async with wecom_bot(tmp_path, clock, wecom_sync_limit=1) as wecom:
        store = wecom.bot.runtime.store
        suspect = store.keys("wecom", "cursor-suspect", OPEN_KFID)
        deletes: list[str] = []
        delete = store.delete

        async def counting(*keys: str) -> None:
            deletes.extend(keys)
            await delete(*keys)

        store.delete = counting  # type: ignore[method-assign]
        for n in range(4):
            wecom.fake.customer_says(ALICE, f"第{n}句")
        await wecom.notify()  # four pages of one message each
        assert len(wecom.fake.texts_to(ALICE)) == 4
        assert deletes.count(suspect) == 1  # not one Redis command per page
        wecom.fake.refuse_sync = [40058]
        wecom.fake.customer_says(BOB, "在吗")
        await wecom.notify()  # refused: counted, the drain stops
        assert await store.get(suspect) == "1"
        await wecom.notify()  # goes through: the count is cleared
        assert len(wecom.fake.texts_to(BOB)) == 1 and await store.get(suspect) is None


async def test_a_refusal_about_credentials_never_costs_the_cursor(tmp_path, clock):
    async with wecom_bot(tmp_path, clock) as wecom:
        await wecom.say(ALICE, "你好")
        stored = await wecom.channel.sync.cursor(OPEN_KFID)
        wecom.fake.refuse_sync = [45009] * (CURSOR_SUSPECT_AFTER + 1)  # rate limited
        for _ in range(CURSOR_SUSPECT_AFTER + 1):
            await wecom.notify()
        assert await wecom.channel.sync.cursor(OPEN_KFID) == stored
        assert [call.get("cursor") for call in wecom.fake.sync_calls[1:]] == [stored] * (CURSOR_SUSPECT_AFTER + 1)


async def test_a_stale_sync_token_is_dropped_and_the_sync_goes_on(tmp_path, clock):
    async with wecom_bot(tmp_path, clock) as wecom:
        wecom.fake.customer_says(ALICE, "你好")
        assert await wecom.channel.sync.request(OPEN_KFID, "SYNC-older-than-10-minutes")
        await wecom.channel.settle()
        assert [call.get("token") for call in wecom.fake.sync_calls] == ["SYNC-older-than-10-minutes", None]
        assert len(wecom.fake.texts_to(ALICE)) == 1


async def test_media_and_cards_over_wecom_are_answered_like_any_channel(tmp_path, clock):
    async with wecom_bot(tmp_path, clock) as wecom:
        wecom.fake.customer_says(ALICE, msgtype="image", body={"media_id": "MEDIA0001"})
        wecom.fake.customer_says(ALICE, msgtype="miniprogram", body={"title": "小蜜优选", "appid": "wx123"})
        await wecom.notify()
        rows = await inbound(ALICE)
        assert [row.kind for row in rows] == ["image", "miniprogram"]
        assert len(wecom.fake.texts_to(ALICE)) == 2


# --- welcome ---


async def test_the_welcome_goes_out_once_with_the_welcome_code_in_time(tmp_path, clock):
    async with wecom_bot(tmp_path, clock) as wecom:
        code = wecom.fake.enter_session(ALICE, scene_param="video_shop")
        await clock.advance(3)
        await wecom.notify()
        await wecom.notify()
        [welcome] = [sent for sent in wecom.fake.sent if sent.path == "send_msg_on_event"]
        assert (welcome.errcode, welcome.user, welcome.payload["code"]) == (0, ALICE, code)
        assert "小蜜优选旗舰店" in welcome.content and welcome.payload["msgtype"] == "msgmenu"
        picks = [item["content"] for item in welcome.clicks]
        assert picks == [wecom.bot.runtime.templates.render(key) for key in WELCOME_PICKS]
        [row] = await Message.filter(channel="wecom", direction="out")
        assert row.delivery_status == "sent"


async def test_a_welcome_code_older_than_20_seconds_is_not_tried(tmp_path, clock):
    async with wecom_bot(tmp_path, clock) as wecom:
        wecom.fake.enter_session(ALICE)
        await clock.advance(21)
        await wecom.notify()
        assert [sent for sent in wecom.fake.sent if sent.path == "send_msg_on_event"] == []
        [row] = await Message.filter(channel="wecom", direction="out")
        assert (row.delivery_status, row.failure_reason) == ("undeliverable", "welcome_code_expired")


# --- sending ---


async def test_the_budget_of_5_after_a_customer_message_is_never_overspent(tmp_path, clock):
    async with wecom_bot(tmp_path, clock) as wecom:
        [answer] = await wecom.say(ALICE, "你好")
        assert answer
        notices = [f"第{n}条通知" for n in range(1, 7)]
        outcomes = await wecom.bot.runtime.outbox.send("wecom", ALICE, notices)
        assert outcomes == ["sent"] * 6  # 4 left: neighbours merged into 4 messages, none lost
        assert len(wecom.fake.delivered(ALICE)) == 5
        assert "\n".join(wecom.fake.texts_to(ALICE)[1:]) == "\n".join(notices)
        assert await wecom.bot.runtime.outbox.send("wecom", ALICE, ["再一条", "又一条"]) == ["over_send_cap"] * 2
        assert [sent.errcode for sent in wecom.fake.sent] == [0] * 5  # over the budget: never tried
        refused = await Message.filter(channel="wecom", direction="out", delivery_status="undeliverable")
        assert [row.failure_reason for row in refused] == ["over_send_cap"] * 2
        await wecom.say(ALICE, "在吗")  # writing again restores the allowance
        assert await wecom.channel.sends_left(ALICE) == 4


async def test_platform_refusals_are_recorded_with_their_reason_and_a_stale_token_refreshed_once(tmp_path, clock):
    async with wecom_bot(tmp_path, clock) as wecom:
        await wecom.say(ALICE, "你好")
        wecom.fake.expire_tokens()
        assert await wecom.bot.runtime.outbox.send("wecom", ALICE, ["还在吗"]) == ["sent"]
        assert wecom.fake.token_calls == 2
        wecom.fake.states[(OPEN_KFID, ALICE)] = 2  # waiting in WeCom's pool: the API may not send
        assert await wecom.bot.runtime.outbox.send("wecom", ALICE, ["第二条"]) == ["session_state_refuses"]
        wecom.fake.states[(OPEN_KFID, ALICE)] = 1
        wecom.fake.quotas[ALICE].left = 0  # WeCom counts something the bot did not (another tool)
        assert await wecom.bot.runtime.outbox.send("wecom", ALICE, ["第三条"]) == ["over_send_cap"]
        assert await wecom.bot.runtime.outbox.send("wecom", "wmNeverWrote000001", ["你好"]) == ["unknown_kf_account"]


async def test_wecom_busy_is_tried_once_more_then_later_and_a_refusal_is_never_retried(tmp_path, clock):
    async with wecom_bot(tmp_path, clock) as wecom:
        await wecom.say(ALICE, "你好")
        attempts = len(wecom.fake.sent)
        wecom.fake.refuse_next = [-1]  # "system busy": WeCom's table says try again
        assert await wecom.bot.runtime.outbox.send("wecom", ALICE, ["您的包裹已发出"]) == ["sent"]
        assert [sent.errcode for sent in wecom.fake.sent[attempts:]] == [-1, 0]
        assert wecom.fake.texts_to(ALICE).count("您的包裹已发出") == 1
        attempts = len(wecom.fake.sent)
        wecom.fake.refuse_next = [-1, -1]  # still busy: tried later (tests/test_wecom_resilience.py), not now
        assert await wecom.bot.runtime.outbox.send("wecom", ALICE, ["第二条"]) == [RETRYING]
        await clock.advance(RESEND_DELAYS_S[0])
        await wecom.bot.runtime.scheduler.run_due()  # the later attempt sends it
        wecom.fake.refuse_next = [95018, 0]
        assert await wecom.bot.runtime.outbox.send("wecom", ALICE, ["第三条"]) == ["session_state_refuses"]
        assert [sent.errcode for sent in wecom.fake.sent[attempts:]] == [-1, -1, 0, 95018]


async def test_a_message_wecom_reports_undelivered_later_is_recorded_as_such_and_sent_once(tmp_path, clock):
    async with wecom_bot(tmp_path, clock) as wecom:
        await wecom.say(ALICE, "你好")
        assert await wecom.bot.runtime.outbox.send("wecom", ALICE, ["您的包裹已发出"]) == ["sent"]
        [sent] = [s for s in wecom.fake.delivered(ALICE) if s.content == "您的包裹已发出"]
        row = await Message.get(channel="wecom", direction="out", text="您的包裹已发出")
        assert len(sent.payload["msgid"]) == 32  # derived from the stored message: a re-push is the same send
        wecom.fake.fail_delivery(sent, fail_type=2)
        await wecom.notify()
        await row.refresh_from_db()
        assert (row.delivery_status, row.failure_reason) == ("undeliverable", "send_fail_2")
        assert await Message.filter(channel="wecom", delivery_status="undeliverable").count() == 1

        # a mark stored by a version before merged sends held one plain id, not a list
        assert await wecom.bot.runtime.outbox.send("wecom", ALICE, ["发票已开好"]) == ["sent"]
        [older] = [s for s in wecom.fake.delivered(ALICE) if s.content == "发票已开好"]
        older_row = await Message.get(channel="wecom", direction="out", text="发票已开好")
        store = wecom.bot.runtime.store
        await store.set(store.keys("wecom", "sent", older.payload["msgid"]), older_row.source_id, ttl=600)
        wecom.fake.fail_delivery(older, fail_type=3)
        await wecom.notify()
        await older_row.refresh_from_db()
        assert (older_row.delivery_status, older_row.failure_reason) == ("undeliverable", "send_fail_3")


# --- handoff ---


async def online_agent(clock: FakeClock, runtime) -> Agent:
    amy = await Agent.create(name="amy", display_name="小美", role="agent", password_hash="-", created_at=clock.now())
    await runtime.services[HANDOFF].set_presence(amy, "online")
    return amy


async def test_handoff_in_the_console_keeps_the_session_with_the_bot_and_the_agent_answers_by_api(tmp_path, clock):
    async with wecom_bot(tmp_path, clock) as wecom:
        runtime = wecom.bot.runtime
        amy = await online_agent(clock, runtime)
        await wecom.say(ALICE, "转人工")
        conversation = await Conversation.get(key=f"wecom:{ALICE}")
        assert conversation.status == "handoff" and conversation.assignee_id == amy.id
        greeting = "您好，我是小美，请问有什么可以帮您"
        await runtime.services[HANDOFF].agent_message(conversation, amy, greeting, confirm=False)
        await wecom.channel.settle()
        assert wecom.fake.texts_to(ALICE)[-1] == greeting
        assert wecom.fake.trans_calls == [] and wecom.fake.states[(OPEN_KFID, ALICE)] == 1


async def test_handoff_to_a_wecom_servicer_moves_the_session_to_state_3_until_it_ends(tmp_path, clock):
    async with wecom_bot(tmp_path, clock, wecom_handoff="servicer", wecom_servicer_userid=SERVICER) as wecom:
        await online_agent(clock, wecom.bot.runtime)
        await wecom.say(ALICE, "转人工")
        assert wecom.fake.trans_calls == [(ALICE, 3, SERVICER)]
        assert await wecom.say(ALICE, "我的快递到哪了") == []  # the servicer answers in the WeCom app
        assert [sent for sent in wecom.fake.sent if sent.errcode] == []
        wecom.fake.servicer_ends(ALICE)
        await wecom.notify()
        conversation = await Conversation.get(key=f"wecom:{ALICE}")
        assert (conversation.status, conversation.assignee_id) == ("bot", None)  # off the console's desk too
        assert await SlaEvent.filter(conversation=conversation, kind="ended_elsewhere").count() == 1
        answered = await wecom.say(ALICE, "你好")  # the bot's again: it answers, not handed over twice
        assert answered and wecom.fake.trans_calls == [(ALICE, 3, SERVICER)]


# --- dialogues over the channel ---

ORDER = "3301234567890123456"


async def test_an_after_sales_return_over_wecom(tmp_path, clock):
    async with wecom_bot(tmp_path, clock) as wecom:
        await seed_orders(order_object(ORDER, f"wecom:{ALICE}"), now=clock.now())
        [ask] = await wecom.say(ALICE, "我要退货")
        assert "订单号" in ask
        answer = "\n".join(await wecom.say(ALICE, ORDER))
        [case] = await AfterSalesCase.filter(order__order_no=ORDER)
        assert case.kind == "return" and case.case_no in answer


async def test_a_referral_card_over_wecom(tmp_path, clock):
    async with wecom_bot(tmp_path, clock) as wecom:
        await new_campaign(wecom.bot.runtime, ends_on=today(wecom.bot.runtime) + 10 * DAY)
        card = await wecom.say(ALICE, "推荐好友")
        code = code_in(card)
        assert code and all(len(part.encode()) <= 2048 for part in card)


# --- configuration ---


def test_missing_or_wrong_wecom_settings_stop_start_up_naming_the_variable(tmp_path):
    settings = make_settings(tmp_path, wecom_corp_id="ww0123456789abcdef", wecom_token="tok123",
                             wecom_aes_key="A" * 43)
    with pytest.raises(ConfigError, match="WECOM_KF_SECRET"):
        WeComChannel(settings)
    with pytest.raises(ConfigError, match="WECOM_SERVICER_USERID"):
        WeComChannel(settings.model_copy(update={"wecom_kf_secret": "s" * 16, "wecom_handoff": "servicer"}))
    for variable, value in (("wecom_corp_id", "not-a-corp"), ("wecom_aes_key", "short"),
                            ("wecom_api_base", "ftp://x"), ("wecom_handoff", "phone")):
        with pytest.raises(ConfigError, match=variable.upper()):
            load_settings(_env_file=None, **{variable: value})
