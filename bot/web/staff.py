"""Staff session endpoints: log in, log out, who am I, change my password. Every area's staff API builds
on these."""

from __future__ import annotations

from aiohttp import web
from pydantic import BaseModel, Field

from bot.web.auth import AGENT, SESSION_COOKIE, change_password, login, logout, set_session_cookie
from bot.web.problems import dumps
from bot.web.typed import endpoint
from models.agent import Agent


class StaffOut(BaseModel):
    id: int
    name: str
    role: str = Field(description="models/agent.py ROLES (labelled in GET /api/labels, group role)")
    presence: str
    capacity: int

    @classmethod
    def of(cls, agent: Agent) -> StaffOut:
        return cls(id=agent.id, name=agent.name, role=agent.role, presence=agent.presence, capacity=agent.capacity)


class LoginIn(BaseModel):
    name: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


class LoginOut(BaseModel):
    agent: StaffOut
    csrf_token: str = Field(description="echo it in X-CSRF-Token on every unsafe request")


class MeOut(BaseModel):
    agent: StaffOut


class OkOut(BaseModel):
    ok: bool = True


class PasswordIn(BaseModel):
    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(min_length=1, max_length=1024, description="at least 8 characters")


@endpoint("POST", "/api/agent/login", body=LoginIn, response=LoginOut, public=True, tag="staff",
          summary="Log in; sets the session cookie and returns the CSRF token for unsafe requests",
          errors={401: "wrong name or password (wrong_credentials)", 429: "too many failures (too_many_logins)"})
async def post_login(request: web.Request, body: LoginIn) -> web.Response:
    agent, session = await login(request, body.name, body.password)
    out = LoginOut(agent=StaffOut.of(agent), csrf_token=session.csrf)
    response = web.json_response(out.model_dump(mode="json"), dumps=dumps)
    set_session_cookie(request, response, session.id)
    return response


@endpoint("POST", "/api/agent/logout", response=OkOut, tag="staff",
          summary="End the session (and its consoles); the last session ending sets the member offline")
async def post_logout(request: web.Request) -> web.Response:
    await logout(request)
    response = web.json_response(OkOut().model_dump(mode="json"))
    response.del_cookie(SESSION_COOKIE, path="/")
    return response


@endpoint("GET", "/api/agent/me", response=MeOut, tag="staff", summary="The logged-in staff member")
async def get_me(request: web.Request) -> MeOut:
    return MeOut(agent=StaffOut.of(request[AGENT]))


@endpoint("POST", "/api/agent/password", body=PasswordIn, response=OkOut, tag="staff",
          summary="Change one's own password; every other session of the account ends",
          errors={400: "the new password breaks the policy (weak_password)",
                  403: "the current password is wrong (wrong_password)", 429: "too many failures (too_many_logins)"})
async def post_password(request: web.Request, body: PasswordIn) -> OkOut:
    await change_password(request, body.current_password, body.new_password)
    return OkOut()


ENDPOINTS = [post_login, post_logout, get_me, post_password]
