"""Typed endpoints (bot/web/typed.py) and console panels (bot/web/panels.py), through real HTTP:
validation names the field, one error shape, ISO timestamps, roles, and the OpenAPI document and
the panel list built from the same declarations."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from pydantic import BaseModel, Field

from bot.app import RUNTIME, build_app
from bot.clock import FakeClock
from bot.console_panel import ConsolePanel
from bot.extension import Extension
from bot.web.auth import create_agent, issue_api_token
from bot.web.typed import ApiError, endpoint
from handlers import EXTENSIONS
from tests.fakes.bot_app import make_settings

PROBE_MODULE = Path(__file__).parent / "data" / "panel_probe.js"


class NoteIn(BaseModel):
    text: str = Field(min_length=1, max_length=20)
    stars: int = Field(ge=1, le=5)


class NoteOut(BaseModel):
    text: str
    stars: int
    at: datetime


class Paging(BaseModel):
    limit: int = Field(default=10, ge=1, le=50)


@endpoint("POST", "/api/probe/notes", body=NoteIn, response=NoteOut, status=201, roles=("supervisor",),
          summary="Add a probe note")
async def add_note(request: web.Request, body: NoteIn) -> NoteOut:
    if body.text == "taken":
        raise ApiError(409, "note_taken", "that note exists")
    return NoteOut(text=body.text, stars=body.stars, at=datetime(2026, 11, 27, 8, 30, tzinfo=UTC))


@endpoint("GET", "/api/probe/notes", query=Paging, response=list[NoteOut], summary="List probe notes")
async def list_notes(request: web.Request, query: Paging) -> list[NoteOut]:
    return [NoteOut(text=str(n), stars=1, at=datetime(2026, 1, 1, tzinfo=UTC)) for n in range(query.limit)]


PROBE = Extension(
    "probe", endpoints=[add_note, list_notes],
    console_panels=[ConsolePanel("probe", PROBE_MODULE, texts="common"),
                    ConsolePanel("probe_admin", PROBE_MODULE, texts="common", roles=("admin",))],
)


@pytest.fixture
async def client(tmp_path):
    app = build_app(make_settings(tmp_path), [*EXTENSIONS, PROBE], clock=FakeClock())
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    try:
        yield client
    finally:
        await client.close()


async def bearer(role: str) -> dict[str, str]:
    token = await issue_api_token(await create_agent(f"probe-{role}", role, "secret-pass-123"))
    return {"Authorization": f"Bearer {token}"}


async def test_valid_body_is_answered_with_iso_timestamps(client):
    response = await client.post("/api/probe/notes", json={"text": "好评", "stars": 5},
                                 headers=await bearer("supervisor"))
    assert response.status == 201
    assert await response.json() == {"text": "好评", "stars": 5, "at": "2026-11-27T08:30:00Z"}


async def test_invalid_input_names_the_field_in_one_error_shape(client):
    headers = await bearer("supervisor")
    response = await client.post("/api/probe/notes", json={"text": "好评", "stars": 9}, headers=headers)
    assert response.status == 400
    error = (await response.json())["error"]
    assert error["code"] == "invalid_body" and "stars" in error["message"]
    response = await client.post("/api/probe/notes", data=b"{not json", headers=headers)
    assert (await response.json())["error"]["code"] == "invalid_body"
    response = await client.post("/api/probe/notes", json={"text": "taken", "stars": 2}, headers=headers)
    assert response.status == 409 and (await response.json())["error"] == {"code": "note_taken",
                                                                            "message": "that note exists"}
    response = await client.get("/api/probe/notes?limit=0", headers=headers)
    assert response.status == 400 and "limit" in (await response.json())["error"]["message"]


async def test_roles_and_login_are_checked_before_the_body(client):
    assert (await client.post("/api/probe/notes", json={})).status == 401
    response = await client.post("/api/probe/notes", json={"text": "x", "stars": 1}, headers=await bearer("agent"))
    assert response.status == 403
    listed = await client.get("/api/probe/notes?limit=2", headers=await bearer("admin"))
    assert [note["text"] for note in await listed.json()] == ["0", "1"]


async def test_openapi_is_generated_from_the_declarations(client):
    document = await (await client.get("/api/openapi.json")).json()
    post = document["paths"]["/api/probe/notes"]["post"]
    assert post["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/NoteIn"}
    assert set(post["responses"]) == {"201", "400", "401", "403"}
    schemas = document["components"]["schemas"]
    assert schemas["NoteIn"]["properties"]["stars"]["maximum"] == 5
    assert schemas["NoteOut"]["properties"]["at"]["format"] == "date-time"
    get = document["paths"]["/api/probe/notes"]["get"]
    assert [p["name"] for p in get["parameters"]] == ["limit"]
    assert "/api/console/panels" in document["paths"]


async def test_panels_are_listed_per_role_and_their_modules_served(client):
    app_runtime = client.server.app[RUNTIME]
    expected_label = app_runtime.templates.section("common").get("tab", "probe")
    listed = (await (await client.get("/api/console/panels", headers=await bearer("agent"))).json())["panels"]
    panels = [p for p in listed if p["id"].startswith("probe")]  # the shop's own areas add theirs too
    assert [(p["id"], p["label"]) for p in panels] == [("probe", expected_label)]
    admin = (await (await client.get("/api/console/panels", headers=await bearer("admin"))).json())["panels"]
    assert [p["id"] for p in admin if p["id"].startswith("probe")] == ["probe", "probe_admin"]
    module = await client.get(panels[0]["module"])
    assert module.status == 200 and module.content_type == "text/javascript"
    assert "mount" in await module.text()
    missing = await client.get("/console/panels/nothing.js")
    assert missing.status == 404 and (await missing.json())["error"]["code"] == "no_such_panel"


def test_panel_ids_are_checked():
    with pytest.raises(ValueError):
        ConsolePanel("Bad Id", PROBE_MODULE, texts="common")
