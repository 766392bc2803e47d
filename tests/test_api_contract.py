"""The HTTP boundary as a whole: every JSON route of the app is in `/api/openapi.json`, every error
code the server can send has a Chinese label in `GET /api/labels`, and errors have one shape."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.app import build_app
from bot.clock import FakeClock
from bot.web.auth import create_agent, issue_api_token
from bot.web.typed import ApiError
from handlers import EXTENSIONS
from tests.fakes.bot_app import make_settings

ROOT = Path(__file__).resolve().parent.parent
#: Routes under /api/ that answer something other than JSON, and why.
NOT_JSON = {("GET", "/api/after-sales/photos/{name}")}  # the image itself
#: A code given to ApiError (or TransitionError, which becomes one) as a literal.
RAISED_CODE = re.compile(r'(?:ApiError|TransitionError)\(\s*(?:\d{3},\s*)?"([a-z_]+)"')


@pytest.fixture
async def client(tmp_path):
    app = build_app(make_settings(tmp_path), EXTENSIONS, clock=FakeClock())
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    try:
        yield client
    finally:
        await client.close()


async def staff_headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {await issue_api_token(await create_agent('lin', 'agent', 'secret-pass-1'))}"}


def json_routes(app: web.Application) -> set[tuple[str, str]]:
    """(method, path) of every route under /api/ and of every typed endpoint, wherever it lives."""
    from bot.web.openapi import APP_ENDPOINTS

    routes = {(item.method, item.path) for item in app[APP_ENDPOINTS]}
    for route in app.router.routes():
        resource = route.resource
        if route.method == "HEAD" or resource is None or not resource.canonical.startswith("/api/"):
            continue
        routes.add((route.method, resource.canonical))
    return routes - NOT_JSON


async def test_every_json_route_is_in_the_openapi_document(client):
    document = await (await client.get("/api/openapi.json")).json()
    documented = {(method.upper(), path) for path, item in document["paths"].items() for method in item}
    routes = json_routes(client.server.app)
    assert {("POST", "/api/webchat/messages"), ("POST", "/api/agent/login"),
            ("POST", "/api/after-sales/photos"), ("POST", "/r/{code}/visit"), ("GET", "/api/labels")} <= routes
    assert routes - documented == set()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            assert operation["summary"], (method, path)
            errors = [status for status in operation["responses"] if status.startswith(("4", "5"))]
            for status in errors:  # every documented error has the one shape
                schema = operation["responses"][status]["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/Error"}, (method, path, status)


async def test_the_uploads_form_and_the_visitor_token_are_documented(client):
    document = await (await client.get("/api/openapi.json")).json()
    upload = document["paths"]["/api/after-sales/photos"]["post"]
    form = upload["requestBody"]["content"]["multipart/form-data"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert document["components"]["schemas"][form]["required"] == ["file"]
    assert upload["security"] == [{"visitor": []}]
    assert document["components"]["securitySchemes"]["visitor"]["name"] == "X-Visitor-Token"
    assert document["paths"]["/api/agent/login"]["post"]["security"] == []


def raised_codes() -> set[str]:
    codes: set[str] = set()
    for path in [*ROOT.joinpath("bot").rglob("*.py"), *ROOT.joinpath("handlers").rglob("*.py")]:
        codes.update(RAISED_CODE.findall(path.read_text(encoding="utf-8")))
    return codes


async def test_every_error_code_the_server_raises_has_a_chinese_label(client):
    anonymous = await client.get("/api/labels")
    assert anonymous.status == 401 and (await anonymous.json())["error"]["code"] == "login_required"
    labels = (await (await client.get("/api/labels", headers=await staff_headers())).json())["labels"]
    codes = raised_codes()
    assert {"login_required", "no_such_case", "forbidden_language", "not_allowed", "visitor_token_required"} <= codes
    assert codes - set(labels["error"]) == set()
    assert {"method_not_allowed", "not_found", "internal_error", "invalid_body"} <= set(labels["error"])
    for group in ("reason", "case_state", "case_kind", "role", "presence", "conversation_status", "intent"):
        assert labels[group] and all(not text.isascii() for text in labels[group].values()), group
    assert labels["case_state"]["requested"] == "前期沟通"


async def test_errors_of_every_kind_have_one_shape(client):
    answers = [
        await client.get("/api/no-such-thing"),  # aiohttp's own 404
        await client.delete("/api/agent/me"),  # aiohttp's own 405
        await client.get("/api/agent/me"),  # not logged in
        await client.post("/api/agent/login", data=b"{", headers={"Content-Type": "application/json"}),
        await client.post("/api/webchat/messages", json={"text": "你好"}),  # no visitor token
    ]
    for response in answers:
        body = await response.json()
        assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}, body
    assert [(await r.json())["error"]["code"] for r in answers] == [
        "not_found", "method_not_allowed", "login_required", "invalid_body", "visitor_token_required"]


def test_api_error_keeps_details_inside_the_error():
    response = ApiError(409, "forbidden_language", "no", phrases=["不行"]).response()
    assert response.status == 409 and b'"phrases": ["\xe4\xb8\x8d\xe8\xa1\x8c"]' in response.body
