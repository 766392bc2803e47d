"""Which console sessions each staff member has open, and what ends with the last of them.

A staff member may be logged in from several browsers at once. Each login adds its session to the
member's list in the store (under the member's lock, so two workers never lose each other's change);
a logout takes it off. When no live session is left (the last logout, a revoke, a password reset)
nobody is at a console any more: every area's `Extension.on_staff_signed_out` runs, and the handoff
area sets the member offline exactly as going offline does, so their conversations are handed on
and nobody new is given to them. Logging out of one of two browsers leaves the member as they were:
the other console is still open and answers.

A console's socket lives no longer than its session: it listens on its session's own topic as well
as the member's, so a logout closes that browser's consoles and a revoke closes all of them, on any
worker. The socket is refused (403) when opened by a page of another site (`live.refuse_cross_site`).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass

from aiohttp import web

from bot.runtime import RUNTIME, Runtime
from bot.web.live import end_sessions, forward_events, publish_session_ended, refuse_cross_site
from models.agent import Agent

SESSION_COOKIE = "csbot_session"
SESSION_TTL_S = 12 * 3600


@dataclass(frozen=True, slots=True)
class Session:
    id: str
    csrf: str


def session_topic(session_id: str) -> str:
    """The topic of one session's consoles (a digest: the topic never names the cookie's value)."""
    return f"staff-session:{hashlib.sha256(session_id.encode()).hexdigest()[:32]}"


def _key(runtime: Runtime, session_id: str) -> str:
    return runtime.store.keys("session", session_id)


def _index(runtime: Runtime, agent_id: int) -> str:
    return runtime.store.keys("staff-sessions", str(agent_id))


async def read(runtime: Runtime, session_id: str) -> dict | None:
    raw = await runtime.store.get(_key(runtime, session_id))
    return None if raw is None else json.loads(raw)


async def _live(runtime: Runtime, agent: Agent, session_ids: list[str]) -> list[str]:
    """Those of `session_ids` still open: not expired, not logged out, of the member's current epoch."""
    if not session_ids:
        return []
    raws = await runtime.store.get_many([_key(runtime, sid) for sid in session_ids])
    return [sid for sid, raw in zip(session_ids, raws, strict=True)
            if raw is not None and json.loads(raw).get("epoch", 0) == agent.session_epoch]


async def _listed(runtime: Runtime, agent_id: int) -> list[str]:
    raw = await runtime.store.get(_index(runtime, agent_id))
    return json.loads(raw) if raw else []


async def _write(runtime: Runtime, agent: Agent, session: Session) -> None:
    record = {"agent": agent.id, "csrf": session.csrf, "epoch": agent.session_epoch}
    await runtime.store.set(_key(runtime, session.id), json.dumps(record), SESSION_TTL_S)


async def open_session(runtime: Runtime, agent: Agent) -> Session:
    """A new session of `agent`, listed among the member's open ones."""
    session = Session(secrets.token_urlsafe(32), secrets.token_urlsafe(24))
    await _write(runtime, agent, session)
    async with runtime.store.lock("staff-sessions", str(agent.id)):
        listed = await _live(runtime, agent, await _listed(runtime, agent.id))
        await runtime.store.set(_index(runtime, agent.id), json.dumps([*listed, session.id]), SESSION_TTL_S)
    return session


async def close_session(runtime: Runtime, session_id: str) -> None:
    """A logout: the session ends, its consoles close; the member signs out when it was the last one."""
    session = await read(runtime, session_id)
    await runtime.store.delete(_key(runtime, session_id))
    await publish_session_ended(runtime.store, session_topic(session_id))
    if session is None:
        return
    agent = await Agent.get_or_none(id=session["agent"])
    if agent is None:
        return
    async with runtime.store.lock("staff-sessions", str(agent.id)):
        left = await _live(runtime, agent, [sid for sid in await _listed(runtime, agent.id) if sid != session_id])
        await runtime.store.set(_index(runtime, agent.id), json.dumps(left), SESSION_TTL_S)
    if not left:
        await signed_out(runtime, agent)


async def end_every_session(runtime: Runtime, agent: Agent) -> None:
    """A leak response or a password reset: every session and the API token of `agent` end at once
    (sessions opened before carry an older epoch, which `authenticate` refuses), every console closes
    and the member signs out."""
    agent.session_epoch += 1
    agent.api_token_digest = None
    await agent.save(update_fields=["session_epoch", "api_token_digest"])
    await runtime.store.delete(_index(runtime, agent.id))
    await end_sessions(runtime.store, agent.id)
    await signed_out(runtime, agent)


async def end_other_sessions(runtime: Runtime, agent: Agent, keep: str | None) -> None:
    """A password change: every session of `agent` but `keep` ends and its consoles close; `keep` goes
    on (carried over to the new epoch). The member stays as they are: they are at this console."""
    async with runtime.store.lock("staff-sessions", str(agent.id)):
        others = [sid for sid in await _listed(runtime, agent.id) if sid != keep]
        kept = None if keep is None else await read(runtime, keep)
        agent.session_epoch += 1
        await agent.save(update_fields=["session_epoch"])
        if keep is not None and kept is not None:  # carried over in place: the page keeps its CSRF token
            await _write(runtime, agent, Session(keep, kept["csrf"]))
        await runtime.store.set(_index(runtime, agent.id), json.dumps([keep] if kept else []), SESSION_TTL_S)
    for session_id in others:
        await runtime.store.delete(_key(runtime, session_id))
        await publish_session_ended(runtime.store, session_topic(session_id))


async def signed_out(runtime: Runtime, agent: Agent) -> None:
    """No session of `agent` is left: every area's `on_staff_signed_out` runs (handoff: offline)."""
    for extension in runtime.extensions:
        if extension.on_staff_signed_out is not None:
            await extension.on_staff_signed_out(runtime.kit, agent)


async def console_socket(request: web.Request, *topics: str) -> web.WebSocketResponse:
    """A console's event socket: only from the console's own site, and closed when its session ends
    (`topics` carry the member's events; the session's own topic is added here)."""
    runtime = request.app[RUNTIME]
    refuse_cross_site(request, runtime.settings.public_base_url)
    session_id = request.cookies.get(SESSION_COOKIE)
    own = (session_topic(session_id),) if session_id else ()
    return await forward_events(request, runtime.store, *topics, *own)
