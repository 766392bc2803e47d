"""The campaign's public pages over HTTP (landing page, card image, honour board), the admin API's
roles, the OpenAPI document, the customer's standing in chat, and the `campaign` command."""

from __future__ import annotations

import argparse
import io

import pytest
from PIL import Image

from bot.web.auth import create_agent, issue_api_token
from handlers.referral import cli
from handlers.referral.jobs import demo_data, settle_all
from handlers.referral.names import mask
from handlers.referral.settings import ReferralSettings
from models.customer import Customer
from models.referral import Campaign, ReferralCard
from tests.fakes.bot_app import make_settings, running_bot
from tests.test_referral_support import card_code, customer, desk, new_campaign, paid_order, say, web_visit


@pytest.fixture
def bot_settings():
    return {"shop_name": "小蜜优选"}


@pytest.fixture
def bot_ticker():
    return False


async def convert(bot, referrer: str, friend: str, order_no: str) -> None:
    await web_visit(bot.client, await card_code(bot.client, referrer), friend)
    await paid_order(order_no, 100, bot.runtime.clock.now(), customer_id=(await customer("webchat", friend)).id)
    await settle_all(desk(bot))


async def test_the_landing_page_is_a_real_mobile_page_that_counts_opens(bot):
    await new_campaign(bot.runtime, landing_text="新客首单立减20元")
    code = await card_code(bot.client, "old1")
    await Customer.filter(external_id="old1").update(name="欧阳娜娜")
    response = await bot.client.get(f"/r/{code}")
    page = await response.text()
    assert response.status == 200 and response.content_type == "text/html"
    assert 'name="viewport"' in page and "春季老带新" in page and "新客首单立减20元" in page
    assert "欧**娜" in page and "欧阳娜娜" not in page
    assert f'data-code="{code}"' in page and '<figure class="follow" hidden>' in page  # no WeChat here
    await bot.client.get(f"/r/{code}")
    assert (await ReferralCard.get(code=code)).opens == 2
    assert (await bot.client.get("/referral/static/landing.js")).status == 200
    assert (await bot.client.get("/referral/static/referral.css")).status == 200


async def test_the_card_image_is_a_png_with_the_links_qr_code(bot):
    await new_campaign(bot.runtime)
    code = await card_code(bot.client, "old1")
    response = await bot.client.get(f"/r/{code}/card.png")
    assert response.status == 200 and response.content_type == "image/png"
    image = Image.open(io.BytesIO(await response.read()))
    assert image.format == "PNG" and image.width >= 250
    assert (await bot.client.get(f"/r/{code}/follow.png")).status == 404  # the shop is not on WeChat


async def test_the_honour_board_ranks_referrers_with_masked_names(bot):
    await new_campaign(bot.runtime)
    for n in range(2):
        await convert(bot, "top", f"top-friend-{n}", f"T{n}")
    await convert(bot, "second", "second-friend", "S0")
    await convert(bot, "third", "third-friend", "U0")
    await web_visit(bot.client, await card_code(bot.client, "nobody-bought"), "just-looking")
    await Customer.filter(external_id="top").update(name="张三丰")
    await Customer.filter(external_id="second").update(name="<b>李四</b>")
    await Customer.filter(external_id="third").update(phone="13912345678")
    response = await bot.client.get("/referral/spring/board")
    page = await response.text()
    assert response.status == 200 and "转介绍荣誉展板" in page
    rows = page.split("<tbody>")[1].split("</tbody>")[0].strip().splitlines()
    assert rows[0] == '<tr><td class="rank">1</td><td>张*丰</td><td class="count">2</td></tr>'
    assert rows[1] == '<tr><td class="rank">2</td><td>&lt;*******&gt;</td><td class="count">1</td></tr>'
    assert rows[2] == '<tr><td class="rank">2</td><td>尾号5678的顾客</td><td class="count">1</td></tr>'
    assert len(rows) == 3 and "张三丰" not in page and "<b>" not in page
    assert (await bot.client.get("/referral/nothing/board")).status == 404


async def test_the_board_shows_names_as_the_shop_configures(tmp_path, clock):
    settings = make_settings(tmp_path).with_areas(ReferralSettings.load(board_names="initial"))
    async with running_bot(settings, clock=clock) as running:
        await running.runtime.scheduler.stop()
        await new_campaign(running.runtime)
        await convert(running, "top", "friend", "T0")
        await Customer.filter(external_id="top").update(name="张三丰")
        assert "<td>张**</td>" in await (await running.client.get("/referral/spring/board")).text()
        empty = await Campaign.create(name="empty", title="空", starts_at=running.runtime.clock.now(),
                                      ends_at=running.runtime.clock.now(), tiers={"bounties": [[1, 1]],
                                                                                  "rates": [[1, "0.01"]]},
                                      created_at=running.runtime.clock.now(), updated_at=running.runtime.clock.now())
        page = await (await running.client.get(f"/referral/{empty.name}/board")).text()
        assert '<p class="empty">' in page  # shown


@pytest.mark.parametrize(("name", "style", "shown"), [("张三丰", "masked", "张*丰"), ("张三", "masked", "张*"),
                                                      ("欧阳娜娜", "initial", "欧***"), ("王", "masked", "王"),
                                                      ("张三丰", "full", "张三丰")])
def test_name_masking(name, style, shown):
    assert mask(name, style) == shown


async def test_a_customer_asks_for_their_standing(bot):
    await new_campaign(bot.runtime)
    assert "还没有好友" in (await say(bot.client, "old1", "我推荐了几个朋友"))[0]
    await web_visit(bot.client, await card_code(bot.client, "old1"), "f1")
    assert "已邀请1位好友" in (await say(bot.client, "old1", "我推荐了几个朋友"))[0]
    await convert(bot, "old1", "f2", "O2")
    reply = (await say(bot.client, "old1", "我邀请了几个人"))[0]
    assert "已邀请2位好友" in reply and "1位已成交" in reply and "¥4000" in reply and "第1名" in reply


async def staff(bot, role: str) -> dict[str, str]:
    agent = await create_agent(f"{role}-1", role, "secret-pass-123")
    return {"Authorization": f"Bearer {await issue_api_token(agent)}"}


async def test_the_admin_api_checks_roles(bot):
    admin, supervisor, agent = (await staff(bot, "admin"), await staff(bot, "supervisor"),
                                await staff(bot, "agent"))
    body = {"name": "summer", "title": "夏季推荐有礼", "starts_on": "2026-11-01", "ends_on": "2026-12-31",
            "rates": "1:1%,3:2%"}
    assert (await bot.client.post("/api/referral/campaigns", json=body)).status == 401
    assert (await bot.client.post("/api/referral/campaigns", json=body, headers=supervisor)).status == 403
    created = await bot.client.post("/api/referral/campaigns", json=body, headers=admin)
    assert created.status == 201
    summer = await created.json()
    assert summer["active"] and summer["rates"] == "1:1%,3:2%" and summer["bounties"] == "1:4000,4:5000,7:6000"
    assert summer["max_cards"] == 5
    assert (await bot.client.post("/api/referral/campaigns", json=body, headers=admin)).status == 400
    listed = await bot.client.get("/api/referral/campaigns", headers=supervisor)
    assert [c["name"] for c in (await listed.json())["campaigns"]] == ["summer"]
    assert (await bot.client.get("/api/referral/campaigns", headers=agent)).status == 403
    patch = await bot.client.patch("/api/referral/campaigns/summer", json={"max_cards": 3}, headers=admin)
    assert patch.status == 200 and (await patch.json())["max_cards"] == 3
    assert (await bot.client.patch("/api/referral/campaigns/summer", json={"max_cards": 3},
                                   headers=supervisor)).status == 403
    bad = await bot.client.patch("/api/referral/campaigns/summer", json={"share_copy": "不行就算了"}, headers=admin)
    assert bad.status == 400 and "不行" in (await bad.json())["error"]["message"]
    assert (await bot.client.patch("/api/referral/campaigns/summer", json={"ends_on": "2026-10-01"},
                                   headers=admin)).status == 400
    stats = await bot.client.get("/api/referral/campaigns/summer/stats", headers=supervisor)
    assert stats.status == 200 and (await stats.json())["cards_issued"] == 0
    assert (await bot.client.get("/api/referral/campaigns/summer/stats", headers=agent)).status == 403
    assert (await bot.client.get("/api/referral/campaigns/winter/stats", headers=admin)).status == 404
    rejections = await bot.client.get("/api/referral/campaigns/summer/rejections", headers=admin)
    assert (await rejections.json()) == {"rejections": []}


async def test_stats_count_cards_opens_visits_conversions_rewards_and_rejections(bot):
    await new_campaign(bot.runtime)
    code = await card_code(bot.client, "old1")
    await bot.client.get(f"/r/{code}")
    await web_visit(bot.client, code, "f1")
    await web_visit(bot.client, code, "f2")  # card_used
    await web_visit(bot.client, await card_code(bot.client, "old2"), "old2")  # self_referral
    await paid_order("O1", 500, bot.runtime.clock.now(), customer_id=(await customer("webchat", "f1")).id)
    await settle_all(desk(bot))
    stats = await (await bot.client.get("/api/referral/campaigns/spring/stats",
                                        headers=await staff(bot, "admin"))).json()
    assert stats["cards_issued"] == 2 and stats["link_opens"] == 1
    assert stats["first_visits"] == 1 and stats["conversions"] == 1 and stats["conversion_rate"] == "100.0%"
    assert stats["rewards_fen"] == {"bounty": 400_000, "commission": 0, "total": 400_000}
    assert stats["rejections"] == {"card_used": 1, "self_referral": 1}
    assert stats["by_month"] == [{"month": "2026-11", "first_visits": 1, "conversions": 1,
                                  "conversion_rate": "100.0%"}]


async def test_the_openapi_document_has_the_referral_paths(bot):
    document = await (await bot.client.get("/api/openapi.json")).json()
    assert {"/api/referral/campaigns", "/api/referral/campaigns/{name}/stats",
            "/api/referral/referrals/{id}/confirm", "/api/referral/follow-ups"} <= set(document["paths"])


async def test_demo_data_makes_an_active_demo_campaign_once(bot):
    await demo_data(bot.runtime.kit)
    await demo_data(bot.runtime.kit)
    [demo] = await Campaign.filter(name="demo")
    assert demo.starts_at <= bot.runtime.clock.now() < demo.ends_at
    assert code_of(await say(bot.client, "someone", "推荐好友"))


def code_of(replies: list[str]) -> bool:
    return any("/r/" in reply for reply in replies)


async def test_campaign_stats_and_a_dry_run_print_for_marketing(bot, capsys):
    await new_campaign(bot.runtime)
    await convert(bot, "old1", "f1", "O1")
    await web_visit(bot.client, await card_code(bot.client, "old1"), "old1")
    await cli._stats(argparse.Namespace(name="spring", json=False), desk(bot))
    out = capsys.readouterr().out
    assert "cards issued    2" in out and "conversions     1 (100.0%)" in out
    assert "rewards         ¥4000 (bounties ¥4000, commissions ¥0)" in out and "self_referral 1" in out
    await Customer.filter(external_id="f1").update(is_vip=True, name="赵六")
    await cli._push(argparse.Namespace(name="spring", segment="members", since=None, until=None, dry_run=True),
                    desk(bot))
    out = capsys.readouterr().out
    assert "webchat" in out and "赵*" in out and "dry run: 1 customers; webchat 1" in out


def test_the_campaign_command_creates_lists_and_reports(tmp_path, monkeypatch, capsys):
    from bot import cli

    monkeypatch.chdir(tmp_path)  # no developer's .env
    monkeypatch.setenv("DATABASE_URL", f"sqlite://{tmp_path / 'cli.sqlite3'}")
    for name in ("REDIS_URL", "WECHAT_TOKEN", "REFERRAL_SECRET"):
        monkeypatch.delenv(name, raising=False)

    def run(*args: str) -> tuple[int, str, str]:
        status = cli.main(["campaign", *args])
        out, err = capsys.readouterr()
        return status, out, err

    status, out, err = run("create", "autumn", "--title", "秋季老带新", "--start", "2000-01-01", "--end", "2099-12-31",
                           "--rates", "1:2%,4:2.5%,7:3%", "--max-cards", "5")
    assert status == 0, err
    assert '"name": "autumn"' in out and '"active": true' in out
    assert run("create", "autumn", "--title", "x", "--start", "2000-01-01", "--end", "2000-01-02")[0] == 2
    status, out, _ = run("list")
    assert status == 0 and "autumn" in out and "秋季老带新" in out
    status, out, err = run("stats", "autumn")
    assert status == 0, err
    assert "cards issued    0" in out and "rejections      none" in out
    status, _, err = run("stats", "nothing")
    assert status == 2 and "no campaign named 'nothing'" in err
