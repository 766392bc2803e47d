"""Customer data never reaches the logs (docs/architecture.md, "What a log line may carry"): a failure
is logged by its type, our own reason and where our code met it, never by a third-party message that
may quote customer values. Here the database driver's own error carries the customer's openid
(PostgreSQL's unique violation: `Key (channel, external_id)=(wechat, o…) already exists`), raised on a
real WeChat message's path, answered late (a background task's failure) and in time (a traceback)."""

from __future__ import annotations

import asyncio
import gc
import logging

import pytest
from pydantic import TypeAdapter, ValidationError

from bot.clock import FakeClock
from bot.errors import BotError
from bot.logs import describe_failure, install_message_ids, safe_traceback
from bot.router import Router
from bot.scheduler import Scheduler
from bot.server import new_event_loop
from bot.store.memory import MemoryStore
from bot.web.auth import SESSION_COOKIE
from handlers.after_sales.dialogue import RETRY_KIND
from models.customer import Customer
from tests.fakes.bot_app import make_settings, running_bot
from tests.fakes.wechat_user import wechat_bot

pytestmark = pytest.mark.timeout(60)

OPENID = "oPrivacy_13800138000_x7Qz"
PHONE = "13800138000"
ORDER_NO = "TB20261128773015"


def duplicate_customer(entered: asyncio.Event, gate: asyncio.Event | None = None) -> Router:
    """A handler whose write the database refuses with a message quoting the customer's key."""
    router = Router("writes-a-duplicate")

    @router.media("text")
    async def write_duplicate(ctx):
        entered.set()
        if gate is not None:
            await gate.wait()
        await Customer.create(channel="wechat", external_id=ctx.inbound.user_id, created_at=ctx.inbound.received_at)

    return router


def assert_private(caplog: pytest.LogCaptureFixture) -> None:
    """No line names the customer; aiohttp's access log (the test server's, which `serve` turns off:
    bot/server.py) aside."""
    lines = [line for line in caplog.text.splitlines() if "aiohttp.access" not in line]
    assert not [line for line in lines if OPENID in line or PHONE in line], lines


async def test_a_late_answer_failing_on_a_driver_error_logs_its_type_not_the_customers_key(
        tmp_path, caplog, migrated_postgres_url):
    install_message_ids()
    clock, entered, gate = FakeClock(), asyncio.Event(), asyncio.Event()
    async with wechat_bot(tmp_path, clock=clock, routers=[duplicate_customer(entered, gate)],
                          database_url=migrated_postgres_url) as bot:
        user = bot.user(OPENID)
        with caplog.at_level(logging.INFO):
            first = asyncio.create_task(user.send(user.signed(user.text("你好", msg_id=9201))))
            await asyncio.wait_for(entered.wait(), 10)
            await clock.advance(3)  # past the passive budget: WeChat gets `success`
            assert (await first).is_success
            gate.set()
            await bot.runtime.channels["wechat"].settle()
    failures = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert any(getattr(record, "message_id", None) == "9201" and "IntegrityError [table customer, constraint "
               in record.getMessage() for record in failures), [record.getMessage() for record in failures]
    assert_private(caplog)


async def test_a_failure_within_the_request_logs_a_traceback_without_the_customers_key(
        tmp_path, caplog, migrated_postgres_url):
    install_message_ids()
    async with wechat_bot(tmp_path, clock=FakeClock(), routers=[duplicate_customer(asyncio.Event())],
                          database_url=migrated_postgres_url) as bot:
        user = bot.user(OPENID)
        with caplog.at_level(logging.INFO):
            answer = await user.send(user.signed(user.text("你好", msg_id=9202)))
    assert answer.status == 500
    tracebacks = [record for record in caplog.records if record.exc_info]
    assert tracebacks and all("IntegrityError" in (record.exc_text or "") for record in tracebacks), caplog.text
    assert "Traceback (most recent call last)" in caplog.text and "write_duplicate" in caplog.text
    assert_private(caplog)


def test_a_traceback_keeps_frames_types_and_our_reasons_but_no_third_party_message() -> None:
    """The chain of a failure as `log.exception` prints it: a KeyError of a customer's phone and a
    pydantic error quoting its input lose their messages; our own reason (a `BotError`) stays."""
    try:
        try:
            TypeAdapter(int).validate_python(f"{PHONE}x")
        except ValidationError:
            try:
                {}[PHONE]
            except KeyError as missing:
                raise BotError("the customer's order could not be read") from missing
    except BotError as failure:
        text = safe_traceback(failure)
        line = describe_failure(failure)
    assert PHONE not in text and PHONE not in line
    assert "KeyError (at tests/test_log_privacy.py:" in text and "ValidationError (at " in text
    assert "During handling of the above exception" in text and "direct cause" in text
    assert text.rstrip().endswith(line) and line.startswith("BotError: the customer's order could not be read (at ")


async def test_a_failed_deadline_is_logged_by_its_kind_not_its_member(caplog) -> None:
    """Some deadlines' members are conversation keys (an after-sales lookup's retry: `wechat:<openid>`)."""
    install_message_ids()
    clock = FakeClock()
    scheduler = Scheduler(MemoryStore(clock), clock)

    async def retry(member: str) -> None:
        raise LookupError("the order source is down")

    scheduler.on(RETRY_KIND, retry)
    await scheduler.at(RETRY_KIND, f"wechat:{OPENID}", clock.time())
    with caplog.at_level(logging.INFO):
        assert await scheduler.run_due() == 1
    assert RETRY_KIND in caplog.text and "LookupError" in caplog.text, caplog.text
    assert_private(caplog)


async def test_a_503_names_the_route_not_the_order_number_in_its_path(tmp_path, caplog, own_redis) -> None:
    """The store is down: the guard's line names the route's pattern (`/api/orders/{order_no}`), as the
    error middleware's do, not the path a client typed."""
    install_message_ids()
    async with running_bot(make_settings(tmp_path, redis_url=own_redis.url, redis_pool_wait_s=0.3),
                           clock=FakeClock()) as bot:
        own_redis.stop()
        with caplog.at_level(logging.INFO):
            answer = await bot.client.get(f"/api/orders/{ORDER_NO}", cookies={SESSION_COOKIE: "s" * 32})
            assert answer.status == 503, await answer.text()  # the session is looked up in the store
    assert "/api/orders/{order_no} answered 503" in caplog.text, caplog.text
    ours = [line for line in caplog.text.splitlines() if "aiohttp.access" not in line]  # off in `serve`
    assert not [line for line in ours if ORDER_NO in line], ours


def test_a_workers_loop_logs_a_failure_nobody_awaited_without_its_values(caplog) -> None:
    """asyncio's own handler quotes a forgotten task's exception (`exception=KeyError('<phone>')`) and a
    failing callback's arguments; a worker's loop (bot/server.py) logs them by type and place."""
    install_message_ids()

    async def look_up(phone: str) -> None:
        raise KeyError(phone)

    async def forget_a_task_and_fail_a_callback() -> None:
        task = asyncio.get_running_loop().create_task(look_up(PHONE), name="lookup")
        await asyncio.sleep(0)
        del task
        gc.collect()  # its exception, never retrieved, is reported now
        asyncio.get_running_loop().call_soon(int, f"{PHONE}x")
        await asyncio.sleep(0)

    loop = new_event_loop()
    try:
        with caplog.at_level(logging.INFO):
            loop.run_until_complete(forget_a_task_and_fail_a_callback())
    finally:
        loop.close()
    assert "task lookup: KeyError (at tests/test_log_privacy.py:" in caplog.text, caplog.text
    assert "ValueError" in caplog.text and PHONE not in caplog.text, caplog.text
