"""A runtime that fails to open (a bad area setting, an unreachable service) closes what it opened,
so the process exits with the error instead of hanging on connections and tasks."""

from __future__ import annotations

import pytest
from tortoise.context import get_current_context

from bot.clock import FakeClock
from bot.errors import ConfigError
from bot.extension import Extension
from bot.runtime import Runtime
from handlers import EXTENSIONS
from tests.fakes.bot_app import make_settings

STOPPED: list[str] = []


async def refuse(runtime: Runtime) -> None:
    raise ConfigError("invalid setting PROBE_X: must be a number")


async def stop_first(runtime: Runtime) -> None:
    STOPPED.append("first")


async def never_started(runtime: Runtime) -> None:
    STOPPED.append("never started")


async def test_a_failing_startup_closes_the_parts_already_open(tmp_path):
    first = Extension("first", shutdown=stop_first)
    failing = Extension("failing", startup=refuse, shutdown=never_started)
    with pytest.raises(ConfigError, match="PROBE_X"):
        await Runtime.open(make_settings(tmp_path), [*EXTENSIONS, first, failing], clock=FakeClock())
    assert STOPPED == ["first"]  # stopped; the one that failed to start is not asked to stop
    assert get_current_context() is None  # the database connection is closed
    runtime = await Runtime.open(make_settings(tmp_path), EXTENSIONS, clock=FakeClock(), background=False)
    await runtime.close()  # and the next open starts clean
