"""A staff member's sessions, end to end over real HTTP and WebSockets (FakeClock, no real sleeps):
the last session ending sets them offline as going offline does, a logout closes that browser's
consoles, a second browser keeps them online; the login throttle slows a guesser rotating addresses
without keeping the owner out, and an unknown name costs the same work; a password is changed by its
owner (other sessions end) or reset from the command line (every session ends); the console's socket
refuses another site's page."""

from __future__ import annotations

import time

import aiohttp
import pytest
from argon2 import PasswordHasher

from bot.clock import FakeClock
from bot.web import auth
from bot.web.auth import create_agent, issue_api_token
from bot.web.sessions import SESSION_COOKIE, StaffSessions
from models.agent import Agent
from models.conversation import Conversation
from tests.fakes.bot_app import RunningBot, make_settings, running_bot, visitor_headers

PASSWORD = "secret-pass-123"


@pytest.fixture
def backends(request) -> dict[str, str]:
    """SQLite and the in-process store; "production" as the parameter: PostgreSQL and Redis."""
    if getattr(request, "param", "sqlite") == "production":
        return {"database_url": request.getfixturevalue("migrated_postgres_url"),
                "redis_url": request.getfixturevalue("redis_url")}
    return {}


@pytest.fixture
async def bot(tmp_path, backends) -> RunningBot:
    settings = make_settings(tmp_path, staffed_hours="00:00-24:00", **backends)
    async with running_bot(settings, clock=FakeClock()) as running:
        yield running


@pytest.fixture
async def guarded_bot(tmp_path) -> RunningBot:
    """Few free attempts, so that a test reaches the gates in a few tries."""
    settings = make_settings(tmp_path, login_free_attempts=3, login_free_per_account=4, login_free_per_source=30)
    async with running_bot(settings, clock=FakeClock()) as running:
        yield running


class Browser:
    """One browser of a staff member: its own cookie jar, its CSRF token, its consoles; `source` is the
    address its connections come from (127.0.0.0/8 is all loopback)."""

    def __init__(self, bot: RunningBot, source: str = "127.0.0.1") -> None:
        self.bot = bot
        self.session = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True),
                                             connector=aiohttp.TCPConnector(local_addr=(source, 0)))
        self.csrf = ""

    async def login(self, name: str, password: str = PASSWORD) -> int:
        async with self.session.post(self.bot.url("/api/agent/login"), json={"name": name, "password": password}) as r:
            if r.status == 200:
                self.csrf = (await r.json())["csrf_token"]
            return r.status

    async def post(self, path: str, body: dict | None = None) -> tuple[int, dict]:
        async with self.session.post(self.bot.url(path), json=body or {}, headers={"X-CSRF-Token": self.csrf}) as r:
            return r.status, await r.json() if r.content_type == "application/json" else {}

    async def me(self) -> int:
        async with self.session.get(self.bot.url("/api/agent/me")) as r:
            return r.status

    async def console(self, **headers: str) -> aiohttp.ClientWebSocketResponse:
        return await self.session.ws_connect(self.bot.url("/ws/agent"), headers=headers)

    async def close(self) -> None:
        await self.session.close()


async def say(bot: RunningBot, user: str, text: str) -> None:
    response = await bot.client.post("/api/webchat/messages", json={"user_id": user, "text": text},
                                     headers=visitor_headers(bot.runtime, user))
    assert response.status == 200, await response.text()


async def conversation(user: str) -> Conversation:
    return await Conversation.get(key=f"webchat:{user}")


async def ended(console: aiohttp.ClientWebSocketResponse) -> bool:
    """The console is told its session ended (after the events before it) and is closed (4401)."""
    while (message := await console.receive(timeout=5)).type == aiohttp.WSMsgType.TEXT:
        if message.json() == {"type": "session.ended"}:
            last = await console.receive(timeout=5)
            return last.type == aiohttp.WSMsgType.CLOSE and console.closed and console.close_code == 4401
    return False


async def bearer(name: str, role: str = "agent") -> dict[str, str]:
    agent = await create_agent(name, role, PASSWORD)
    return {"Authorization": f"Bearer {await issue_api_token(agent)}"}


# --- the last session ending ---


@pytest.mark.parametrize("backends", ["sqlite", "production"], indirect=True)
async def test_logging_out_of_the_last_session_goes_offline_and_hands_the_customers_on(bot):
    await create_agent("amy", "agent", PASSWORD)
    bob = await bearer("bob")
    amy = Browser(bot)
    try:
        assert await amy.login("amy") == 200
        assert (await amy.post("/api/agent/presence", {"presence": "online"}))[0] == 200
        console = await amy.console()
        await say(bot, "c1", "转人工")
        amy_id = (await Agent.get(name="amy")).id
        assert (await conversation("c1")).assignee_id == amy_id
        assert (await amy.post("/api/agent/logout"))[0] == 200
        assert await ended(console)  # the logged-out console stops hearing customers at once
        assert (await Agent.get(id=amy_id)).presence == "offline"
        held = await conversation("c1")
        assert held.status == "queued" and held.assignee_id is None  # handed on, nobody else online yet
        assert (await bot.client.post("/api/agent/presence", json={"presence": "online"}, headers=bob)).status == 200
        await say(bot, "c2", "转人工")
        bob_id = (await Agent.get(name="bob")).id
        assert (await conversation("c1")).assignee_id == bob_id
        assert (await conversation("c2")).assignee_id in (None, bob_id)  # never the logged-out amy
        # bob going offline does not hand his customers to the logged-out amy
        assert (await bot.client.post("/api/agent/presence", json={"presence": "offline"}, headers=bob)).status == 200
        assert {(await conversation(u)).assignee_id for u in ("c1", "c2")} == {None}
    finally:
        await amy.close()


@pytest.mark.parametrize("backends", ["sqlite", "production"], indirect=True)
async def test_a_second_browser_keeps_the_member_online_until_it_logs_out_too(bot):
    await create_agent("amy", "agent", PASSWORD)
    office, laptop = Browser(bot), Browser(bot, "127.0.0.2")
    try:
        assert await office.login("amy") == 200 and await laptop.login("amy") == 200
        assert (await office.post("/api/agent/presence", {"presence": "online"}))[0] == 200
        office_console, laptop_console = await office.console(), await laptop.console()
        assert (await office.post("/api/agent/logout"))[0] == 200
        assert await ended(office_console)
        assert (await Agent.get(name="amy")).presence == "online"  # the laptop still answers
        await say(bot, "c1", "转人工")
        held = await conversation("c1")
        assert held.assignee_id == (await Agent.get(name="amy")).id
        event = await laptop_console.receive_json(timeout=5)  # the other browser's console still hears
        assert event["type"] != "session.ended" and not laptop_console.closed
        assert await laptop.me() == 200 and await office.me() == 401
        assert (await laptop.post("/api/agent/logout"))[0] == 200
        assert (await Agent.get(name="amy")).presence == "offline"
        assert (await conversation("c1")).status == "queued"
    finally:
        await office.close()
        await laptop.close()


async def test_an_admins_revoke_sets_the_member_offline_and_closes_every_console(bot):
    await create_agent("amy", "agent", PASSWORD)
    root = await bearer("root", "admin")
    one, two = Browser(bot), Browser(bot, "127.0.0.2")
    try:
        assert await one.login("amy") == 200 and await two.login("amy") == 200
        assert (await one.post("/api/agent/presence", {"presence": "online"}))[0] == 200
        consoles = [await one.console(), await two.console()]
        await say(bot, "c1", "转人工")
        assert (await bot.client.post("/api/staff/amy/revoke-sessions", headers=root)).status == 204
        assert [await ended(console) for console in consoles] == [True, True]
        assert (await Agent.get(name="amy")).presence == "offline"
        assert (await conversation("c1")).status == "queued"
    finally:
        await one.close()
        await two.close()


# --- the login throttle and unknown names ---


async def test_a_guesser_rotating_addresses_slows_strangers_but_not_the_owner_at_their_usual_place(guarded_bot):
    bot = guarded_bot
    await create_agent("amy", "agent", PASSWORD)
    owner = Browser(bot)
    try:
        assert await owner.login("amy") == 200  # amy's usual place
        statuses = []
        for n in range(12):  # each guess from an address of its own
            guesser = Browser(bot, f"127.0.1.{n + 1}")
            statuses.append(await guesser.login("amy", f"guess-{n:04d}"))
            await guesser.close()
        assert statuses[:4] == [401] * 4 and 429 in statuses[4:]  # the account-wide gate is shut for strangers
        stranger = Browser(bot, "127.0.2.1")
        assert await stranger.login("amy") == 429  # even with the right password: it cannot tell who it is
        await stranger.close()
        assert await owner.login("amy") == 200  # the owner from where they logged in before gets in
        assert await owner.login("amy", "typo-typo") == 401
    finally:
        await owner.close()


async def test_an_unknown_name_costs_the_same_password_work_as_a_real_one(bot, monkeypatch):
    """Measured as this process's CPU time (the server runs here; Argon2 in its threads), not wall time,
    with Argon2 costly enough to stand out from the request's own work (the suite's is nearly free)."""
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=2, memory_cost=32768, parallelism=1))
    await create_agent("amy", "agent", PASSWORD)
    sources = (f"127.0.3.{n}" for n in range(1, 255))

    async def cpu_of(name: str) -> float:  # 3 attempts, each from an address of its own, none throttled
        started = time.process_time()
        for _ in range(3):
            browser = Browser(bot, next(sources))
            assert await browser.login(name, "wrong-password") == 401
            await browser.close()
        return time.process_time() - started

    await cpu_of("nobody")  # the stand-in hash is made once per process
    real, unknown = await cpu_of("amy"), await cpu_of("nobody")
    assert unknown > 0.6 * real, (real, unknown)


# --- changing and resetting a password ---


async def test_the_owner_changes_their_password_and_every_other_session_ends(bot):
    await create_agent("amy", "agent", PASSWORD)
    here, there = Browser(bot), Browser(bot, "127.0.0.2")
    try:
        assert await here.login("amy") == 200 and await there.login("amy") == 200
        assert (await here.post("/api/agent/presence", {"presence": "online"}))[0] == 200
        there_console = await there.console()
        status, body = await here.post("/api/agent/password", {"current_password": "not-mine-1", "new_password":
                                                                 "brand-new-pass-1"})
        assert status == 403 and body["error"]["code"] == "wrong_password"
        status, body = await here.post("/api/agent/password", {"current_password": PASSWORD, "new_password": "short"})
        assert status == 400 and body["error"]["code"] == "weak_password"
        status, _ = await here.post("/api/agent/password", {"current_password": PASSWORD,
                                                             "new_password": "brand-new-pass-1"})
        assert status == 200
        assert await ended(there_console) and await there.me() == 401
        assert await here.me() == 200  # this session goes on, with its CSRF token
        assert (await here.post("/api/agent/presence", {"presence": "away"}))[0] == 200
        assert await there.login("amy") == 401 and await there.login("amy", "brand-new-pass-1") == 200
    finally:
        await here.close()
        await there.close()


async def test_an_operator_resets_a_password_from_the_command_line(tmp_path, redis_url, csbot):
    settings = make_settings(tmp_path, redis_url=redis_url, staffed_hours="00:00-24:00")
    env = {"DATABASE_URL": settings.database_url, "REDIS_URL": redis_url,
           "REDIS_KEY_PREFIX": settings.redis_key_prefix}
    async with running_bot(settings, clock=FakeClock()) as bot:
        await create_agent("amy", "agent", PASSWORD)
        amy = Browser(bot)
        try:
            assert await amy.login("amy") == 200
            assert (await amy.post("/api/agent/presence", {"presence": "online"}))[0] == 200
            console = await amy.console()
            refused = await csbot.run_async("agents", "password", "amy", "--password-stdin", env=env,
                                            stdin="short\n")
            assert refused.returncode == 2 and "at least 8 characters" in refused.stderr
            unknown = await csbot.run_async("agents", "password", "nobody", "--password-stdin", env=env,
                                            stdin="brand-new-pass-1\n")
            assert unknown.returncode == 2
            reset = await csbot.run_async("agents", "password", "amy", "--password-stdin", env=env,
                                          stdin="brand-new-pass-1\n")
            assert reset.returncode == 0, reset.stderr
            assert "brand-new-pass-1" not in reset.stdout + reset.stderr
            assert await ended(console) and await amy.me() == 401  # through the shared Redis
            assert (await Agent.get(name="amy")).presence == "offline"
            assert await amy.login("amy") == 401 and await amy.login("amy", "brand-new-pass-1") == 200
        finally:
            await amy.close()


# --- the console's socket and other sites ---


async def test_the_console_socket_refuses_another_sites_page(bot):
    await create_agent("amy", "agent", PASSWORD)
    amy = Browser(bot)
    try:
        assert await amy.login("amy") == 200
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await amy.console(Origin="https://evil.example")
        assert refused.value.status == 403
        own = await amy.console(Origin=bot.url("/").rstrip("/"))
        assert not own.closed
        await own.close()
        public = await amy.console(Origin=bot.runtime.settings.public_base_url.rstrip("/"))
        assert not public.closed
        await public.close()
    finally:
        await amy.close()


async def test_a_revoke_that_lands_during_a_password_change_is_not_undone_by_its_carry_over(bot):
    """review48: the password change read its member before a revoke raised the epoch, then carried its own
    session over at epoch + 1 from that stale read: the same epoch the revoke had set, so the revoked
    session lived on. The change now raises the epoch in the database and carries over only a session
    still valid at that moment."""
    await create_agent("amy", "agent", PASSWORD)
    browser = Browser(bot)
    try:
        assert await browser.login("amy") == 200
        session_id = next(c.value for c in browser.session.cookie_jar if c.key == SESSION_COOKIE)
        stale = await Agent.get(name="amy")  # what the password change's request had read
        epoch = stale.session_epoch
        sessions = StaffSessions(bot.runtime.services, bot.runtime.extensions)
        await sessions.end_every(await Agent.get(name="amy"))  # the admin's revoke comes first
        await sessions.end_others(stale, keep=session_id)  # then the change carries its session over
        assert await browser.me() == 401
        assert (await Agent.get(name="amy")).session_epoch == epoch + 2  # both ends counted
    finally:
        await browser.close()
