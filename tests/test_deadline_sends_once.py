"""A deadline's callback is retried when it fails (bot/scheduler.py); what its failed attempt already
sent the customer is not sent again (bot/outbox.py), and what it failed to send still is.

The greeting on the holder's behalf is the case that mattered: sent, then the database failed to
record that it was, the deadline came back and the customer was greeted twice. Real parts: the bot
on PostgreSQL through a loopback proxy the test cuts (the database going away for this bot only),
WeChat over real HTTP to the fake server, the store in-process or Redis, time on a FakeClock.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from bot.outbox import ONCE_TTL_S
from bot.scheduler import MAX_ATTEMPTS, RETRY_AFTER_S
from bot.store.base import StoreUnavailable
from handlers.handoff.service import HANDOFF
from models.agent import Agent
from models.conversation import Conversation
from models.handoff import SlaEvent
from models.message import Message
from tests.fakes.wechat_server import FakeWeChat
from tests.fakes.wechat_user import WeChatBot, wechat_bot
from tests.store_faults import SENDS_OF_A_COMMAND, claim_of, lose_the_replies
from tests.tcp_proxy import TcpProxy, resp_command

SEND_PATH = "/cgi-bin/message/custom/send"


@pytest.fixture(params=["memory", "redis"])
def store_settings(request: pytest.FixtureRequest) -> dict[str, Any]:
    return {} if request.param == "memory" else {"redis_url": request.getfixturevalue("redis_url")}


@asynccontextmanager
async def bot_on_a_proxied_postgres(tmp_path: Path, clock: Any, database_url: str,
                                    **settings: Any) -> AsyncIterator[tuple[WeChatBot, TcpProxy]]:
    """The WeChat bot on PostgreSQL reached through a proxy the test can cut; deadlines fired by the test."""
    parts = urlsplit(database_url)
    proxy = TcpProxy(parts.hostname or "127.0.0.1", parts.port or 5432)
    await proxy.start()
    url = parts._replace(netloc=f"{parts.username}@127.0.0.1:{proxy.port}").geturl()
    try:
        async with wechat_bot(tmp_path, clock=clock, database_url=url, staffed_hours="00:00-24:00",
                              **settings) as bot:
            await bot.runtime.scheduler.stop()  # the test makes the passes
            yield bot, proxy
    finally:
        await proxy.cut()


async def escalated(bot: WeChatBot, openid: str) -> Conversation:
    """`openid` asked for a person and amy, online, holds the conversation: the greeting is due now."""
    amy = await Agent.create(name="amy", display_name="小美", role="agent", password_hash="-",
                             created_at=bot.clock.now())
    await bot.runtime.services[HANDOFF].set_presence(amy, "online")
    await bot.user(openid).say("转人工")
    held = await Conversation.get(key=f"wechat:{openid}")
    assert held.assignee_id == amy.id and held.first_reply_at is None
    return held


async def sends_arrive(bot: WeChatBot, count: int) -> None:
    """Until WeChat has received `count` sends (a real socket: some turns of the loop and the kernel)."""
    for _ in range(500):
        if bot.wechat.requests.count(("POST", SEND_PATH)) >= count:
            return
        await asyncio.sleep(0.002)
    raise AssertionError("the send never reached WeChat")


async def passes_until_recorded(bot: WeChatBot, held: Conversation) -> None:
    """Scheduler passes, the clock moving by the longest backoff, until the greeting is recorded."""
    for _ in range(10):
        await bot.clock.advance(RETRY_AFTER_S[-1])
        try:
            await bot.runtime.scheduler.run_due()
        except Exception:  # a pass meeting the database still away: the next one tries again
            continue
        if await SlaEvent.filter(conversation_id=held.id, kind="auto_greeting").exists():
            return
    raise AssertionError("the greeting was never recorded")


async def test_a_greeting_sent_just_before_the_database_goes_away_is_not_sent_again(
        tmp_path: Path, clock: Any, migrated_postgres_url: str, store_settings: dict[str, Any]) -> None:
    async with bot_on_a_proxied_postgres(tmp_path, clock, migrated_postgres_url, **store_settings) as (bot, proxy):
        held = await escalated(bot, "o_blip")
        before = len(bot.wechat.texts_to("o_blip"))
        bot.wechat.hold_sends = asyncio.Event()
        first = asyncio.create_task(bot.runtime.scheduler.run_due())
        await sends_arrive(bot, bot.wechat.requests.count(("POST", SEND_PATH)) + 1)
        await proxy.cut()  # the greeting is on its way; recording it will find the database gone
        bot.wechat.hold_sends.set()
        await asyncio.wait_for(asyncio.gather(first, return_exceptions=True), 30)
        greetings = bot.wechat.texts_to("o_blip")[before:]
        assert len(greetings) == 1 and "小美" in greetings[0]  # it reached the customer
        assert not await _recorded_without_the_proxy(migrated_postgres_url, held.id)

        await proxy.start()  # the database is back: the deadline, put back, fires again
        await passes_until_recorded(bot, held)
        assert bot.wechat.texts_to("o_blip")[before:] == greetings  # greeted once, not twice
        await held.refresh_from_db()
        assert held.first_reply_at is not None and held.person_at is not None
        reached = await SlaEvent.get(conversation_id=held.id, kind="person_reached")
        assert reached.detail == "on_behalf"


async def _recorded_without_the_proxy(database_url: str, conversation_id: int) -> bool:
    """Whether the greeting's SLA record reached PostgreSQL (read past the cut proxy)."""
    import asyncpg

    connection = await asyncpg.connect(database_url)
    try:
        return bool(await connection.fetchval(
            "SELECT count(*) FROM sla_event WHERE conversation_id = $1 AND kind = 'auto_greeting'", conversation_id))
    finally:
        await connection.close()


async def test_a_database_gone_before_the_greeting_delays_it_and_it_is_sent_once(
        tmp_path: Path, clock: Any, migrated_postgres_url: str) -> None:
    """The other order: the database fails before anything is sent; the retry greets, once."""
    async with bot_on_a_proxied_postgres(tmp_path, clock, migrated_postgres_url) as (bot, proxy):
        held = await escalated(bot, "o_early")
        before = len(bot.wechat.texts_to("o_early"))
        await proxy.cut()
        await bot.runtime.scheduler.run_due()  # the callback meets the outage: put back
        assert bot.wechat.texts_to("o_early")[before:] == []
        await proxy.start()
        await passes_until_recorded(bot, held)
        greetings = bot.wechat.texts_to("o_early")[before:]
        assert len(greetings) == 1 and "小美" in greetings[0]


async def reminders(bot: WeChatBot, attempts: list[list[str] | None]) -> str:
    """A deadline kind whose callback sends a reminder and fails (a bug: retried after 1 s) unless it was
    sent; the scheduler's ticker stopped. Returns the kind."""
    scheduler, messenger = bot.runtime.scheduler, bot.runtime.messenger
    await scheduler.stop()

    async def remind(openid: str) -> None:
        attempts.append(None)
        attempts[-1] = await messenger.send_text("wechat", openid, "亲，您的问题我们还在跟进")
        if attempts[-1] != ["sent"]:
            raise RuntimeError("reminder not sent")

    scheduler.on("test-remind", remind)
    return "test-remind"


async def test_a_send_that_failed_is_sent_by_the_retry_and_a_later_deadline_sends_afresh(
        tmp_path: Path, clock: Any) -> None:
    """A callback whose send WeChat refused, failing so it is retried: the retry sends it (the failed
    send left no mark). Once the callback succeeded, the same deadline set again sends again."""
    async with wechat_bot(tmp_path, clock=clock) as bot:
        scheduler, attempts = bot.runtime.scheduler, []
        kind = await reminders(bot, attempts)
        bot.wechat.customer_action("o_remind", "text")
        bot.wechat.fail_next("o_remind", -1)  # WeChat busy, once
        await scheduler.at(kind, "o_remind", clock.time())
        await scheduler.run_due()
        await clock.advance(RETRY_AFTER_S[0])
        await scheduler.run_due()
        assert len(attempts) == 2 < MAX_ATTEMPTS and attempts[1] == ["sent"]
        assert bot.wechat.texts_to("o_remind") == ["亲，您的问题我们还在跟进"]

        await scheduler.at(kind, "o_remind", clock.time())  # a later reminder, same text
        await scheduler.run_due()
        assert bot.wechat.texts_to("o_remind") == ["亲，您的问题我们还在跟进"] * 2


async def test_a_mark_whose_claim_went_unanswered_does_not_stop_the_retry_sending(
        tmp_path: Path, clock: Any, redis_url: str) -> None:
    """Redis took the text's claim but its reply was lost (Redis only: the in-process store always
    answers): nothing was sent, so the mark goes and the retry after the outage's backoff sends it."""
    async with bot_on_a_proxied_redis(tmp_path, clock, redis_url) as (bot, proxy):
        scheduler, attempts = bot.runtime.scheduler, []
        kind = await reminders(bot, attempts)
        bot.wechat.customer_action("o_lost", "text")
        await scheduler.at(kind, "o_lost", clock.time())
        lose_the_replies(proxy, claim_of("sent-once:test-remind:o_lost:"))  # the text's, not its generation's
        await scheduler.run_due()
        assert proxy.replies_lost == SENDS_OF_A_COMMAND
        assert attempts == [None] and bot.wechat.texts_to("o_lost") == []
        await clock.advance(RETRY_AFTER_S[0])
        await scheduler.run_due()
        assert attempts == [None, ["sent"]] and bot.wechat.texts_to("o_lost") == ["亲，您的问题我们还在跟进"]


#: How a deadline whose first attempt sent its text, then failed, ended before the same deadline
#: (kind and member: a 留言 offer is named by its conversation only) is set again.
ENDINGS = {
    "its retry had nothing left to send": ["send, then fail", "nothing to send"],
    "its retry after an outage had nothing left to send": ["send, then the database goes", "nothing to send"],
    "dropped after its attempts": ["send, then fail"] * MAX_ATTEMPTS,
    "cancelled between attempts": ["send, then fail"],
}


@pytest.mark.parametrize("ending", ENDINGS)
async def test_a_deadline_ended_after_a_failed_attempt_sent_does_not_keep_the_next_one_from_sending(
        tmp_path: Path, clock: Any, store_settings: dict[str, Any], ending: str) -> None:
    """The first attempt's mark, left behind, made the next deadline report its offer sent and send nothing."""
    async with wechat_bot(tmp_path, clock=clock, **store_settings) as bot:
        scheduler, messenger, steps = bot.runtime.scheduler, bot.runtime.messenger, [*ENDINGS[ending], "send"]
        await scheduler.stop()

        async def offer(openid: str) -> None:
            step = steps.pop(0)
            if step != "nothing to send":
                assert await messenger.send_text("wechat", openid, "亲，现在可以给我们留言") == ["sent"]
            if step == "send, then fail":
                raise RuntimeError("the offer not recorded")
            if step == "send, then the database goes":
                raise ConnectionRefusedError("the offer not recorded")

        scheduler.on("test-offer", offer)
        bot.wechat.customer_action("o_next", "text")
        await scheduler.at("test-offer", "o_next", clock.time())
        for _ in ENDINGS[ending]:
            await scheduler.run_due()
            await clock.advance(RETRY_AFTER_S[-1])
        if ending == "cancelled between attempts":
            await scheduler.cancel("test-offer", "o_next")
        assert steps == ["send"] and bot.wechat.texts_to("o_next") == ["亲，现在可以给我们留言"]

        await clock.advance(600)  # queued again ten minutes later
        await scheduler.at("test-offer", "o_next", clock.time())
        await scheduler.run_due()
        assert steps == [] and bot.wechat.texts_to("o_next") == ["亲，现在可以给我们留言"] * 2


async def test_a_mark_the_store_refuses_does_not_keep_the_reminder_from_being_sent(
        tmp_path: Path, clock: Any, redis_url: str) -> None:
    """Redis answers the claim with an error (out of memory: an error reply, not an outage): the reminder
    goes out unmarked, where the callback failed on every attempt and was dropped, never sent."""
    async with bot_on_a_proxied_redis(tmp_path, clock, redis_url) as (bot, proxy):
        scheduler, attempts = bot.runtime.scheduler, []
        kind = await reminders(bot, attempts)
        bot.wechat.customer_action("o_refused", "text")
        proxy.refuse_requests(resp_command("SET", b"NX", b"GET"),
                              b"OOM command not allowed when used memory > 'maxmemory'.")
        await scheduler.at(kind, "o_refused", clock.time())
        await scheduler.run_due()
        assert attempts == [["sent"]] and bot.wechat.texts_to("o_refused") == ["亲，您的问题我们还在跟进"]


async def test_a_split_send_whose_later_part_failed_sends_that_part_on_the_retry(tmp_path: Path, clock: Any) -> None:
    """Each text is marked: the part that went out is not sent again, the part WeChat refused is, where
    the send's one mark made the retry report both sent and send neither."""
    async with wechat_bot(tmp_path, clock=clock) as bot:
        scheduler, messenger, outcomes = bot.runtime.scheduler, bot.runtime.messenger, []
        await scheduler.stop()

        async def answer(openid: str) -> None:
            outcomes.append(await messenger.send_text("wechat", openid, "您的退款已提交", "预计三个工作日内到账"))
            if outcomes[-1] != ["sent", "sent"]:
                raise RuntimeError("part of the answer not sent")

        scheduler.on("test-answer", answer)
        bot.wechat.customer_action("o_split", "text")
        bot.wechat.fail_next("o_split", 0)  # the first part goes through
        bot.wechat.fail_next("o_split", -1)  # WeChat busy for the second
        await scheduler.at("test-answer", "o_split", clock.time())
        await scheduler.run_due()
        await clock.advance(RETRY_AFTER_S[0])
        await scheduler.run_due()
        assert outcomes[0][0] == "sent" != outcomes[0][1] and outcomes[1:] == [["sent", "sent"]]
        assert bot.wechat.texts_to("o_split") == ["您的退款已提交", "预计三个工作日内到账"]


async def test_a_lost_claim_on_a_mark_an_earlier_attempt_holds_does_not_free_it(
        tmp_path: Path, clock: Any, redis_url: str) -> None:
    """The first attempt sends, then fails; the second's claim meets the first's mark but Redis' answer is
    lost. The second must not release the first's mark, or the third sends the text again."""
    async with bot_on_a_proxied_redis(tmp_path, clock, redis_url) as (bot, proxy):
        scheduler, messenger, steps = bot.runtime.scheduler, bot.runtime.messenger, ["send, then fail", "lost", "ok"]
        await scheduler.stop()

        async def remind(openid: str) -> None:
            step = steps.pop(0)
            if step == "lost":
                lose_the_replies(proxy, claim_of("sent-once:test-remind:o_twice:"))  # the text's claim
            assert await messenger.send_text("wechat", openid, "亲，您的问题我们还在跟进") == ["sent"]
            if step == "send, then fail":
                raise RuntimeError("the reminder not recorded")

        scheduler.on("test-remind", remind)
        bot.wechat.customer_action("o_twice", "text")
        await scheduler.at("test-remind", "o_twice", clock.time())
        for _ in range(3):
            await scheduler.run_due()
            await clock.advance(RETRY_AFTER_S[-1])
        assert proxy.replies_lost == SENDS_OF_A_COMMAND
        assert steps == [] and bot.wechat.texts_to("o_twice") == ["亲，您的问题我们还在跟进"]


@asynccontextmanager
async def bot_reaching_wechat_through_a_proxy(tmp_path: Path, clock: Any,
                                             **settings: Any) -> AsyncIterator[tuple[WeChatBot, TcpProxy]]:
    """The WeChat bot (`settings` its own) calling the fake WeChat through a proxy that can lose a reply
    (`lose_reply_to`)."""
    async with FakeWeChat(clock=clock) as wechat:
        proxy = TcpProxy("127.0.0.1", urlsplit(wechat.url).port or 80)
        await proxy.start()
        try:
            async with wechat_bot(tmp_path, clock=clock, wechat=wechat,
                                  wechat_api_base=f"http://127.0.0.1:{proxy.port}", **settings) as bot:
                yield bot, proxy
        finally:
            await proxy.cut()


@pytest.mark.parametrize(("lost", "first", "before_the_retry"), [
    pytest.param((SEND_PATH.encode(), 1, True), "no_answer", ["亲，您的问题我们还在跟进"], id="the send's"),
    pytest.param((b"/cgi-bin/token", 2, False), "network", [], id="its token's"),  # aiohttp repeats a GET once
])
async def test_a_send_whose_answer_was_lost_is_sent_once_by_the_attempts(
        tmp_path: Path, clock: Any, lost: tuple[bytes, int, bool], first: str, before_the_retry: list[str]) -> None:
    """WeChat took the reminder but its answer never came back whole (the connection dropped after the
    answer's head; a timeout is the same case): the callback failed, and its retry sent the reminder a second time. An
    unanswered send may have been taken (the Official Account's send has no idempotency key), so within
    the deadline it is taken for delivered: the retry does not send it again. But when the answer lost
    was the token's, fetched first, the send never left: its failure read the token's `no_answer`, the
    retry took the reminder for sent, and the customer never received it; it is `network`, and retried."""
    async with bot_reaching_wechat_through_a_proxy(tmp_path, clock) as (bot, proxy):
        scheduler, attempts = bot.runtime.scheduler, []
        kind = await reminders(bot, attempts)
        bot.wechat.customer_action("o_slow", "text")
        proxy.lose_reply_to(*lost[:2], keep_head=lost[2])
        await scheduler.at(kind, "o_slow", clock.time())
        await scheduler.run_due()
        assert proxy.replies_lost == lost[1] and bot.wechat.texts_to("o_slow") == before_the_retry
        assert attempts == [[first]]
        await clock.advance(RETRY_AFTER_S[0])
        await scheduler.run_due()
        assert attempts == [[first], ["sent"]]
        assert bot.wechat.texts_to("o_slow") == ["亲，您的问题我们还在跟进"]


@pytest.mark.parametrize("release", ["released", "release failed"])
async def test_a_text_whose_send_the_store_stopped_after_its_row_is_written_is_sent_and_recorded_once(
        tmp_path: Path, clock: Any, redis_url: str, release: str) -> None:
    """The attempt wrote the reminder's pending row, then Redis' answer to the send budget's read before the
    push was lost (Redis only: the in-process store always answers): the retry sent it and wrote a second
    row, and the first stayed "pending" in the transcript for good. When Redis refused the mark's release
    too (an error reply: it did not run), the retry took the reminder for sent: never sent, its row marked
    sent."""
    async with bot_on_a_proxied_redis(tmp_path, clock, redis_url) as (bot, proxy):
        scheduler, attempts = bot.runtime.scheduler, []
        kind = await reminders(bot, attempts)
        bot.wechat.customer_action("o_row", "text")
        await bot.runtime.channels["wechat"].budget.customer_action("o_row")  # a window: the push reads it
        await scheduler.at(kind, "o_row", clock.time())
        lose_the_replies(proxy, resp_command("GET", b":budget:wechat:o_row"))
        mark, refused = resp_command("EVALSHA", b"sent-once:test-remind:o_row:"), []

        def the_release(request: bytes) -> bool:  # `Store.delete_if_holding` after the read, not the
            if refused or request.endswith(MADE_LASTING) or not mark(request):  # mark made lasting before it
                return False
            refused.append(request)
            return True

        if release == "release failed":
            proxy.refuse_requests(the_release, b"READONLY You can't write against a read only replica.")
        await scheduler.run_due()
        assert proxy.replies_lost == SENDS_OF_A_COMMAND and len(refused) == (release == "release failed")
        assert attempts == [None] and bot.wechat.texts_to("o_row") == []
        await clock.advance(RETRY_AFTER_S[0])
        await scheduler.run_due()
        assert attempts == [None, ["sent"]] and bot.wechat.texts_to("o_row") == ["亲，您的问题我们还在跟进"]
        rows = await Message.filter(direction="out", text="亲，您的问题我们还在跟进").values_list(
            "delivery_status", flat=True)
        assert rows == ["sent"]


async def test_a_send_on_a_connection_wechat_closed_while_idle_reaches_the_customer(
        tmp_path: Path, clock: Any) -> None:
    """The bot keeps its connection to WeChat open between calls; WeChat closes one left idle, and the
    bot's next send goes out on it before it sees the close: the request reaches nobody, the connection
    closes before any byte of an answer. It was `no_answer` (aiohttp repeats no POST), the once-only mark
    kept, and the retry took the reminder for sent: the customer never received it. A connection reused
    and closed before the answer began is a stale one: the send goes again on a fresh connection."""
    async with bot_reaching_wechat_through_a_proxy(tmp_path, clock) as (bot, proxy):
        scheduler, attempts = bot.runtime.scheduler, []
        kind = await reminders(bot, attempts)
        bot.wechat.customer_action("o_idle", "text")
        await scheduler.at(kind, "o_idle", clock.time())
        await scheduler.run_due()  # the token and the first reminder: a connection, kept open
        proxy.close_idle()
        await scheduler.at(kind, "o_idle", clock.time())
        await scheduler.run_due()
        assert proxy.requests_refused == 1 and attempts == [["sent"], ["sent"]]
        assert bot.wechat.texts_to("o_idle") == ["亲，您的问题我们还在跟进"] * 2


@asynccontextmanager
async def bot_on_a_proxied_redis(tmp_path: Path, clock: Any,
                                 redis_url: str) -> AsyncIterator[tuple[WeChatBot, TcpProxy]]:
    """The WeChat bot on Redis reached through a proxy that can answer in its place (`refuse_requests`) or
    go away (`cut_at`: a short pool wait, so the client's reconnection gives up within a second)."""
    parts = urlsplit(redis_url)
    proxy = TcpProxy(parts.hostname or "127.0.0.1", parts.port or 6379)
    await proxy.start()
    try:
        async with wechat_bot(tmp_path, clock=clock, redis_pool_wait_s=0.2,
                              redis_url=parts._replace(netloc=f"127.0.0.1:{proxy.port}").geturl()) as bot:
            yield bot, proxy
    finally:
        await proxy.cut()


#: The end of the script making a text's mark last `ONCE_TTL_S` (bot/outbox.py `_make_lasting`, its TTL in ms
#: last: `Store.extend_if_holding`): a claim (`NX`, `GET`) ends otherwise.
MADE_LASTING = b"$7\r\n%d\r\n" % int(ONCE_TTL_S * 1000)


async def test_a_mark_redis_refuses_to_make_lasting_does_not_keep_the_reminder_from_being_sent(
        tmp_path: Path, clock: Any, redis_url: str) -> None:
    """Redis refuses the write making a claimed mark last (out of memory: an error reply, not an outage):
    the reminder goes out, as when it refuses the claim. It raised out of the send, and the callback,
    failing on each attempt, was dropped after three and its customer never reminded."""
    async with bot_on_a_proxied_redis(tmp_path, clock, redis_url) as (bot, proxy):
        scheduler, attempts = bot.runtime.scheduler, []
        kind = await reminders(bot, attempts)
        bot.wechat.customer_action("o_oom", "text")
        proxy.refuse_requests(lambda request: request.endswith(MADE_LASTING),
                              b"OOM command not allowed when used memory > 'maxmemory'.")
        await scheduler.at(kind, "o_oom", clock.time())
        for wait in (0.0, *RETRY_AFTER_S[:MAX_ATTEMPTS - 1]):
            await clock.advance(wait)
            await scheduler.run_due()
        assert attempts == [["sent"]] and bot.wechat.texts_to("o_oom") == ["亲，您的问题我们还在跟进"]


async def test_redis_gone_as_a_mark_is_made_lasting_delays_the_reminder_and_it_is_sent_once(
        tmp_path: Path, clock: Any, redis_url: str, caplog: pytest.LogCaptureFixture) -> None:
    """Redis goes away just as the write making a claimed mark last is sent (an outage, not a refusal): the
    send fails there, before its request is made, as before (not taken for a refusal and sent unmarked),
    and the reminder waits for the store; back, the retry sends it, once."""
    async with bot_on_a_proxied_redis(tmp_path, clock, redis_url) as (bot, proxy):
        scheduler, attempts = bot.runtime.scheduler, []
        kind = await reminders(bot, attempts)
        bot.wechat.customer_action("o_gone", "text")
        proxy.cut_at(lambda request: request.endswith(MADE_LASTING))
        await scheduler.at(kind, "o_gone", clock.time())
        with pytest.raises(StoreUnavailable):  # held: the store cannot take it back
            await scheduler.run_due()
        assert attempts == [None] and bot.wechat.texts_to("o_gone") == []
        assert "sent anyway" not in caplog.text
        await proxy.start()
        for _ in range(3):  # the put-back, then the retry after the outage's backoff
            await clock.advance(RETRY_AFTER_S[0])
            await scheduler.run_due()
        assert attempts == [None, ["sent"]] and bot.wechat.texts_to("o_gone") == ["亲，您的问题我们还在跟进"]
