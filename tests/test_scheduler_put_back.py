"""One held deadline the store refuses to take back (not an outage: a command it rejects) must not
stop the worker's scheduler: the others still fire, and the refused one is retried, then dropped,
as a failing callback is, logged by its kind only. The store is Redis on 127.0.0.1, reached through a
proxy that has Redis answer the put-back with an error (tests/tcp_proxy.py)."""

from __future__ import annotations

import logging

import pytest

from bot.clock import FakeClock
from bot.scheduler import MAX_ATTEMPTS, Scheduler
from bot.store.redis import RedisStore
from tests.tcp_proxy import TcpProxy, resp_command
from tests.test_scheduler_outages import proxied_store

__all__ = ["proxied_store"]  # the fixture: Redis behind a proxy

REFUSED = "wechat:o6_bmjrPTlm6_2sgVt7hMZOPfL2M"  # a conversation key holds an openid: never in a log line


def refuse_to_take_back(proxy: TcpProxy, member: str) -> list[bytes]:
    """Redis rejects putting `member` back (an error reply, not failing to answer: a key of the wrong
    type); returns the list of refusals made."""
    putting_back, refusals = resp_command("EVALSHA", b":scheduled:", member.encode()), []

    def refused(request: bytes) -> bool:
        refusals.extend([request] if putting_back(request) else [])
        return putting_back(request)

    proxy.refuse_requests(refused, b"WRONGTYPE Operation against a key holding the wrong kind of value")
    return refusals


async def test_a_held_entry_the_store_refuses_does_not_stop_the_others(
        proxied_store: tuple[RedisStore, TcpProxy], clock: FakeClock, caplog: pytest.LogCaptureFixture) -> None:
    store, proxy = proxied_store
    scheduler, fired = Scheduler(store, clock), []

    async def greet(member: str) -> None:
        fired.append(member)
        if member == REFUSED:
            raise RuntimeError("no such conversation")  # a bug: retried, so held to be put back

    scheduler.on("greet", greet)
    refusals = refuse_to_take_back(proxy, REFUSED)
    await scheduler.at("greet", REFUSED, clock.time())
    with caplog.at_level(logging.INFO, "csbot.scheduler"):
        await scheduler.run_due()  # the callback fails, putting it back is refused: the pass still ends
        for n in range(4):  # passes as the ticker makes them (it made none once a put-back was refused)
            await scheduler.at("greet", f"webchat:c{n}", clock.time())
            await clock.advance(scheduler.tick)
            assert await scheduler.run_due() == 1
    assert sorted(fired) == sorted([REFUSED, *(f"webchat:c{n}" for n in range(4))])  # each once: nothing stalled
    assert len(refusals) == MAX_ATTEMPTS - 1  # the callback's failure, then each refusal: an attempt
    assert "deadline of greet not put back (ResponseError" in caplog.text
    assert f"deadline of greet dropped after {MAX_ATTEMPTS} failed attempts" in caplog.text
    assert "o6_bmjr" not in caplog.text and "WRONGTYPE" not in caplog.text
