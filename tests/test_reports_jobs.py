"""The monthly workbook made by the server on the fake clock across a month boundary in shop time
(Asia/Shanghai), supervisors told on the console topic and the webhook (R-REPORT-8, R-REPORT-9); and
retention: a dry run counts, a run deletes and anonymises, and the reports keep their totals
(R-RETENTION-1..4)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.clock import FakeClock
from handlers.reports import retention
from handlers.reports.desk import REPORTS
from handlers.reports.settings import RetentionSettings
from models.case import AfterSalesCase, CasePhoto
from models.customer import Customer
from models.message import Message
from models.order import Order
from models.referral import Campaign, Referral, ReferralCard
from models.report import SealedDay
from tests.fakes.bot_app import eventually, make_settings, running_bot
from tests.reports_data import seed_shop
from tests.workbooks import load_workbook

#: 2026-12-01 01:30 in Shanghai: half an hour before the daily job of the 1st.
BEFORE_THE_FIRST = datetime(2026, 11, 30, 17, 30, tzinfo=UTC)


async def referral_visit(campaign: Campaign, referrer: Customer, number: int, at: datetime) -> None:
    friend = await Customer.create(channel="webchat", external_id=f"friend{number}", created_at=at)
    card = await ReferralCard.create(campaign=campaign, referrer=referrer, number=number, code=f"C{number}",
                                     issued_at=at)
    await Referral.create(campaign=campaign, card=card, referrer=referrer, referred=friend, first_visit_at=at,
                          first_visit_channel="webchat")


async def test_monthly_workbook_is_made_on_the_first_in_shop_time_and_supervisors_told(tmp_path):
    received: list[dict] = []

    async def hook(request: web.Request) -> web.Response:
        received.append(await request.json())
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_post("/alert", hook)
    webhook = TestServer(app, host="127.0.0.1", port=0)
    await webhook.start_server()
    clock = FakeClock(BEFORE_THE_FIRST)
    settings = make_settings(tmp_path, alert_webhook_url=str(webhook.make_url("/alert")))
    try:
        async with running_bot(settings, clock=clock) as bot:
            start = datetime(2026, 11, 1, tzinfo=UTC)
            referrer = await Customer.create(channel="webchat", external_id="old", created_at=start)
            campaign = await Campaign.create(name="nov", title="十一月", starts_at=start, ends_at=start + timedelta(60),
                                             tiers={"bounties": [[1, 400000]], "rates": [[1, "0.02"]]},
                                             created_at=start, updated_at=start)
            await referral_visit(campaign, referrer, 1, datetime(2026, 11, 30, 15, 30, tzinfo=UTC))  # 23:30, Nov 30
            await referral_visit(campaign, referrer, 2, datetime(2026, 11, 30, 16, 30, tzinfo=UTC))  # 00:30, Dec 1
            target = tmp_path / "reports" / "monthly-2026-11.xlsx"
            async with bot.runtime.store.subscribe("console") as events:
                await clock.advance(timedelta(minutes=29))
                await bot.runtime.scheduler.run_due()  # a finished pass has fired whatever was due
                assert not target.exists()  # 01:59 in Shanghai: not yet
                await clock.advance(timedelta(minutes=2))
                await eventually(lambda: asyncio.sleep(0, target.exists()), "the monthly workbook", 60)
                event = await asyncio.wait_for(anext(events), 10)
                while event["type"] != "report.ready" or event["kind"] != "monthly":
                    event = await asyncio.wait_for(anext(events), 10)
            assert (event["period"], event["file"]) == ("2026-11", "monthly-2026-11.xlsx")
            await eventually(lambda: asyncio.sleep(0, any(r.get("period") == "2026-11" for r in received)),
                             "the webhook", 10)
            book = load_workbook(target)
            sheet = book["转介绍月报（转介绍量、转介绍率）"]
            rows = list(sheet.values)
            assert rows[1][:4] == ("2026-11", 1, 1, 0)  # the card and visit at 00:30 on Dec 1 are December's
            assert rows[-1][0] == "合计"
            made = target.stat().st_mtime_ns
            await bot.runtime.run_daily()  # again the same day: the workbook is not made twice
            assert target.stat().st_mtime_ns == made
            assert sum(1 for r in received if r.get("kind") == "monthly") == 1
            headers = {"Authorization": f"Bearer {(await seed_shop()).tokens['supervisor']}"}
            listing = await (await bot.client.get("/api/report-files", headers=headers)).json()
            assert "monthly-2026-11.xlsx" in [f["name"] for f in listing["files"]]
            download = await bot.client.get("/api/report-files/monthly-2026-11.xlsx", headers=headers)
            assert download.status == 200 and await download.read() == target.read_bytes()
            assert (await bot.client.get("/api/report-files/..%2Fbot.sqlite3", headers=headers)).status == 404
    finally:
        await webhook.close()


async def totals(bot, token: str, name: str) -> dict:
    response = await bot.client.get(f"/api/reports/{name}", params={"from": "2026-11-01", "to": "2026-11-30"},
                                    headers={"Authorization": f"Bearer {token}"})
    return (await response.json())["totals"]


async def test_retention_dry_run_counts_run_deletes_and_reports_keep_their_totals(bot, clock, monkeypatch):
    shop = await seed_shop()
    photo_dir = bot.runtime.settings.after_sales_upload_dir
    photo_dir.mkdir(parents=True, exist_ok=True)
    (photo_dir / ("a" * 64 + ".jpg")).write_bytes(b"jpeg")
    case = await AfterSalesCase.get(case_no="AS20261120-0001")
    await CasePhoto.create(case=case, url="/api/after-sales/photos/" + "a" * 64 + ".jpg", source_key="x",
                           created_at=clock.now())
    token = shop.tokens["supervisor"]
    before = {name: await totals(bot, token, name) for name in ("agents", "response_time", "after_sales")}
    settings = bot.runtime.settings.area(RetentionSettings)
    for kind in ("message_days", "upload_days", "archive_days"):  # c1's last contact was 11-20, 3 days ago
        monkeypatch.setattr(settings, kind, 2)

    dry = await retention.run(bot.runtime.services[REPORTS], apply=False)
    assert (dry.messages, dry.photos, dry.customers_anonymised, dry.orders_anonymised, dry.cases_anonymised) == (
        4, 1, 1, 1, 1)  # c1 only: c2 has an open case, c3 an open conversation
    assert await Message.all().count() == 6 and await SealedDay.all().count() == 0  # nothing changed

    done = await retention.run(bot.runtime.services[REPORTS], apply=True)
    assert (done.messages, done.photos, done.photo_files, done.customers_anonymised) == (4, 1, 1, 1)
    assert done.days_sealed >= 2
    assert await Message.filter(conversation__customer_id=shop.customers["c1"].id).count() == 0
    assert await Message.all().count() == 2  # bob's messages to c2 stay
    c1 = await Customer.get(id=shop.customers["c1"].id)
    assert (c1.name, c1.phone) == (None, None)
    assert (await Order.get(order_no="E2026112000001")).phone is None
    assert (await AfterSalesCase.get(case_no="AS20261120-0001")).description == ""
    assert not (photo_dir / ("a" * 64 + ".jpg")).exists()
    assert (await Customer.get(id=shop.customers["c2"].id)).phone == "13800000000"
    after = {name: await totals(bot, token, name) for name in before}
    assert after == before  # alice's 3 messages still counted, from the sealed day
    assert after["agents"]["messages"] == 5
    again = await retention.run(bot.runtime.services[REPORTS], apply=True)
    assert (again.messages, again.customers_anonymised, again.days_sealed) == (0, 0, 0)


async def test_reports_and_retention_on_postgresql(tmp_path, migrated_postgres_url, clock):
    async with running_bot(make_settings(tmp_path, database_url=migrated_postgres_url), clock=clock) as bot:
        shop = await seed_shop()
        token = shop.tokens["supervisor"]
        response = await totals(bot, token, "response_time")
        assert (response["reached_due"], response["acknowledged_due"], response["answered_due"]) == (3, 3, 4)
        before = await totals(bot, token, "agents")
        settings = bot.runtime.settings.area(RetentionSettings)
        settings.message_days = settings.upload_days = settings.archive_days = 2
        done = await retention.run(bot.runtime.services[REPORTS], apply=True)
        assert (done.messages, done.customers_anonymised) == (4, 1)
        assert await totals(bot, token, "agents") == before
