"""Schema-driven fuzzing of every documented API (`/api/openapi.json`) with schemathesis.

The server runs as production does (`main.py serve`, PostgreSQL, Redis) with the demo shop's data,
and every generated request, anonymous and as an admin (who also carries a web-chat visitor token),
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
import os
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.web.visitors import TOKEN_HEADER, VisitorTokens
from tests.command_line import cli_status, run_in_own_thread
from tests.databases import drop_database, new_database, url_of
from tests.test_serve_supervision import free_port

ROOT = Path(__file__).resolve().parent.parent
#: Examples per operation and mode (× 2 modes × 2 callers × every operation: about 1,000 requests).
EXAMPLES_PER_MODE = 3
WEBCHAT_SECRET = "fuzz-webchat-" + "x" * 20
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


@pytest.fixture(scope="module")
def live_api(
    postgres_url: str, postgres_schema: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveApi]:
    # a copy of the run's migrated database: migrating is not what this tests (about a second less)
    database = asyncio.run(new_database(postgres_url, template=postgres_schema))
    database_url = url_of(postgres_url, database)
    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", ""), "DATABASE_URL": database_url, "REDIS_URL": redis_url,
        "REDIS_KEY_PREFIX": f"csbot-test-{uuid.uuid4().hex[:10]}", "BOT_PORT": str(port),
        "REFERRAL_SECRET": "fuzz-secret-" + "x" * 20, "WEBCHAT_SECRET": WEBCHAT_SECRET,
        "SERVE_SHUTDOWN_GRACE_S": "5",
        "AFTER_SALES_UPLOAD_DIR": str(tmp_path_factory.mktemp("uploads")),
    }
    with pytest.MonkeyPatch.context() as patch:  # `csbot demo-data` in this process (tests/command_line.py)
        patch.chdir(tmp_path_factory.mktemp("demo"))
        for name, value in env.items():
            patch.setenv(name, value)
        assert run_in_own_thread(lambda: cli_status(["demo-data"])) == 0
    token = _admin_token(database_url)
    log_path = tmp_path_factory.mktemp("fuzz") / "serve.log"
    with log_path.open("wb") as log_file:
        server = subprocess.Popen([sys.executable, "main.py", "serve"], cwd=ROOT, env=env, stdout=log_file,
                                  stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=2):
                    break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, log_path.read_text()
                time.sleep(0.2)
        yield LiveApi(url, token)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(60)
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
