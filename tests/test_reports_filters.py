"""Every report's channel and agent filters and buckets through real HTTP (docs/reports.md "Filters"):
the callbacks and complaint reports filtered against the hand-worked week of tests/reports_data.py,
a filter a report declares not applicable refused with a labelled 400 (API and chart), the listing
saying which filters apply, and a filtered workbook equal to the API report by report; on SQLite and
PostgreSQL."""

from __future__ import annotations

import io

import pytest

from bot.reports import ReportSpec
from tests.reports_data import seed_callbacks, seed_complaints, seed_shop
from tests.test_reports import WEEK, assert_sheet_matches, get
from tests.workbooks import load_workbook


@pytest.fixture(params=["sqlite", "postgres"])
def bot_settings(request: pytest.FixtureRequest) -> dict:
    """The filters' joins on both databases (PostgreSQL built by the migrations)."""
    return {"database_url": request.getfixturevalue("migrated_postgres_url")} if request.param == "postgres" else {}


@pytest.fixture
async def shop(bot):
    shop = await seed_shop()
    await seed_callbacks(shop)
    await seed_complaints(shop)
    return shop


def figures(row: dict) -> tuple:
    return (row["due"], row["reached"], row["on_time"], row["rated"], row["satisfied"], row["success_rate"],
            row["compliance"], row["satisfaction"])


def rows_of(report: dict, *keys: str) -> dict[tuple, dict]:
    return {tuple(row[key] for key in keys): row for row in report["rows"]}


async def test_callbacks_by_channel_agent_and_bucket(bot, shop):
    _, everyone = await get(bot, shop, "/api/reports/callbacks", **WEEK)
    # cb1..cb4 due by now (cb5 is not due yet): reached cb1 and cb3, on time cb1 only, rated both
    assert figures(everyone["totals"]) == (4, 2, 1, 2, 1, 0.5, 0.25, 0.5)
    assert list(rows_of(everyone, "period", "kind")) == [("2026-11-20", "成交回访"), ("2026-11-21", "售后回访"),
                                                         ("2026-11-21", "成交回访"), ("2026-11-22", "投诉回访")]
    _, web = await get(bot, shop, "/api/reports/callbacks", channel="webchat", **WEEK)
    assert (web["channel"], figures(web["totals"])) == ("webchat", (2, 2, 1, 2, 1, 1.0, 0.5, 0.5))
    _, wechat = await get(bot, shop, "/api/reports/callbacks", channel="wechat", **WEEK)
    assert figures(wechat["totals"])[:3] == (2, 0, 0)  # cb2 still on the phone list, cb4 without a task
    _, alice = await get(bot, shop, "/api/reports/callbacks", agent=str(shop.alice.id), **WEEK)
    assert figures(alice["totals"]) == (1, 1, 1, 1, 1, 1.0, 1.0, 1.0)
    _, bob = await get(bot, shop, "/api/reports/callbacks", agent=str(shop.bob.id), bucket="week", **WEEK)
    assert figures(bob["totals"]) == (2, 1, 0, 1, 0, 0.5, 0.0, 0.0)  # cb4 is nobody's, so not bob's
    assert list(rows_of(bob, "period", "kind")) == [("2026-W47", "售后回访"), ("2026-W47", "成交回访")]
    _, both = await get(bot, shop, "/api/reports/callbacks", agent=str(shop.bob.id), channel="webchat",
                        bucket="month", **WEEK)
    assert [(row["period"], figures(row)[:3]) for row in both["rows"]] == [("2026-11", (1, 1, 0))]  # cb3
    assert everyone["columns"][0]["label"] == "时间"  # not 月份: the buckets may be days or weeks


async def test_complaint_categories_by_channel_and_owner(bot, shop):
    _, everyone = await get(bot, shop, "/api/reports/complaint_categories", **WEEK)
    assert (everyone["totals"]["count"], everyone["totals"]["major"], everyone["totals"]["closed"]) == (4, 1, 1)
    _, alice = await get(bot, shop, "/api/reports/complaint_categories", agent=str(shop.alice.id), **WEEK)
    assert (alice["totals"]["count"], alice["totals"]["major"], alice["totals"]["closed"]) == (2, 1, 1)  # k1, k2
    assert [(r["period"], r["category"], r["cause"]) for r in alice["rows"]] == [
        ("2026-11-20", "服务", "未调查"), ("2026-11-21", "产品", "质量问题")]
    _, bob = await get(bot, shop, "/api/reports/complaint_categories", agent=str(shop.bob.id), **WEEK)
    assert [(r["period"], r["count"]) for r in bob["rows"]] == [("2026-11-22", 1)]  # k3, 00:30 shop time
    _, wechat_alice = await get(bot, shop, "/api/reports/complaint_categories", channel="wechat",
                                agent=str(shop.alice.id), bucket="week", **WEEK)
    assert [(r["period"], r["category"], r["count"]) for r in wechat_alice["rows"]] == [("2026-W47", "产品", 1)]


async def test_service_complaints_per_agent_by_channel(bot, shop):
    _, everyone = await get(bot, shop, "/api/reports/complaint_service_agents", role="admin", **WEEK)
    assert [(r["period"], r["agent"], r["count"], r["serious"]) for r in everyone["rows"]] == [
        ("2026-11-20", "bob", 1, 0), ("2026-11-22", "alice", 1, 0), ("2026-11-22", "bob", 1, 1)]
    _, wechat = await get(bot, shop, "/api/reports/complaint_service_agents", role="admin", channel="wechat", **WEEK)
    assert [(r["period"], r["agent"], r["count"], r["serious"]) for r in wechat["rows"]] == [
        ("2026-11-22", "bob", 1, 1)]
    _, web_bob = await get(bot, shop, "/api/reports/complaint_service_agents", role="admin", channel="webchat",
                           agent=str(shop.bob.id), bucket="month", **WEEK)
    assert ([(r["period"], r["agent"]) for r in web_bob["rows"]], web_bob["totals"]["count"]) == (
        [("2026-11", "bob")], 1)


async def test_a_filter_not_applicable_is_refused_with_a_labelled_400(bot, shop):
    status, body = await get(bot, shop, "/api/reports/referrals", agent=str(shop.alice.id), **WEEK)
    assert status == 400
    assert body["error"]["code"] == "filter_not_applicable"
    assert (body["error"]["filters"], body["error"]["allowed"]) == (["agent"], ["channel"])
    headers = {"Authorization": f"Bearer {shop.tokens['supervisor']}"}
    chart = await bot.client.get("/api/reports/referrals/chart.svg", params={**WEEK, "agent": str(shop.alice.id)},
                                 headers=headers)
    assert (chart.status, (await chart.json())["error"]["code"]) == (400, "filter_not_applicable")
    status, _ = await get(bot, shop, "/api/reports/referrals", channel="wechat", **WEEK)  # channel still applies
    assert status == 200
    labels = await (await bot.client.get("/api/labels", headers=headers)).json()
    assert "filter_not_applicable" in str(labels)
    _, listing = await get(bot, shop, "/api/reports", role="admin")
    declared = {r["name"]: (sorted(r["filters"]), r["not_applicable"]) for r in listing["reports"]}
    assert declared["referrals"] == (["channel"], ["agent"])
    for name in ("response_time", "agents", "after_sales", "callbacks", "complaint_categories",
                 "complaint_service_agents"):
        assert declared[name] == (["agent", "channel"], []), name


def test_a_report_must_account_for_every_filter():
    async def build(runtime, query):
        raise AssertionError("never built")

    with pytest.raises(ValueError, match="'quiet'"):
        ReportSpec("quiet", "reports.title_agents", build, ("channel",))
    with pytest.raises(ValueError, match="'twice'"):
        ReportSpec("twice", "reports.title_agents", build, ("channel", "agent"), not_applicable=("agent",))
    assert ReportSpec("ok", "reports.title_agents", build, ("channel",), not_applicable=("agent",)).filters


async def test_a_filtered_workbook_equals_the_api_report_by_report(bot, shop):
    params = {**WEEK, "bucket": "week", "agent": str(shop.bob.id)}
    headers = {"Authorization": f"Bearer {shop.tokens['supervisor']}"}
    response = await bot.client.get("/api/report-workbook", params=params, headers=headers)
    assert response.status == 200
    book = load_workbook(io.BytesIO(await response.read()))
    cover = {row[0]: row[1:] for row in book["概要"].values if row and row[0]}
    assert cover["客服筛选"][0] == "bob"
    _, listing = await get(bot, shop, "/api/reports")
    for info in listing["reports"]:
        narrowed = {k: v for k, v in params.items() if k != "agent" or "agent" in info["filters"]}
        _, report = await get(bot, shop, f"/api/reports/{info['name']}", **narrowed)
        assert_sheet_matches(book[info["title"]], report)
        note = cover[info["title"]][0]
        assert (note == "本表不适用客服筛选，为全部数据") == ("agent" in info["not_applicable"]), info["name"]
    _, bob_callbacks = await get(bot, shop, "/api/reports/callbacks", **params)
    assert bob_callbacks["totals"]["due"] == 2  # the sheet compared above is bob's, not the shop's 4


async def test_the_workbook_is_named_by_its_last_day_included(bot, shop):
    headers = {"Authorization": f"Bearer {shop.tokens['supervisor']}"}
    response = await bot.client.get("/api/report-workbook", params={"from": "2026-02-01", "to": "2026-02-28"},
                                    headers=headers)
    assert response.status == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="reports-2026-02-01_2026-02-28.xlsx"'
    book = load_workbook(io.BytesIO(await response.read()))
    cover = [row for row in book["概要"].values if row and row[0]]
    assert "2026-02-01_2026-02-28" in cover[0]  # the cover's period, as the file's name
    assert not any("2026-03-01" in str(cell) for row in cover for cell in row)


async def test_a_channel_or_agent_the_shop_never_had_is_refused(bot, shop):
    for path in ("/api/reports/callbacks", "/api/report-workbook", "/api/reports/callbacks/chart.svg"):
        status, body = await get(bot, shop, path, channel="telegram", **WEEK)
        assert (status, body["error"]["code"]) == (400, "unknown_channel"), path
        assert "webchat" in body["error"]["allowed"]
        status, body = await get(bot, shop, path, agent="999", **WEEK)
        assert (status, body["error"]["code"]) == (400, "unknown_agent"), path
    status, _ = await get(bot, shop, "/api/reports/callbacks", channel="wechat", agent=str(shop.bob.id), **WEEK)
    assert status == 200  # channels the shop's data has (WeChat's, even where it no longer runs), its agents
