"""Redis older than 7.0 refuses `SET ... NX GET`, which every claim sends: start-up says so in one
line instead of the bot answering every message with a server error."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.errors import ConfigError
from bot.runtime import Runtime
from bot.store.redis import require_redis_version
from handlers import EXTENSIONS
from tests.fakes.bot_app import make_settings


def info_server(version_line: str) -> str:
    return f"# Server\r\n{version_line}\r\nredis_git_sha1:00000000\r\nredis_mode:standalone\r\nos:Linux\r\n"


@pytest.mark.parametrize("version", ["7.0.0", "7.0.15", "7.2.4", "8.0.1", "10.1.0"])
def test_redis_7_or_newer_is_accepted(version: str) -> None:
    require_redis_version(info_server(f"redis_version:{version}"))


@pytest.mark.parametrize("version", ["6.2.14", "6.0.20", "5.0.7", "2.8.24"])
def test_redis_older_than_7_is_refused_naming_its_version(version: str) -> None:
    with pytest.raises(ConfigError, match=rf"REDIS_URL: Redis {version} is too old; .*7\.0 or newer"):
        require_redis_version(info_server(f"redis_version:{version}"))


@pytest.mark.parametrize("line", ["", "redis_version:", "redis_version:unknown", "redis_version:7"])
def test_a_server_that_does_not_say_its_version_is_refused(line: str) -> None:
    with pytest.raises(ConfigError, match="does not say its Redis version"):
        require_redis_version(info_server(line))


async def test_the_bot_starts_on_the_test_runs_redis(tmp_path: Path, redis_url: str) -> None:
    runtime = await Runtime.open(make_settings(tmp_path, redis_url=redis_url), EXTENSIONS, clock=FakeClock(),
                                 background=False)
    await runtime.close()
