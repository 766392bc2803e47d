"""Staff authentication: Argon2 passwords, store-backed sessions with CSRF tokens, bearer API tokens.

Two ways in, one check: a browser logs in (`POST /api/agent/login`) and gets an HttpOnly session
cookie plus a CSRF token it must echo in `X-CSRF-Token` on every unsafe request; a script sends
`Authorization: Bearer <token>` (no cookie, so no CSRF risk). `@require(*roles)` guards a handler,
answering 401 when nobody is logged in and 403 when the role does not fit; the handler reads the
staff member as `request[AGENT]`. Sessions live in the
store, so every worker knows them and a logout is immediate; a disabled account, or one whose
sessions were revoked (its `session_epoch` raised), is refused on the next request. Which sessions a
member has open, and what happens when the last one ends, is bot/web/sessions.py.

Login attempts are throttled (`bot.web.throttle`: atomic counters, growing delays) three ways: per
account and source address (a mistyping owner, a guesser at one address), per source address over
every account (one address trying many names), and per account from anywhere (a guesser spread over
many addresses). The account-wide gate does not apply to a source the account logged in from
successfully within `KNOWN_SOURCE_TTL_S`: a guesser rotating addresses slows every stranger down but
never keeps the owner out of their usual place. A name nobody has costs the same Argon2 work as a
real one, so the answer's time does not tell which names exist. The source is the peer address of
the connection.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import hmac
import math
import secrets
from collections.abc import Awaitable, Callable
from datetime import datetime

from aiohttp import web
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from bot.clock import SystemClock
from bot.config import Settings
from bot.runtime import RUNTIME
from bot.store.base import Store
from bot.web.problems import ApiError
from bot.web.sessions import SESSION_COOKIE, SESSION_TTL_S, Session, StaffSessions
from bot.web.throttle import Throttle
from models.agent import ROLES, Agent

CSRF_HEADER = "X-CSRF-Token"
#: How long a source address the account logged in from stays exempt from the account-wide gate.
KNOWN_SOURCE_TTL_S = 30 * 24 * 3600
MIN_PASSWORD_CHARS = 8
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

#: The authenticated staff member, set by `@require` (read it as `request[AGENT]`).
AGENT = web.RequestKey("agent", Agent)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
_hasher = PasswordHasher()


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(_hasher.hash, password)


async def verify_password(password_hash: str, password: str) -> bool:
    try:
        return await asyncio.to_thread(_hasher.verify, password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@functools.cache
def _nobodys_hash(hasher: PasswordHasher) -> str:
    """What a name nobody has is checked against: made (once) by the hasher real accounts' hashes are
    made by, so checking it costs the same Argon2 work."""
    return hasher.hash(secrets.token_urlsafe(24))


async def verify_login(agent: Agent | None, password: str) -> bool:
    """The password of `agent`, or of nobody (always False, after the same work)."""
    if agent is None:
        await verify_password(await asyncio.to_thread(_nobodys_hash, _hasher), password)
        return False
    return await verify_password(agent.password_hash, password)


def password_problem(password: str) -> str | None:
    """Why `password` may not be a staff password, or None (the one policy of creating and changing)."""
    if len(password) < MIN_PASSWORD_CHARS:
        return f"password must have at least {MIN_PASSWORD_CHARS} characters"
    return None


async def set_password(agent: Agent, password: str) -> None:
    problem = password_problem(password)
    if problem is not None:
        raise ValueError(problem)
    agent.password_hash = await hash_password(password)
    await agent.save(update_fields=["password_hash"])


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create_agent(
    name: str, role: str, password: str, capacity: int = 5, now: datetime | None = None,
    display_name: str | None = None,
) -> Agent:
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    problem = password_problem(password)
    if problem is not None:
        raise ValueError(problem)
    return await Agent.create(name=name, role=role, password_hash=await hash_password(password),
                              capacity=capacity, display_name=display_name, created_at=now or SystemClock().now())


async def issue_api_token(agent: Agent) -> str:
    """A new bearer token for `agent` (replacing any earlier one); only its digest is stored."""
    token = secrets.token_urlsafe(32)
    agent.api_token_digest = token_digest(token)
    await agent.save(update_fields=["api_token_digest"])
    return token


def account_subject(name: str) -> str:
    """What the throttles count a login name as (hashed: the store never holds a staff name)."""
    return hashlib.sha256(name.encode()).hexdigest()[:32]


def login_throttles(settings: Settings, account: str, source: str, known_source: bool) -> list[tuple[Throttle, str]]:
    """The throttles a login attempt passes, each with the subject it counts on; the account-wide one
    only from a source the account has not logged in from lately."""
    cap = settings.login_max_delay_s
    throttles = [
        (Throttle("login-source", settings.login_free_per_source, cap), source),
        (Throttle("login-pair", settings.login_free_attempts, cap), f"{account}:{source}"),
    ]
    if not known_source:
        throttles.append((Throttle("login-account", settings.login_free_per_account, cap), account))
    return throttles


async def _admit(store: Store, throttles: list[tuple[Throttle, str]]) -> None:
    for throttle, subject in throttles:
        wait = await throttle.admit(store, subject)
        if wait is not None:
            raise ApiError(429, "too_many_logins", "too many failed logins; try again shortly",
                           {"Retry-After": str(max(1, math.ceil(wait)))})


async def login(request: web.Request, name: str, password: str) -> tuple[Agent, Session]:
    """Check credentials; returns the agent and their new session. Raises 401, or 429 with Retry-After."""
    runtime = request.app[RUNTIME]
    store = runtime.store
    account, source = account_subject(name), request.remote or "unknown"
    known_key = store.keys("login-known", f"{account}:{source}")
    throttles = login_throttles(runtime.settings, account, source, await store.get(known_key) is not None)
    await _admit(store, throttles)
    agent = await Agent.get_or_none(name=name)
    if not await verify_login(agent, password) or agent is None:
        raise ApiError(401, "wrong_credentials", "wrong name or password")
    if not agent.active:
        raise ApiError(403, "account_disabled", "this account is disabled")
    for throttle, subject in throttles[:2]:  # the account-wide count goes on: others may still be guessing
        await throttle.reset(store, subject)
    await store.set(known_key, "1", KNOWN_SOURCE_TTL_S)
    return agent, await StaffSessions.of(request).open(agent)


async def logout(request: web.Request) -> None:
    session_id = request.cookies.get(SESSION_COOKIE)
    if session_id:
        await StaffSessions.of(request).close(session_id)


async def change_password(request: web.Request, current: str, new: str) -> None:
    """The logged-in member's own change: the current password first (throttled as a login from this
    source is), then the policy; every other session of theirs ends, this one goes on."""
    runtime, agent = request.app[RUNTIME], request[AGENT]
    throttle = Throttle("password-change", runtime.settings.login_free_attempts, runtime.settings.login_max_delay_s)
    subject = f"{agent.id}:{request.remote or 'unknown'}"
    await _admit(runtime.store, [(throttle, subject)])
    if not await verify_password(agent.password_hash, current):
        raise ApiError(403, "wrong_password", "the current password is wrong")
    problem = password_problem(new)
    if problem is not None:
        raise ApiError(400, "weak_password", problem)
    await throttle.reset(runtime.store, subject)
    await set_password(agent, new)
    await StaffSessions.of(request).end_others(agent, keep=request.cookies.get(SESSION_COOKIE))


def set_session_cookie(request: web.Request, response: web.StreamResponse, session_id: str) -> None:
    secure = request.app[RUNTIME].settings.public_base_url.startswith("https://")
    response.set_cookie(SESSION_COOKIE, session_id, max_age=SESSION_TTL_S, httponly=True, secure=secure,
                        samesite="Strict", path="/")


async def authenticate(request: web.Request) -> Agent | None:
    """The agent behind a bearer token or a session cookie (with its CSRF check), or None."""
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        return await Agent.get_or_none(api_token_digest=token_digest(header.removeprefix("Bearer ").strip()),
                                       active=True)
    session_id = request.cookies.get(SESSION_COOKIE)
    if not session_id:
        return None
    session = await StaffSessions.of(request).read(session_id)
    if session is None:
        return None
    if request.method in UNSAFE_METHODS and not hmac.compare_digest(
        request.headers.get(CSRF_HEADER, ""), session["csrf"]
    ):
        raise ApiError(403, "csrf_failed", "missing or wrong CSRF token")
    agent = await Agent.get_or_none(id=session["agent"], active=True)
    if agent is None or session.get("epoch", 0) != agent.session_epoch:
        return None
    return agent


def require(*roles: str) -> Callable[[Handler], Handler]:
    """Guard a handler: any staff member when no role is named, else one of `roles`."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {unknown}")

    def decorate(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def guarded(request: web.Request) -> web.StreamResponse:
            agent = await authenticate(request)
            if agent is None:
                raise ApiError(401, "login_required", "log in first")
            if roles and agent.role not in roles:
                raise ApiError(403, "role_forbidden", f"needs role {' or '.join(roles)}")
            request[AGENT] = agent
            return await handler(request)

        return guarded

    return decorate
