"""Staff log in with Argon2-hashed passwords; cookies need CSRF on unsafe requests; tokens and roles."""

from __future__ import annotations

import asyncio
import io

import aiohttp
import pytest
from aiohttp import web

from bot import cli
from bot.clock import FakeClock
from bot.extension import Extension
from bot.web.auth import AGENT, create_agent, issue_api_token, require
from models.agent import Agent
from tests.fakes.bot_app import make_settings


@require("supervisor", "admin")
async def supervisors_only(request: web.Request) -> web.Response:
    return web.json_response({"hello": request[AGENT].name})


GUARDED = Extension("guarded", routes=[web.post("/api/test/guarded", supervisors_only)])


@pytest.fixture
async def bot(tmp_path):
    from handlers import EXTENSIONS

    settings = make_settings(tmp_path)
    from aiohttp.test_utils import TestClient, TestServer

    from bot.app import RUNTIME, build_app

    app = build_app(settings, [*EXTENSIONS, GUARDED], clock=FakeClock())
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    try:
        yield client, app[RUNTIME]
    finally:
        await client.close()


async def test_password_is_stored_as_argon2(bot):
    agent = await create_agent("amy", "agent", "secret-pass-123")
    assert agent.password_hash.startswith("$argon2id$") and "secret-pass-123" not in agent.password_hash


async def test_login_sets_httponly_cookie_and_returns_csrf(bot):
    client, _ = bot
    await create_agent("sam", "supervisor", "secret-pass-123")
    response = await client.post("/api/agent/login", json={"name": "sam", "password": "secret-pass-123"})
    assert response.status == 200
    body = await response.json()
    assert body["agent"]["role"] == "supervisor" and body["csrf_token"]
    cookie = response.cookies["csbot_session"]
    assert cookie["httponly"] and cookie["samesite"] == "Strict"
    me = await client.get("/api/agent/me")
    assert (await me.json())["agent"]["name"] == "sam"


async def test_unsafe_request_with_cookie_needs_the_csrf_token(bot):
    client, _ = bot
    await create_agent("sam", "supervisor", "secret-pass-123")
    login = await client.post("/api/agent/login", json={"name": "sam", "password": "secret-pass-123"})
    csrf = (await login.json())["csrf_token"]
    assert (await client.post("/api/test/guarded")).status == 403
    assert (await client.post("/api/test/guarded", headers={"X-CSRF-Token": "forged"})).status == 403
    ok = await client.post("/api/test/guarded", headers={"X-CSRF-Token": csrf})
    assert ok.status == 200 and (await ok.json()) == {"hello": "sam"}


async def test_wrong_password_is_401_and_repeated_failures_are_delayed(bot):
    client, _ = bot
    await create_agent("amy", "agent", "secret-pass-123")
    for _ in range(5):
        response = await client.post("/api/agent/login", json={"name": "amy", "password": "nope-nope"})
        assert response.status == 401
    assert (await client.post("/api/agent/login", json={"name": "amy", "password": "nope-nope"})).status == 401
    response = await client.post("/api/agent/login", json={"name": "amy", "password": "secret-pass-123"})
    assert response.status == 429
    assert response.headers["Retry-After"] == "2"


async def test_the_owner_is_slowed_down_not_locked_out(bot):
    """Wrong guesses delay the next attempt by a growing amount, capped: after the cap the owner is in."""
    client, runtime = bot
    await create_agent("amy", "agent", "secret-pass-123")
    statuses = [(await client.post("/api/agent/login", json={"name": "amy", "password": "guess-guess"})).status
                for _ in range(20)]
    assert statuses[:6] == [401] * 6 and set(statuses[6:]) <= {401, 429} and 429 in statuses
    await runtime.clock.advance(runtime.settings.login_max_delay_s + 1)
    response = await client.post("/api/agent/login", json={"name": "amy", "password": "secret-pass-123"})
    assert response.status == 200
    assert (await client.post("/api/agent/login", json={"name": "amy", "password": "typo-typo"})).status == 401


async def test_the_owner_at_another_address_is_not_held_up_by_a_guesser(bot):
    client, _ = bot
    await create_agent("amy", "agent", "secret-pass-123")
    for _ in range(10):
        await client.post("/api/agent/login", json={"name": "amy", "password": "guess-guess"})
    assert (await client.post("/api/agent/login", json={"name": "amy", "password": "secret-pass-123"})).status == 429
    connector = aiohttp.TCPConnector(local_addr=("127.0.0.2", 0))
    async with aiohttp.ClientSession(connector=connector) as elsewhere:
        async with elsewhere.post(client.make_url("/api/agent/login"),
                                  json={"name": "amy", "password": "secret-pass-123"}) as response:
            assert response.status == 200


async def test_one_address_trying_many_names_is_delayed(bot):
    client, runtime = bot
    free = runtime.settings.login_free_per_source
    statuses = [(await client.post("/api/agent/login", json={"name": f"user{n}", "password": "x" * 9})).status
                for n in range(free + 3)]
    assert statuses[:free + 1] == [401] * (free + 1)
    assert statuses[free + 1:] == [429, 429]


async def test_concurrent_guesses_are_counted_atomically(tmp_path, redis_url):
    """60 guesses at once against real Redis: only the free ones and one per delay are evaluated."""
    from aiohttp.test_utils import TestClient, TestServer

    from bot.app import build_app
    from handlers import EXTENSIONS

    settings = make_settings(tmp_path, redis_url=redis_url, login_max_delay_s=600)
    client = TestClient(TestServer(build_app(settings, EXTENSIONS), host="127.0.0.1"))
    await client.start_server()
    try:
        await create_agent("amy", "agent", "secret-pass-123")

        async def guess(n: int) -> int:
            response = await client.post("/api/agent/login", json={"name": "amy", "password": f"guess-{n:04d}"})
            return response.status

        statuses = await asyncio.gather(*(guess(n) for n in range(60)))
    finally:
        await client.close()
    evaluated = statuses.count(401)
    assert statuses.count(429) == 60 - evaluated
    assert settings.login_free_attempts + 1 <= evaluated <= settings.login_free_attempts + 3


async def test_unknown_user_and_bad_bodies_are_4xx(bot):
    client, _ = bot
    assert (await client.post("/api/agent/login", json={"name": "ghost", "password": "x" * 9})).status == 401
    assert (await client.post("/api/agent/login", data="not json")).status == 400
    assert (await client.post("/api/agent/login", json={"name": "amy"})).status == 400


async def test_bearer_token_and_roles(bot):
    client, _ = bot
    agent_token = await issue_api_token(await create_agent("amy", "agent", "secret-pass-123"))
    admin_token = await issue_api_token(await create_agent("ada", "admin", "secret-pass-123"))
    assert (await client.post("/api/test/guarded")).status == 401
    assert (await client.post("/api/test/guarded", headers={"Authorization": "Bearer wrong"})).status == 401
    forbidden = await client.post("/api/test/guarded", headers={"Authorization": f"Bearer {agent_token}"})
    assert forbidden.status == 403
    allowed = await client.post("/api/test/guarded", headers={"Authorization": f"Bearer {admin_token}"})
    assert allowed.status == 200
    stored = await Agent.get(name="ada")
    assert admin_token not in (stored.api_token_digest or "")


async def test_logout_ends_the_session(bot):
    client, _ = bot
    await create_agent("sam", "supervisor", "secret-pass-123")
    login = await client.post("/api/agent/login", json={"name": "sam", "password": "secret-pass-123"})
    csrf = (await login.json())["csrf_token"]
    assert (await client.post("/api/agent/logout", headers={"X-CSRF-Token": csrf})).status == 200
    assert (await client.get("/api/agent/me")).status == 401


async def test_openapi_document_lists_staff_paths(bot):
    client, _ = bot
    document = await (await client.get("/api/openapi.json")).json()
    assert document["openapi"].startswith("3.1")
    assert {"/api/agent/login", "/api/agent/me"} <= set(document["paths"])


def test_agents_add_command_creates_an_account(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)  # no developer's .env
    monkeypatch.setenv("DATABASE_URL", f"sqlite://{tmp_path / 'cli.sqlite3'}")
    monkeypatch.delenv("REDIS_URL", raising=False)

    def add(*args: str, password: str) -> tuple[int, str, str]:
        monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
        status = cli.main(["agents", "add", *args, "--password-stdin"])
        out, err = capsys.readouterr()
        return status, out, err

    status, out, err = add("lily", "--role", "supervisor", password="long-password-1")
    assert status == 0, err
    assert "created supervisor lily" in out
    status, _, err = add("lily", "--role", "supervisor", password="long-password-1")
    assert status == 2 and err == "error: an account named 'lily' already exists\n"
    status, _, err = add("kim", password="short")
    assert status == 2 and err == "error: password must have at least 8 characters\n"
    status, _, err = add("mei", "--display-name", "小美", password="long-password-1")
    assert status == 0, err
    assert asyncio.run(_display_name_of("mei", tmp_path)) == "小美"


async def _display_name_of(name: str, tmp_path) -> str | None:
    from bot.db import close_database, open_database

    await open_database(f"sqlite://{tmp_path / 'cli.sqlite3'}")
    try:
        return (await Agent.get(name=name)).display_name
    finally:
        await close_database()
