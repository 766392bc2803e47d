"""Reports through real HTTP (docs/rules.md R-REPORT): every figure against the hand-worked week of
tests/reports_data.py, filters, buckets in shop time, roles, the workbook against the API, and the CLI."""

from __future__ import annotations

import io
import json

import pytest

from tests.reports_data import seed_shop
from tests.workbooks import load_workbook

WEEK = {"from": "2026-11-20", "to": "2026-11-23"}


@pytest.fixture
async def shop(bot):
    return await seed_shop()


async def get(bot, shop, path, role="supervisor", **params):
    response = await bot.client.get(path, params=params, headers={"Authorization": f"Bearer {shop.tokens[role]}"})
    return response.status, await response.json() if response.content_type == "application/json" else None


def by_bucket(report: dict) -> dict[str, dict]:
    return {row["bucket"]: row for row in report["rows"]}


def promise(row: dict, measure: str) -> tuple:
    return row[f"{measure}_due"], row[f"{measure}_kept"], row[f"{measure}_rate"]


async def test_response_time_counts_every_promise_from_the_customers_side(bot, shop):
    status, report = await get(bot, shop, "/api/reports/response_time", **WEEK)
    assert status == 200, report
    days = by_bucket(report)
    assert list(days) == ["2026-11-20", "2026-11-21", "2026-11-22", "2026-11-23"]
    # reached: conv1 in time (11-20); conv2 late, due after shop midnight (11-21); conv3 never (11-22)
    assert [promise(days[d], "reached") for d in days] == [(1, 1, 1.0), (1, 0, 0.0), (1, 0, 0.0), (0, 0, None)]
    # acknowledged: conv1 in time, conv2 late, conv3 still waiting past its 20 s now
    assert [promise(days[d], "acknowledged") for d in days] == [(1, 1, 1.0), (1, 0, 0.0), (0, 0, None),
                                                                 (1, 0, 0.0)]
    # answered: conv1 one in time and one late (its breach is the same question), conv2's never, conv3's owed
    assert [promise(days[d], "answered") for d in days] == [(2, 1, 0.5), (1, 0, 0.0), (0, 0, None), (1, 0, 0.0)]
    totals = report["totals"]
    assert promise(totals, "reached") == (3, 1, 0.3333)
    assert promise(totals, "acknowledged") == (3, 1, 0.3333)
    assert promise(totals, "answered") == (4, 1, 0.25)
    assert [c["label"] for c in report["columns"]][:4] == ["时间", "转人工次数", "15秒内接通", "接通达标率"]


async def test_filters_by_channel_and_agent(bot, shop):
    _, web = await get(bot, shop, "/api/reports/response_time", channel="webchat", bucket="month", **WEEK)
    assert [row["bucket"] for row in web["rows"]] == ["2026-11"]
    assert promise(web["totals"], "reached") == (2, 1, 0.5)  # conv1 and conv3
    assert promise(web["totals"], "acknowledged") == (2, 1, 0.5)
    assert promise(web["totals"], "answered") == (3, 1, 0.3333)
    _, alice = await get(bot, shop, "/api/reports/response_time", agent=str(shop.alice.id), **WEEK)
    assert (promise(alice["totals"], "reached"), promise(alice["totals"], "answered")) == ((1, 1, 1.0), (2, 1, 0.5))
    assert alice["agent"] == shop.alice.id


async def test_per_agent_workload_and_compliance(bot, shop):
    _, report = await get(bot, shop, "/api/reports/agents", **WEEK)
    rows = {(row["bucket"], row["agent"]): row for row in report["rows"]}
    assert list(rows) == [("2026-11-20", "alice"), ("2026-11-21", "bob"), ("2026-11-22", "bob"),
                          ("2026-11-23", "bob")]
    assert (rows["2026-11-20", "alice"]["taken"], rows["2026-11-20", "alice"]["messages"]) == (1, 3)
    assert promise(rows["2026-11-20", "alice"], "answered") == (2, 1, 0.5)
    assert (rows["2026-11-21", "bob"]["taken"], rows["2026-11-21", "bob"]["messages"]) == (1, 2)
    assert promise(rows["2026-11-21", "bob"], "reached") == (1, 0, 0.0)
    assert (rows["2026-11-22", "bob"]["taken"], promise(rows["2026-11-22", "bob"], "reached")) == (1, (0, 0, None))
    assert promise(rows["2026-11-23", "bob"], "acknowledged") == (1, 0, 0.0)
    totals = report["totals"]
    assert (totals["taken"], totals["messages"]) == (3, 5)
    assert promise(totals, "reached") == (2, 1, 0.5)  # conv3's unreached escalation is nobody's
    assert promise(totals, "answered") == (4, 1, 0.25)
    _, bob_only = await get(bot, shop, "/api/reports/agents", agent=str(shop.bob.id), bucket="week", **WEEK)
    assert [(row["bucket"], row["agent"]) for row in bob_only["rows"]] == [("2026-W47", "bob"), ("2026-W48", "bob")]
    assert (bob_only["totals"]["taken"], bob_only["totals"]["messages"]) == (2, 2)


async def test_referral_counts_and_rate(bot, shop):
    _, report = await get(bot, shop, "/api/reports/referrals", bucket="month", **{"from": "2026-11-01",
                                                                                     "to": "2026-11-30"})
    [month] = report["rows"]
    assert (month["cards_issued"], month["first_visits"], month["conversions"], month["conversion_rate"]) == (
        2, 2, 1, 0.5)
    _, days = await get(bot, shop, "/api/reports/referrals", **WEEK)
    rows = by_bucket(days)
    assert (rows["2026-11-20"]["first_visits"], rows["2026-11-20"]["conversions"]) == (1, 0)
    assert (rows["2026-11-21"]["first_visits"], rows["2026-11-21"]["conversions"]) == (1, 1)
    _, wechat = await get(bot, shop, "/api/reports/referrals", channel="wechat", **WEEK)
    assert (wechat["totals"]["first_visits"], wechat["totals"]["conversions"]) == (1, 0)


async def test_after_sales_completion(bot, shop):
    _, report = await get(bot, shop, "/api/reports/after_sales", **WEEK)
    rows = by_bucket(report)
    assert (rows["2026-11-20"]["filed"], rows["2026-11-20"]["completed"], rows["2026-11-20"]["money_fen"]) == (
        1, 1, 1500)
    assert (rows["2026-11-21"]["filed"], rows["2026-11-21"]["completed"], rows["2026-11-21"]["completion_rate"]) == (
        2, 1, 0.5)
    assert (report["totals"]["filed"], report["totals"]["completed"], report["totals"]["completion_rate"],
            report["totals"]["resolved"]) == (3, 2, 0.6667, 1)
    _, alice = await get(bot, shop, "/api/reports/after_sales", agent=str(shop.alice.id), **WEEK)
    assert alice["totals"]["filed"] == 1


async def test_roles_errors_and_openapi(bot, shop):
    assert (await get(bot, shop, "/api/reports", role="agent"))[0] == 403
    assert (await bot.client.get("/api/reports/response_time")).status == 401
    status, listing = await get(bot, shop, "/api/reports", role="admin")
    assert status == 200
    assert {"response_time", "agents", "referrals", "after_sales"} <= {r["name"] for r in listing["reports"]}
    assert {a["name"] for a in listing["agents"]} >= {"alice", "bob"}
    status, body = await get(bot, shop, "/api/reports/nothing")
    assert (status, body["error"]["code"]) == (404, "no_such_report")
    status, body = await get(bot, shop, "/api/reports/response_time", bucket="year")
    assert (status, body["error"]["code"]) == (400, "invalid_query")
    status, body = await get(bot, shop, "/api/reports/response_time", **{"from": "2026-11-20", "to": "2026-11-01"})
    assert (status, body["error"]["code"]) == (400, "invalid_period")
    status, body = await get(bot, shop, "/api/reports/response_time", **{"from": "2000-01-01", "to": "2026-11-01"})
    assert (status, body["error"]["code"]) == (400, "invalid_period")
    status, body = await get(bot, shop, "/api/reports/agents", bucket="month", **{"from": "0001-01-01",
                                                                                     "to": "9999-12-31"})
    assert (status, body["error"]["code"]) == (400, "invalid_period")
    status, body = await get(bot, shop, "/api/reports/agents", agent=str(2**40))
    assert (status, body["error"]["code"]) == (400, "invalid_query")
    status, body = await get(bot, shop, "/api/reports/response_time", channel="Web Chat")
    assert (status, body["error"]["code"]) == (400, "invalid_query")
    document = await (await bot.client.get("/api/openapi.json")).json()
    operation = document["paths"]["/api/reports/{name}"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"name", "from", "to", "bucket", "channel", "agent"}
    assert "/api/reports" in document["paths"] and "/api/report-files/{file}" in document["paths"]


async def test_chart_is_svg_drawn_by_the_bot(bot, shop):
    headers = {"Authorization": f"Bearer {shop.tokens['supervisor']}"}
    response = await bot.client.get("/api/reports/response_time/chart.svg", params={**WEEK, "measure": "shares"},
                                    headers=headers)
    assert response.status == 200 and response.content_type == "image/svg+xml"
    drawing = await response.text()
    assert drawing.startswith("<svg") and "接通达标率" in drawing and "2026-11-21" in drawing
    assert "<script" not in drawing


async def test_workbook_sheets_and_totals_equal_the_api(bot, shop):
    params = {"from": "2026-11-01", "to": "2026-11-30", "bucket": "month"}
    headers = {"Authorization": f"Bearer {shop.tokens['supervisor']}"}
    response = await bot.client.get("/api/report-workbook", params=params, headers=headers)
    assert response.status == 200
    book = load_workbook(io.BytesIO(await response.read()))
    _, listing = await get(bot, shop, "/api/reports")
    assert book.sheetnames[1:] == [r["title"] for r in listing["reports"]]
    for info in listing["reports"]:
        _, report = await get(bot, shop, f"/api/reports/{info['name']}", **params)
        assert_sheet_matches(book[info["title"]], report)


def assert_sheet_matches(sheet, report: dict) -> None:
    rows = list(sheet.values)
    assert list(rows[0]) == [c["label"] for c in report["columns"]]
    expected = [*report["rows"], report["totals"]]
    assert len(rows) - 1 == len(expected)
    for written, row in zip(rows[1:], expected, strict=True):
        for cell, column in zip(written, report["columns"], strict=True):
            value = row.get(column["key"])
            if column["kind"] == "money" and value is not None:
                value = value / 100
            if column["kind"] != "text":
                assert cell == value, (sheet.title, column["key"])
    assert rows[-1][0] == "合计"
    if any(c["kind"] == "count" for c in report["columns"]) and report["rows"]:
        assert len(sheet._charts) == 1


async def test_cli_monthly_workbook_agrees_with_the_api(bot, shop, tmp_path, csbot):
    out = tmp_path / "2026-11.xlsx"
    env = {"DATABASE_URL": bot.runtime.settings.database_url, "REPORTS_DIR": str(tmp_path / "kept")}
    result = await csbot.run_async("report", "monthly", "--month", "2026-11", "--out", str(out), env=env)
    assert result.returncode == 0, result.stderr
    book = load_workbook(out)
    assert book["概要"]["B1"].value == "2026-11"
    for name in ("response_time", "agents", "referrals", "after_sales"):
        _, report = await get(bot, shop, f"/api/reports/{name}", bucket="month",
                              **{"from": "2026-11-01", "to": "2026-11-30"})
        assert_sheet_matches(book[report["title"]], report)
    bad = await csbot.run_async("report", "weekly", "--week", "2026-W60", "--out", str(out), env=env)
    assert bad.returncode == 2 and "YYYY-Www" in bad.stderr


def test_a_wrong_area_setting_is_one_line_naming_it(tmp_path, csbot):
    env = {"DATABASE_URL": f"sqlite://{tmp_path / 'cli.sqlite3'}", "RETENTION_MESSAGE_DAYS": "-1"}
    result = csbot("retention", "--dry-run", env=env)
    assert result.returncode == 2
    assert result.stderr.strip() == ("error: invalid setting RETENTION_MESSAGE_DAYS: "
                                     "Input should be greater than or equal to 0")
    counted = csbot("retention", "--dry-run", env={**env, "RETENTION_MESSAGE_DAYS": "30"})
    assert counted.returncode == 0, counted.stderr
    assert json.loads(counted.stdout.splitlines()[-1]) == {"dry_run": True, **dict.fromkeys(
        ("messages", "left_messages", "handover_notes", "photos", "photo_files", "customers_anonymised",
         "orders_anonymised", "cases_anonymised", "days_sealed"), 0), "areas": {
        "archive": {"people": 0, "notes": 0, "tags": 0, "linked_phones": 0}, "callbacks": {"callbacks": 0},
        "complaints": {"complaints": 0}, "referral": {"referral_tags": 0, "referral_notes": 0}}}
