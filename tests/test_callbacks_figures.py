"""The callback figures (docs/rules.md R-CALLBACK-8) against hand-computed data: the same numbers from
the API, the report spec and `csbot callbacks stats`, and `csbot callbacks due` masking customers."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.reports import ReportQuery
from bot.web.auth import create_agent, issue_api_token
from handlers.callbacks.stats import REPORT, month_figures
from models.callback import Callback, CallbackTask
from models.customer import Customer

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOV = 11


@pytest.fixture
def bot_ticker():
    return False


def nov(day: int, hour: int = 4) -> datetime:
    return datetime(2026, NOV, day, hour, tzinfo=UTC)


async def callback(n: int, kind: str, due: datetime, state: str, done: datetime | None = None,
                   rating: str | None = None, *, phone: str | None = None) -> None:
    customer = await Customer.create(channel="webchat", external_id=f"fig{n}", name="王小明", phone=phone,
                                     created_at=due)
    task = await CallbackTask.create(customer=customer, state=state, start_at=due, done_at=done, rating=rating,
                                     open_key=None if state in ("done", "failed") else customer.id,
                                     way="phone", created_at=due, updated_at=due)
    await Callback.create(customer=customer, task=task, kind=kind, source_key=f"test:{n}", due_at=due,
                          deadline_at=due + timedelta(days=3), created_at=due)


async def hand_made_month() -> None:
    await callback(1, "buyer", nov(2), "done", nov(3), "satisfied")  # on time
    await callback(2, "buyer", nov(5), "done", nov(10), "neutral")  # reached, late
    await callback(3, "buyer", nov(6), "failed")  # not reached
    await callback(4, "buyer", nov(7), "phone", phone="13912345678")  # still open: counts as not reached
    await callback(5, "after_sales", nov(10), "done", nov(11), "unsatisfied")
    await callback(6, "after_sales", nov(12), "done", nov(12))  # reached, declined to rate
    await callback(7, "complaint", nov(15), "done", nov(15), "satisfied")
    await callback(8, "buyer", datetime(2026, 10, 31, 12, tzinfo=UTC), "done", nov(1), "satisfied")  # October
    await callback(9, "buyer", nov(25), "scheduled")  # not due yet (the clock says 23 November)


EXPECTED = {
    "buyer": (4, 2, 1, 2, 1, 0.5, 0.25, 0.5),
    "after_sales": (2, 2, 2, 1, 0, 1.0, 1.0, 0.0),
    "complaint": (1, 1, 1, 1, 1, 1.0, 1.0, 1.0),
    "prospect": (0, 0, 0, 0, 0, None, None, None),
}
ALL = (7, 5, 4, 4, 2, 5 / 7, 4 / 7, 0.5)
KEYS = ("due", "reached", "on_time", "rated", "satisfied", "success_rate", "compliance", "satisfaction")


def as_tuple(figures: dict) -> tuple:
    return tuple(pytest.approx(figures[key]) if isinstance(figures[key], float) else figures[key] for key in KEYS)


async def test_figures_per_kind_and_month_match_the_hand_count(bot, clock):
    await hand_made_month()
    figures = await month_figures("2026-11", clock.now(), SHANGHAI)
    for kind, expected in EXPECTED.items():
        assert as_tuple(figures["kinds"][kind]) == expected, kind
    assert as_tuple(figures["all"]) == ALL
    assert figures["all"]["meets_targets"] == {"success_rate": False, "compliance": False, "satisfaction": False}
    assert figures["kinds"]["complaint"]["meets_targets"] == {"success_rate": True, "compliance": True,
                                                              "satisfaction": True}
    october = await month_figures("2026-10", clock.now(), SHANGHAI)
    assert as_tuple(october["all"])[:3] == (1, 1, 1)


async def test_the_api_and_the_report_show_the_same_numbers(bot, clock):
    await hand_made_month()
    token = await issue_api_token(await create_agent("sup", "supervisor", "secret-pass-123"))
    response = await bot.client.get("/api/callbacks/stats?month=2026-11", headers={"Authorization": f"Bearer {token}"})
    assert response.status == 200
    body = await response.json()
    assert as_tuple(body["all"]) == ALL and as_tuple(body["kinds"]["buyer"]) == EXPECTED["buyer"]
    bad = await bot.client.get("/api/callbacks/stats?month=0000-07", headers={"Authorization": f"Bearer {token}"})
    assert bad.status == 400 and (await bad.json())["error"]["code"] == "invalid_query"
    start = datetime(2026, NOV, 1, tzinfo=SHANGHAI)
    table = await REPORT.build(bot.runtime, ReportQuery(start=start, end=datetime(2026, 12, 1, tzinfo=SHANGHAI),
                                                        bucket="month"))
    buyer = next(row for row in table.rows if row["kind"] == "成交回访")
    assert (buyer["period"], buyer["due"], buyer["success_rate"]) == ("2026-11", 4, 0.5)
    assert table.totals["due"] == 7 and table.totals["compliance"] == pytest.approx(4 / 7)


async def test_the_command_line_prints_the_figures_and_the_due_list_masked(bot, clock, csbot):
    await hand_made_month()
    await CallbackTask.filter(customer__external_id="fig9").delete()  # the command runs on the real clock
    await Callback.filter(source_key="test:9").delete()
    env = {"DATABASE_URL": bot.runtime.settings.database_url}

    async def cli(*args: str):
        return await csbot.run_async("callbacks", *args, env=env)

    result = await cli("stats", "--month", "2026-11", "--json")
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    assert as_tuple(figures["all"]) == ALL
    table = await cli("stats", "--month", "2026-11")
    assert "回访成功率" in table.stdout and "71.4%" in table.stdout  # 5 of 7
    due = await cli("due", "--json")
    lines = [json.loads(line) for line in due.stdout.splitlines()]
    assert [(line["kinds"], line["customer"], line["phone"], line["way"]) for line in lines] == [
        (["buyer"], "王*明", "139****5678", "phone")]
    assert "13912345678" not in due.stdout and "王小明" not in due.stdout
    bad = await cli("stats", "--month", "2026-13")
    assert bad.returncode == 2 and "2026-13" in bad.stderr
