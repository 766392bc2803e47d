"""One held deadline the store refuses to take back (not an outage: a command it rejects) must not
stop the worker's scheduler: the others still fire, and the refused one is retried, then dropped,
as a failing callback is, logged by its kind only. The stores are the real ones (in-process and
Redis on 127.0.0.1); the refusal is made on the store object, as tests/store_faults.py makes the
faults a real server cannot be asked for on cue."""

from __future__ import annotations

import logging

import pytest
from redis.exceptions import ResponseError

from bot.clock import FakeClock
from bot.scheduler import MAX_ATTEMPTS, Scheduler
from bot.store.base import Store
from tests.test_scheduler_outages import store

__all__ = ["store"]  # the fixture: the in-process store and Redis

REFUSED = "wechat:o6_bmjrPTlm6_2sgVt7hMZOPfL2M"  # a conversation key holds an openid: never in a log line


def refuse_to_take_back(monkeypatch: pytest.MonkeyPatch, store: Store, member: str) -> list[str]:
    """The store rejects putting `member` back (Redis answering an error, not failing to answer; a taken
    deadline goes back with its lease removed, `Store.schedule_if_leased`); returns the list of refusals made."""
    schedule_if_leased, refusals = store.schedule_if_leased, []

    async def refusing(kind: str, scheduled: str, due_at: float, leases: str, lease: str) -> bool | None:
        if scheduled == member:
            refusals.append(kind)
            raise ResponseError("WRONGTYPE Operation against a key holding the wrong kind of value")
        return await schedule_if_leased(kind, scheduled, due_at, leases, lease)

    monkeypatch.setattr(store, "schedule_if_leased", refusing)
    return refusals


async def test_a_held_entry_the_store_refuses_does_not_stop_the_others(
        store: Store, clock: FakeClock, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    scheduler, fired = Scheduler(store, clock), []

    async def greet(member: str) -> None:
        fired.append(member)
        if member == REFUSED:
            raise RuntimeError("no such conversation")  # a bug: retried, so held to be put back

    scheduler.on("greet", greet)
    refusals = refuse_to_take_back(monkeypatch, store, REFUSED)
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
