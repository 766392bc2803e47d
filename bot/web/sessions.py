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
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass

from aiohttp import web
from tortoise.expressions import F

from bot.context import Services
from bot.extension import Extension
from bot.runtime import RUNTIME
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


@dataclass(frozen=True, slots=True)
class StaffSessions:
    """The sessions kept in `services.store`; `extensions`: every area, for `on_staff_signed_out`."""

    services: Services
    extensions: Sequence[Extension]

    @classmethod
    def of(cls, request: web.Request) -> StaffSessions:
        runtime = request.app[RUNTIME]
        return cls(runtime.services, runtime.extensions)

    def _key(self, session_id: str) -> str:
        return self.services.store.keys("session", session_id)

    def _index(self, agent_id: int) -> str:
        return self.services.store.keys("staff-sessions", str(agent_id))

    async def read(self, session_id: str) -> dict | None:
        raw = await self.services.store.get(self._key(session_id))
        return None if raw is None else json.loads(raw)

    async def _live(self, agent: Agent, session_ids: list[str]) -> list[str]:
        """Those of `session_ids` still open: not expired, not logged out, of the member's current epoch."""
        if not session_ids:
            return []
        raws = await self.services.store.get_many([self._key(sid) for sid in session_ids])
        return [sid for sid, raw in zip(session_ids, raws, strict=True)
                if raw is not None and json.loads(raw).get("epoch", 0) == agent.session_epoch]

    async def _listed(self, agent_id: int) -> list[str]:
        raw = await self.services.store.get(self._index(agent_id))
        return json.loads(raw) if raw else []

    async def _list(self, agent_id: int, session_ids: list[str]) -> None:
        await self.services.store.set(self._index(agent_id), json.dumps(session_ids), SESSION_TTL_S)

    async def _write(self, agent: Agent, session: Session) -> None:
        record = {"agent": agent.id, "csrf": session.csrf, "epoch": agent.session_epoch}
        await self.services.store.set(self._key(session.id), json.dumps(record), SESSION_TTL_S)

    def _lock(self, agent_id: int) -> AbstractAsyncContextManager[None]:
        return self.services.store.lock("staff-sessions", str(agent_id))

    async def open(self, agent: Agent) -> Session:
        """A new session of `agent`, listed among the member's open ones."""
        session = Session(secrets.token_urlsafe(32), secrets.token_urlsafe(24))
        await self._write(agent, session)
        async with self._lock(agent.id):
            await self._list(agent.id, [*await self._live(agent, await self._listed(agent.id)), session.id])
        return session

    async def close(self, session_id: str) -> None:
        """A logout: the session ends, its consoles close; the member signs out when it was the last one."""
        session = await self.read(session_id)
        await self.services.store.delete(self._key(session_id))
        await publish_session_ended(self.services.store, session_topic(session_id))
        agent = None if session is None else await Agent.get_or_none(id=session["agent"])
        if agent is None:
            return
        async with self._lock(agent.id):
            left = await self._live(agent, [sid for sid in await self._listed(agent.id) if sid != session_id])
            await self._list(agent.id, left)
        if not left:
            await self.signed_out(agent)

    async def end_every(self, agent: Agent) -> None:
        """A leak response or a password reset: every session and the API token of `agent` end at once
        (sessions opened before carry an older epoch, which `authenticate` refuses), every console
        closes and the member signs out."""
        async with self._lock(agent.id):  # after or before a password change's carry-over, never inside it
            await _next_epoch(agent, api_token_digest=None)
            await self.services.store.delete(self._index(agent.id))
        await end_sessions(self.services.store, agent.id)
        await self.signed_out(agent)

    async def end_others(self, agent: Agent, keep: str | None) -> None:
        """A password change: every session of `agent` but `keep` ends and its consoles close; `keep`
        goes on (carried over to the new epoch). The member stays as they are: they are at this console."""
        async with self._lock(agent.id):
            others = [sid for sid in await self._listed(agent.id) if sid != keep]
            kept = None if keep is None else await self.read(keep)
            current = (await Agent.get(id=agent.id)).session_epoch  # a revoke may have come since the request
            if kept is not None and kept.get("epoch", 0) != current:
                kept = None  # revoked meanwhile: not carried over
            await _next_epoch(agent)
            if keep is not None and kept is not None:  # carried over in place: the page keeps its CSRF token
                await self._write(agent, Session(keep, kept["csrf"]))
            await self._list(agent.id, [keep] if keep is not None and kept is not None else [])
        for session_id in others:
            await self.services.store.delete(self._key(session_id))
            await publish_session_ended(self.services.store, session_topic(session_id))

    async def signed_out(self, agent: Agent) -> None:
        """No session of `agent` is left: every area's `on_staff_signed_out` runs (handoff: offline)."""
        for extension in self.extensions:
            if extension.on_staff_signed_out is not None:
                await extension.on_staff_signed_out(self.services, agent)


async def console_socket(request: web.Request, *topics: str) -> web.WebSocketResponse:
    """A console's event socket: only from the console's own site, and closed when its session ends
    (`topics` carry the member's events; the session's own topic is added here)."""
    runtime = request.app[RUNTIME]
    refuse_cross_site(request, runtime.settings.public_base_url)
    session_id = request.cookies.get(SESSION_COOKIE)
    own = (session_topic(session_id),) if session_id else ()
    return await forward_events(request, runtime.store, *topics, *own)


async def _next_epoch(agent: Agent, **also: object) -> None:
    """Raise `agent`'s session epoch in the database itself (two ends of sessions at once both count) and
    read it back into `agent`, with `also`'s columns set in the same statement."""
    await Agent.filter(id=agent.id).update(session_epoch=F("session_epoch") + 1, **also)
    await agent.refresh_from_db(fields=["session_epoch", *also])
