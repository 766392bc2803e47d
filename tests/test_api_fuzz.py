"""Schema-driven fuzzing of every documented API (`/api/openapi.json`) with schemathesis.

The bot runs as a `serve` worker runs it (the application on a real socket, PostgreSQL, Redis) with the
demo shop's data, and every generated request, anonymous and as an admin (who also carries a web-chat visitor token),
must be answered below 500: malformed input is the caller's fault and gets a 4xx with a JSON error.
Each operation gets a few valid requests (past validation, into the handler: its 403/404/409 paths)
and a few invalid ones (its 400 paths). Three of each reach more distinct (operation, caller, status)
answers than twenty valid ones did (222 against 205, measured on the demo shop), with a third of the
requests and half the generation's CPU: more valid examples mostly repeat a path already taken. The
generation is derandomised, so a failure reproduces.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest

from bot.config import Settings
from bot.web.visitors import TOKEN_HEADER, VisitorTokens
from tests.command_line import cli_status, run_in_own_thread, start_in_own_thread
from tests.databases import drop_database, new_database, url_of
from tests.fakes.bot_app import make_settings, running_bot
from tests.redis_keys import run_key_prefix

#: Examples per operation and mode (× 2 modes × 2 callers × every operation: about 1,000 requests).
EXAMPLES_PER_MODE = 3
WEBCHAT_SECRET = "fuzz-webchat-" + "x" * 20
REFERRAL_SECRET = "fuzz-secret-" + "x" * 20
pytestmark = pytest.mark.timeout(600)


@dataclass
class LiveApi:
    url: str
    admin_token: str


def _admin_token(database_url: str) -> str:
    from tortoise import Tortoise

    from bot.web.auth import create_agent, issue_api_token
    from models.config import tortoise_config

    async def issue() -> str:
        await Tortoise.init(config=tortoise_config(database_url))
        try:
            return await issue_api_token(await create_agent("fuzz-admin", "admin", "fuzz-admin-password"))
        finally:
            await Tortoise.close_connections()

    return asyncio.run(issue())


@contextmanager
def bot_in_its_own_thread(settings: Settings) -> Iterator[str]:
    """The bot (`build_app`, served by aiohttp on a real socket, as a `serve` worker runs it) in a thread
    with its own event loop while the block runs; yields its base URL. The test's requests are blocking
    calls, so the bot cannot share the test's thread."""
    started = threading.Event()
    control: dict[str, object] = {}

    async def serve_until_stopped() -> None:
        stop = asyncio.Event()
        async with running_bot(settings) as running:
            control.update(url=running.url("").rstrip("/"), loop=asyncio.get_running_loop(), stop=stop)
            started.set()
            await stop.wait()

    thread, outcome = start_in_own_thread(lambda: asyncio.run(serve_until_stopped()))
    while not started.wait(0.05):
        if not thread.is_alive():
            outcome()  # raises what stopped the start
            raise AssertionError("the bot stopped before serving")
    try:
        yield str(control["url"])
    finally:
        loop, stop = control["loop"], control["stop"]
        assert isinstance(loop, asyncio.AbstractEventLoop) and isinstance(stop, asyncio.Event)
        loop.call_soon_threadsafe(stop.set)
        thread.join(60)
        outcome()


@pytest.fixture(scope="module")
def live_api(
    postgres_url: str, postgres_schema: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveApi]:
    """The demo shop on a copy of the run's migrated database (migrating is not what this tests), served
    by the bot in this process: what a `serve` worker runs, without two more interpreters importing the
    bot (about 3 s of CPU; `serve` itself is tested in test_serve_supervision.py)."""
    database = asyncio.run(new_database(postgres_url, template=postgres_schema))
    database_url = url_of(postgres_url, database)
    prefix = run_key_prefix()
    uploads = tmp_path_factory.mktemp("uploads")
    env = {
        "DATABASE_URL": database_url, "REDIS_URL": redis_url, "REDIS_KEY_PREFIX": prefix,
        "REFERRAL_SECRET": REFERRAL_SECRET, "WEBCHAT_SECRET": WEBCHAT_SECRET, "AFTER_SALES_UPLOAD_DIR": str(uploads),
    }
    try:
        with pytest.MonkeyPatch.context() as patch:  # `csbot demo-data` in this process (tests/command_line.py)
            patch.chdir(tmp_path_factory.mktemp("demo"))
            for name, value in env.items():
                patch.setenv(name, value)
            assert run_in_own_thread(lambda: cli_status(["demo-data"])) == 0
        token = _admin_token(database_url)
        settings = make_settings(
            tmp_path_factory.mktemp("fuzz"), database_url=database_url, redis_url=redis_url,
            redis_key_prefix=prefix, referral_secret=REFERRAL_SECRET, webchat_secret=WEBCHAT_SECRET,
            after_sales_upload_dir=str(uploads),
        )
        with bot_in_its_own_thread(settings) as url:
            yield LiveApi(url, token)
    finally:
        asyncio.run(drop_database(postgres_url, database))


def test_no_request_gets_a_server_error(live_api: LiveApi) -> None:
    """Each generated request is sent twice: anonymously, then as an admin; every 5xx is collected."""
    # imported here, not at the top: every xdist worker collects this module, one runs the test, and
    # schemathesis with hypothesis takes seconds of CPU to import (pyproject.toml also keeps
    # schemathesis' pytest plugin off)
    import requests
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from hypothesis.errors import Unsatisfiable
    from schemathesis.generation.modes import GenerationMode

    schema = schemathesis.openapi.from_url(f"{live_api.url}/api/openapi.json")
    visitor = VisitorTokens(WEBCHAT_SECRET.encode()).issue("fuzz-visitor")
    # the admin's requests carry a visitor token too, so the web chat's bodies are fuzzed past its guard
    callers = {"anonymous": {}, "admin": {"Authorization": f"Bearer {live_api.admin_token}", TOKEN_HEADER: visitor}}
    server_errors: dict[str, str] = {}  # "who METHOD /route status" -> one way to reproduce it
    sent = 0
    # One kept-alive connection for every request instead of a new session (a connect, a close and a
    # read of the proxy variables) per request, which was a third of the client's time.
    session = requests.Session()
    session.trust_env = False
    operations = [result.ok() for result in schema.get_all_operations()]
    no_invalid_request: list[str] = []  # operations whose every request is valid (no parameter, no body)
    for operation, mode in itertools.product(operations, GenerationMode):

        @settings(max_examples=EXAMPLES_PER_MODE, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy(mode))
        def send(case: schemathesis.Case) -> None:
            nonlocal sent
            for who, headers in callers.items():
                session.cookies.clear()  # each caller is only who its headers say
                response = case.call(session=session, headers=headers, timeout=30)
                sent += 1
                if response.status_code >= 500:
                    where = f"{who} {case.method} {case.operation.path} {response.status_code}"
                    server_errors.setdefault(where, f"{response.text[:200]!r}; {case.as_curl_command(headers)}")

        try:
            send()
        except Unsatisfiable:
            assert mode is GenerationMode.NEGATIVE, f"no valid request for {operation.label}"
            no_invalid_request.append(operation.label)
    session.close()
    assert sent >= len(callers) * (2 * len(operations) - len(no_invalid_request))  # every operation, each mode
    assert len(no_invalid_request) < len(operations) / 10, no_invalid_request  # the modes were really both used
    assert not server_errors, "\n".join(f"{where}: {example[:600]}" for where, example in server_errors.items())
