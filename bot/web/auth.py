"""Staff authentication: Argon2 passwords, store-backed sessions with CSRF tokens, bearer API tokens.

Two ways in, one check: a browser logs in (`POST /api/agent/login`) and gets an HttpOnly session
cookie plus a CSRF token it must echo in `X-CSRF-Token` on every unsafe request; a script sends
`Authorization: Bearer <token>` (no cookie, so no CSRF risk). `@require(*roles)` guards a handler,
answering 401 when nobody is logged in and 403 when the role does not fit; the handler reads the
staff member as `request[AGENT]`. Sessions live in the
store, so every worker knows them and a logout is immediate; a disabled account, or one whose
sessions were revoked (its `session_epoch` raised), is refused on the next request.

Login attempts are throttled (`bot.web.throttle`: atomic counters, growing delays, never a lock-out)
three ways: per account and source address (a mistyping owner, a guesser at one address), per
account from anywhere (a guesser spread over many addresses) and per source address over every
account (one address trying many names). The source is the peer address of the connection.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import hmac
import json
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
from bot.web.problems import ApiError
from bot.web.throttle import Throttle
from models.agent import ROLES, Agent

SESSION_COOKIE = "csbot_session"
CSRF_HEADER = "X-CSRF-Token"
SESSION_TTL_S = 12 * 3600
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


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create_agent(
    name: str, role: str, password: str, capacity: int = 5, now: datetime | None = None,
    display_name: str | None = None,
) -> Agent:
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if len(password) < 8:
        raise ValueError("password must have at least 8 characters")
    return await Agent.create(name=name, role=role, password_hash=await hash_password(password),
                              capacity=capacity, display_name=display_name, created_at=now or SystemClock().now())


async def issue_api_token(agent: Agent) -> str:
    """A new bearer token for `agent` (replacing any earlier one); only its digest is stored."""
    token = secrets.token_urlsafe(32)
    agent.api_token_digest = token_digest(token)
    await agent.save(update_fields=["api_token_digest"])
    return token


def login_throttles(settings: Settings, name: str, source: str) -> list[tuple[Throttle, str]]:
    """The throttles a login attempt passes, each with the subject it counts on (names hashed: the
    store never holds a staff name)."""
    account = hashlib.sha256(name.encode()).hexdigest()[:32]
    cap = settings.login_max_delay_s
    return [
        (Throttle("login-source", settings.login_free_per_source, cap), source),
        (Throttle("login-account", settings.login_free_per_account, cap), account),
        (Throttle("login-pair", settings.login_free_attempts, cap), f"{account}:{source}"),
    ]


async def login(request: web.Request, name: str, password: str) -> tuple[Agent, str, str]:
    """Check credentials; returns (agent, session id, csrf token). Raises 401, or 429 with Retry-After."""
    runtime = request.app[RUNTIME]
    store = runtime.store
    throttles = login_throttles(runtime.settings, name, request.remote or "unknown")
    for throttle, subject in throttles:
        wait = await throttle.admit(store, subject)
        if wait is not None:
            raise ApiError(429, "too_many_logins", "too many failed logins; try again shortly",
                           {"Retry-After": str(max(1, math.ceil(wait)))})
    agent = await Agent.get_or_none(name=name)
    if agent is None or not await verify_password(agent.password_hash, password):
        raise ApiError(401, "wrong_credentials", "wrong name or password")
    if not agent.active:
        raise ApiError(403, "account_disabled", "this account is disabled")
    for throttle, subject in throttles:
        await throttle.reset(store, subject)
    session_id, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    session = {"agent": agent.id, "csrf": csrf, "epoch": agent.session_epoch}
    await store.set(store.keys("session", session_id), json.dumps(session), SESSION_TTL_S)
    return agent, session_id, csrf


async def revoke_sessions(agent: Agent) -> None:
    """End every session and the API token of `agent` at once (a leak response): sessions opened
    before this carry an older epoch, which `authenticate` refuses."""
    agent.session_epoch += 1
    agent.api_token_digest = None
    await agent.save(update_fields=["session_epoch", "api_token_digest"])


async def logout(request: web.Request) -> None:
    session_id = request.cookies.get(SESSION_COOKIE)
    if session_id:
        store = request.app[RUNTIME].store
        await store.delete(store.keys("session", session_id))


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
    store = request.app[RUNTIME].store
    raw = await store.get(store.keys("session", session_id))
    if raw is None:
        return None
    session = json.loads(raw)
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
