"""Malformed input gets a 4xx with a JSON error, never a 500, on the production database (PostgreSQL).

One case per way a client found to break an endpoint: ids beyond PostgreSQL's integer, names and
case numbers longer than their columns or holding NUL, multipart bodies without a boundary or with a
broken part header, JSON nested 100,000 deep or carrying a 5,000-digit integer, and text with NUL or
an unpaired surrogate. `tests/test_api_fuzz.py` covers the same ground by generation.
"""

from __future__ import annotations

import pytest

from bot.web.auth import create_agent, issue_api_token
from tests.fakes.bot_app import make_settings, running_bot

pytestmark = pytest.mark.timeout(60)
BIG = 57432489020152  # beyond int32
NESTED = b"[" * 100_000 + b"]" * 100_000
HUGE_INT = b'{"user_id": "c1", "text": ' + b"9" * 5000 + b"}"


@pytest.fixture
async def bot(tmp_path, migrated_postgres_url):
    settings = make_settings(tmp_path, database_url=migrated_postgres_url, referral_secret="s" * 32,
                             after_sales_upload_dir=tmp_path / "uploads",
                             migrate_on_start=False)  # migrated already, as `serve` opens its workers
    async with running_bot(settings) as running:
        admin = await create_agent("root", "admin", "secret-pass-123")
        running.client.session.headers["Authorization"] = f"Bearer {await issue_api_token(admin)}"
        yield running


async def refused(response) -> dict:
    assert 400 <= response.status < 500, (response.status, await response.text())
    assert response.content_type == "application/json"
    body = await response.json()
    error = body.get("error")
    assert isinstance(error, dict) and set(error) >= {"code", "message"}, body
    assert error["code"].isidentifier() and error["code"].islower() and error["message"], body
    return body


@pytest.mark.parametrize("method, path", [
    ("GET", f"/api/agent/conversations/{BIG}"),
    ("POST", f"/api/agent/conversations/{BIG}/take"),
    ("POST", f"/api/agent/conversations/{BIG}/hand-back"),
    ("POST", f"/api/referral/referrals/{BIG}/confirm"),
    ("POST", f"/api/referral/follow-ups/{BIG}/done"),
    ("GET", "/api/referral/campaigns/bad%00name"),
    ("GET", "/api/referral/campaigns/" + "a" * 40),
    ("GET", "/api/cases/AS20261123-0007" + "9" * 20),
    ("GET", "/api/cases/AS2026%00"),
])
async def test_ids_and_names_the_database_cannot_hold_are_refused(bot, method, path):
    await refused(await bot.client.request(method, path, json={}))


@pytest.mark.parametrize("body", [
    {"name": "bad\u0000name", "title": "t"},
    {"name": "a" * 40, "title": "t", "starts_at": "2026-12-01", "ends_at": "2026-12-31"},
])
async def test_campaign_names_with_nul_or_over_32_characters_are_refused(bot, body):
    await refused(await bot.client.post("/api/referral/campaigns", json=body))


@pytest.mark.parametrize("content_type, body", [
    ("multipart/form-data", b"--x\r\n\r\n"),
    ("multipart/form-data; boundary=x", b"--x\r\nno colon in this header\r\n\r\nv\r\n--x--\r\n"),
])
async def test_broken_multipart_bodies_are_refused(bot, content_type, body):
    await refused(await bot.client.post("/api/after-sales/photos", data=body, headers={"Content-Type": content_type}))


@pytest.mark.parametrize("path", ["/api/webchat/messages", "/api/agent/login", "/api/referral/campaigns"])
@pytest.mark.parametrize("body", [NESTED, HUGE_INT], ids=["nested-100k", "5000-digits"])
async def test_json_the_parser_cannot_take_is_refused(bot, path, body):
    await refused(await bot.client.post(path, data=body, headers={"Content-Type": "application/json"}))


@pytest.mark.parametrize("text", ["你好\u0000", "退货\ud800"], ids=["nul", "lone-surrogate"])
async def test_text_no_database_can_store_is_refused_and_nothing_is_written(bot, text):
    from models.message import Message

    body = await refused(await bot.post_chat({"user_id": "c1", "text": text}))
    assert body["error"]["code"] == "invalid_text" and "NUL" in body["error"]["message"]
    assert await Message.all().count() == 0
    answered = await bot.post_chat({"user_id": "c1", "text": "你好"})
    assert answered.status == 200


async def test_unknown_api_paths_and_methods_answer_json(bot):
    await refused(await bot.client.get("/api/no-such-thing"))
    response = await bot.client.delete("/api/agent/me")
    body = await refused(response)
    assert response.status == 405 and "GET" in response.headers["Allow"]
    assert body["error"]["code"] == "method_not_allowed"
