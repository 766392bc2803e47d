"""Start the real bot application on a real socket for a test, with its own SQLite file and settings."""

from __future__ import annotations

import asyncio
import functools
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient, TestServer
from pydantic_settings import BaseSettings

from bot.app import RUNTIME, build_app
from bot.area_settings import AreaSettings
from bot.channels.base import Channel
from bot.clock import Clock
from bot.config import Settings
from bot.db import prepare_database
from bot.router import Router
from bot.runtime import Runtime
from bot.web.guards import server_options
from handlers import EXTENSIONS
from handlers.referral.settings import ReferralSettings
from tests.command_line import run_in_own_thread
from tests.redis_keys import run_key_prefix
from tests.run_shared import made_once, run_directory


@functools.cache
def sqlite_schema() -> Path:
    """An SQLite file holding the whole schema, made once per run by the first xdist worker that
    needs it (tests/run_shared.py), by `prepare_database` in a thread of its own (its ORM context is
    the thread's, and a test's loop may be running: tests/command_line.py), so each test's database
    starts as a copy instead of creating every table again (a tenth of a second per bot). The runtime still applies
    the schema on start; on a copy it finds every table already there."""
    schema = run_directory() / "schema.sqlite3"

    def make() -> None:
        schema.unlink(missing_ok=True)  # what a failed attempt of this run left
        run_in_own_thread(lambda: asyncio.run(prepare_database(f"sqlite://{schema}")))

    made_once("sqlite-schema", make)
    return schema


SettingsT = TypeVar("SettingsT", bound=BaseSettings)


@functools.cache
def _reading_given_values_only(cls: type[SettingsT]) -> type[SettingsT]:
    class GivenValuesOnly(cls):  # type: ignore[valid-type,misc]
        @classmethod
        def settings_customise_sources(cls, settings_cls, init_settings, **environment_sources):
            return (init_settings,)

    return GivenValuesOnly


def given_settings(cls: type[SettingsT], **values: Any) -> SettingsT:
    """Settings of class `cls` from `values` and its defaults, validated as `cls(**values)` would, but
    reading neither the environment nor `.env`: a test's bot never depends on the developer's
    variables, and pydantic-settings' environment sources (about 4 ms for the core `Settings`) are
    not paid again for every bot of the run."""
    validated = _reading_given_values_only(cls)(**values)
    return cls.model_construct(_fields_set=validated.model_fields_set, **dict(validated))


def make_settings(tmp_path: Path, **overrides: Any) -> Settings:
    """Settings isolated from the developer's environment and `.env` (`given_settings`).

    The default SQLite file starts as a copy of the run's schema (`sqlite_schema`) unless it exists
    already (a restart), so the bot opens it as `serve` opens its workers: without applying the
    schema again (`migrate_on_start=False`, unless the test says otherwise)."""
    database = tmp_path / "bot.sqlite3"
    if "database_url" not in overrides and not database.exists():
        tmp_path.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(sqlite_schema(), database)
    values: dict[str, Any] = {
        "database_url": f"sqlite://{database}",
        "migrate_on_start": "database_url" in overrides,
        "redis_url": None,
        "redis_key_prefix": run_key_prefix(),  # tests sharing one Redis never meet
        "redis_reconnect_backoff_s": 0,  # a Redis a test cut away is reconnected at once: no real seconds waited
    }
    core, areas = split_by_area(overrides)
    values.update(core)
    if str(values["database_url"]).startswith("postgres"):  # secrets are required there (no file beside a DB)
        values.setdefault("webchat_secret", "test-webchat-secret-0123456789")
        areas.setdefault(ReferralSettings, {}).setdefault("secret", "test-referral-secret-0123456789")
    # every area's settings made here, like the core's, from the given values only
    every_area = {cls: areas.get(cls, {}) for extension in EXTENSIONS for cls in extension.settings}
    return given_settings(Settings, **values).with_areas(*(given_settings(cls, **given)
                                                           for cls, given in every_area.items()))


def split_by_area(overrides: dict[str, Any]) -> tuple[dict[str, Any], dict[type[AreaSettings], dict[str, Any]]]:
    """Core settings, and each area's (bot/area_settings.py), from keywords named like their variables:
    `erp_url` is `ErpSettings.url` (ERP_URL). A name that is no setting is an error, not ignored."""
    core: dict[str, Any] = {}
    areas: dict[type[AreaSettings], dict[str, Any]] = {}
    classes = [cls for extension in EXTENSIONS for cls in extension.settings]
    for name, value in overrides.items():
        if name in Settings.model_fields:
            core[name] = value
            continue
        for cls in classes:
            prefix = str(cls.model_config.get("env_prefix", "")).lower()
            if prefix and name.startswith(prefix) and name[len(prefix):] in cls.model_fields:
                areas.setdefault(cls, {})[name[len(prefix):]] = value
                break
        else:
            raise TypeError(f"make_settings: {name} is not a setting")
    return core, areas


def visitor_headers(runtime: Runtime, user_id: str) -> dict[str, str]:
    """The header a web-chat page sends for visitor `user_id`: a token signed with the bot's own
    secret, exactly as `POST /api/webchat/visitor` would issue it (tests pick readable visitor ids)."""
    from bot.channels.webchat import WebChatChannel
    from bot.web.visitors import TOKEN_HEADER

    channel = runtime.channels["webchat"]
    assert isinstance(channel, WebChatChannel) and channel.tokens is not None
    return {TOKEN_HEADER: channel.tokens.issue(user_id)}


@dataclass
class RunningBot:
    server: TestServer
    client: TestClient
    runtime: Runtime

    def url(self, path: str) -> str:
        return str(self.server.make_url(path))

    async def post_chat(self, body: dict[str, Any]) -> ClientResponse:
        """POST a web-chat message as the page of visitor `body["user_id"]` does (with its token)."""
        return await self.client.post("/api/webchat/messages", json=body,
                                      headers=visitor_headers(self.runtime, body["user_id"]))

    def page_url(self, user_id: str) -> str:
        """The WebSocket path the chat page of visitor `user_id` opens."""
        return f"/ws/webchat?token={visitor_headers(self.runtime, user_id)['X-Visitor-Token']}"


@asynccontextmanager
async def running_bot(
    settings: Settings, *, clock: Clock | None = None, channels: list[Channel] | None = None,
    first: tuple[Router, ...] = (),
) -> AsyncIterator[RunningBot]:
    """`first`: a test's own handlers, routed before the areas'."""
    app = build_app(settings, (*first, *EXTENSIONS), clock=clock, channels=channels)
    server = TestServer(app, host="127.0.0.1")
    client = TestClient(server)
    try:
        await server.start_server(**server_options(settings))  # the client then uses it as it is
        await client.start_server()
        yield RunningBot(server, client, app[RUNTIME])
    finally:
        await client.close()


async def eventually(check: Callable[[], Awaitable[bool]], what: str, seconds: float = 10.0) -> None:
    """Yield to the loop (real I/O included) until `check()` holds; fail after `seconds`."""
    for _ in range(int(seconds / 0.01)):
        if await check():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"timed out waiting for {what}")
