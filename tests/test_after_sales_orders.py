"""Orders from the shop: CSV/XLSX import (all or nothing), and the ERP as a live source in the chat."""

from __future__ import annotations

import asyncio
import csv
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot import cli
from bot.clock import FakeClock
from handlers.after_sales.importer import COLUMNS, import_orders
from handlers.after_sales.settings import AfterSalesSettings, ErpSettings
from models.case import AfterSalesCase
from models.conversation import Conversation
from models.message import Message
from models.order import Order
from tests.fakes.bot_app import make_settings, running_bot, visitor_headers
from tests.fakes.erp_server import TOKEN, FakeErp, order_object, seed_orders

ZONE = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
HEADER = ["订单编号", "买家ID", "联系手机", "宝贝标题", "购买数量", "单价", "订单状态", "付款时间", "发货时间",
          "物流公司", "物流单号", "物流状态", "物流更新时间"]
GOOD = [
    ["E2026112000001", "webchat:alice", "13800000001", "陶瓷马克杯", "2", "39.00", "已发货", "2026-11-20 10:00:00",
     "2026-11-21 09:30", "中通快递", "73100000001", "【杭州市】已揽收", "2026/11/21 10:00"],
    ["E2026112000001", "", "", "北欧风餐盘", "1", "129.00", "", "", "", "", "", "", ""],
    ["3301234567890123456", "wechat:o_buyer_1", "", "蓝牙耳机", "1", "¥299.00", "交易成功", "2026-11-18 08:00", "", "",
     "", "", ""],
]


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER, encoding: str = "utf-8-sig") -> Path:
    with path.open("w", newline="", encoding=encoding) as handle:
        csv.writer(handle).writerows([header, *rows])
    return path


@pytest.fixture
async def db(tmp_path, clock):
    """The real app's database (and runtime) for tests that import directly."""
    async with running_bot(make_settings(tmp_path), clock=clock) as bot:
        yield bot


async def test_a_good_csv_is_upserted_by_order_number(db, tmp_path):
    report = await import_orders(write_csv(tmp_path / "orders.csv", GOOD), ZONE, NOW)
    assert report.ok and (report.rows, report.orders, report.created, report.updated) == (3, 2, 2, 0)
    order = await Order.get(order_no="E2026112000001").prefetch_related("customer")
    assert [(i["name"], i["qty"], i["price_fen"]) for i in order.items] == [
        ("陶瓷马克杯", 2, 3900), ("北欧风餐盘", 1, 12900)]
    assert order.total_fen == 20700 and order.status == "shipped" and order.phone == "13800000001"
    assert order.paid_at == datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # shop-local time stored as UTC
    assert order.tracking_events == [{"at": "2026-11-21T10:00:00+08:00", "status": "【杭州市】已揽收"}]
    assert (order.customer.channel, order.customer.external_id) == ("webchat", "alice")
    assert (await Order.get(order_no="3301234567890123456")).status == "received"
    again = await import_orders(write_csv(tmp_path / "again.csv", [[*GOOD[2][:6], "已退款", *GOOD[2][7:]]]), ZONE, NOW)
    assert (again.created, again.updated) == (0, 1)
    assert (await Order.get(order_no="3301234567890123456")).status == "refunded"
    assert await Order.all().count() == 2


async def test_a_broken_file_imports_nothing_and_names_every_bad_row(db, tmp_path):
    rows = [
        GOOD[0],
        ["", "webchat:bob", "", "毛巾", "1", "9.90", "已付款", "2026-11-20", "", "", "", "", ""],
        ["E2026112000003", "", "", "毛巾", "1", "9.90", "已付款", "2026-13-45 10:00", "", "", "", "", ""],
        ["E2026112000004", "", "", "毛巾", "一个", "九块九", "已付款", "", "", "", "", "", "", "多出来的", "一列"],
        ["E2026112000005", "someone", "", "毛巾", "1", "9.90", "发货中", "", "", "", "", "", ""],
    ]
    report = await import_orders(write_csv(tmp_path / "broken.csv", rows), ZONE, NOW)
    assert not report.ok and report.created == 0
    text = "\n".join(report.problems)
    assert "row 3: order_no: missing order number" in text
    assert "row 4: paid_at: bad date '2026-13-45 10:00'" in text
    assert "row 5: 2 value(s) beyond the last column (unknown columns)" in text
    assert "row 5: item: bad quantity" in text
    assert "row 6: buyer_id:" in text and "row 6: status: unknown status '发货中'" in text
    assert "row 2" not in text  # the good row is not blamed
    assert await Order.all().count() == 0  # nothing half-imported


async def test_unknown_columns_refuse_the_file(db, tmp_path):
    report = await import_orders(write_csv(tmp_path / "x.csv", [["E2026112000001", "x"]], ["订单编号", "颜色偏好"]),
                                 ZONE, NOW)
    assert report.problems == [f"unknown columns: 颜色偏好 (known: {', '.join(COLUMNS)})"]
    assert await Order.all().count() == 0


async def test_an_xlsx_export_with_real_dates_and_numbers(db, tmp_path):
    from openpyxl import Workbook  # here: every xdist worker collects this module (0.18 s import)

    book = Workbook()
    sheet = book.active
    sheet.append(["order_no", "buyer_id", "item_name", "qty", "price", "status", "paid_at", "shipped_at"])
    paid, sent = datetime(2026, 11, 21, 9, 0), datetime(2026, 11, 22, 9, 0)  # noqa: DTZ001 - cells have no zone
    sheet.append(["E2026112000009", "webchat:alice", "护眼台灯", 1, 159, "shipped", paid, sent])
    sheet.append([330123456789012, "", "台灯灯泡", 2, 12.5, "paid", None, None])
    sheet.append([3.301234567890123e18, "", "台灯灯泡", 2, 12.5, "paid", None, None])
    book.save(tmp_path / "orders.xlsx")
    report = await import_orders(tmp_path / "orders.xlsx", ZONE, NOW)
    assert report.problems == ["row 4: order_no: order number stored as a number "
                               "(spreadsheets keep 15 digits): format the column as text"]
    sheet.delete_rows(4)
    book.save(tmp_path / "orders.xlsx")
    report = await import_orders(tmp_path / "orders.xlsx", ZONE, NOW)
    assert report.ok and report.orders == 2
    lamp = await Order.get(order_no="E2026112000009")
    assert lamp.total_fen == 15900 and lamp.shipped_at == datetime(2026, 11, 22, 1, 0, tzinfo=UTC)
    assert (await Order.get(order_no="330123456789012")).total_fen == 2500


async def test_a_gb18030_csv_from_chinese_excel(db, tmp_path):
    report = await import_orders(write_csv(tmp_path / "gbk.csv", GOOD, encoding="gb18030"), ZONE, NOW)
    assert report.ok and (await Order.get(order_no="E2026112000001")).items[0]["name"] == "陶瓷马克杯"


async def test_a_large_file_shows_a_progress_bar(db, tmp_path, capsys):
    rows = [[f"E20261120{n:05d}", "", "", "毛巾", "1", "9.90", "已付款", "", "", "", "", "", ""] for n in range(1200)]
    report = await import_orders(write_csv(tmp_path / "big.csv", rows), ZONE, NOW)
    assert report.ok and report.created == 1200
    assert "1200/1200" in capsys.readouterr().err


def test_the_import_command_reports_rows_and_exits_1_on_a_broken_file(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite://{tmp_path / 'cli.sqlite3'}")
    broken = write_csv(tmp_path / "broken.csv", [GOOD[0], ["E1", *GOOD[0][1:]]])
    assert cli.main(["orders", "import", str(broken)]) == 1
    err = capsys.readouterr().err
    assert "row 3: order_no: bad order number 'E1'" in err and "nothing imported" in err
    assert cli.main(["orders", "import", str(write_csv(tmp_path / "good.csv", GOOD))]) == 0
    assert "imported 2 order(s) from 3 row(s): 2 new, 0 updated" in capsys.readouterr().out
    with sqlite3.connect(tmp_path / "cli.sqlite3") as connection:
        assert sorted(r[0] for r in connection.execute("select order_no from shop_order")) == [
            "3301234567890123456", "E2026112000001"]


# --- the ERP as a live order source ---


@pytest.fixture
async def erp():
    async with FakeErp() as fake:
        yield fake


@pytest.fixture
async def shop(tmp_path, clock: FakeClock, erp: FakeErp):
    settings = make_settings(tmp_path).with_areas(ErpSettings.load(url=erp.url, token=TOKEN, timeout_s=2.0, retries=1),
                                                  AfterSalesSettings.load(retry_after_s=60))
    async with running_bot(settings, clock=clock) as bot:
        yield bot


async def say(bot, user_id: str, text: str) -> str:
    response = await bot.client.post("/api/webchat/messages", json={"user_id": user_id, "text": text},
                                      headers=visitor_headers(bot.runtime, user_id))
    assert response.status == 200, await response.text()
    return "\n".join((await response.json())["replies"])


async def eventually(check, seconds: float = 5.0) -> None:
    """Wait (briefly, for background tasks on the real loop) until `check()` holds."""
    for _ in range(int(seconds / 0.01)):
        if await check():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition never held")


async def test_an_order_known_only_to_the_erp_is_fetched_saved_and_used(shop, erp, clock):
    erp.orders["E2026112200601"] = order_object("E2026112200601", "webchat:alice", now=clock.now())
    reply = await say(shop, "alice", "订单E2026112200601申请退货")
    [case] = await AfterSalesCase.filter(order__order_no="E2026112200601")
    assert case.case_no in reply
    order = await Order.get(order_no="E2026112200601")
    assert order.source == "erp" and order.items[0]["name"] == "玻璃水杯"
    assert "没有查到" in await say(shop, "alice", "订单E2026112200602申请退货")  # the ERP answers 404
    assert erp.requests == ["E2026112200601", "E2026112200602"]


async def test_the_erp_timing_out_keeps_the_request_and_files_it_later(shop, erp, clock):
    erp.orders["E2026112200603"] = order_object("E2026112200603", "webchat:alice", now=clock.now())
    erp.hold = asyncio.Event()
    asking = asyncio.create_task(say(shop, "alice", "订单E2026112200603申请退货"))
    for _ in range(2):  # the first try and one retry, each given 2 s on the clock
        await erp.next_request()
        await clock.advance(2.0)
    reply = await asking
    assert "订单系统" in reply and "E2026112200603" in reply and "不用重复发送" in reply
    assert await AfterSalesCase.all().count() == 0
    erp.hold.set()
    erp.hold = None
    await clock.advance(60)

    async def filed() -> bool:
        return await AfterSalesCase.filter(order__order_no="E2026112200603").exists()

    await eventually(filed)
    case = await AfterSalesCase.get(order__order_no="E2026112200603")
    assert case.kind == "return" and case.customer_id is not None

    async def told() -> bool:
        texts = await Message.filter(conversation__key="webchat:alice", direction="out").values_list("text", flat=True)
        return any(case.case_no in text for text in texts)

    await eventually(told)


async def test_an_erp_that_stays_down_hands_the_request_to_a_person(tmp_path, clock, erp):
    settings = make_settings(tmp_path).with_areas(ErpSettings.load(url=erp.url, token=TOKEN, retries=0),
                                                  AfterSalesSettings.load(retry_times=1))
    async with running_bot(settings, clock=clock) as bot:
        erp.fail_next = [503, 503]
        assert "订单系统" in await say(bot, "alice", "订单E2026112200604申请退货")
        await clock.advance(60)

        async def escalated() -> bool:
            conversation = await Conversation.get(key="webchat:alice")
            return conversation.escalation_reason == "order_source_down"

        await eventually(escalated)
        assert await AfterSalesCase.all().count() == 0


async def test_a_known_order_is_used_when_the_erp_is_down(shop, erp, clock):
    await seed_orders(order_object("E2026112200605", "webchat:alice", now=clock.now()), now=clock.now())
    erp.fail_next = [500, 500]
    reply = await say(shop, "alice", "订单E2026112200605申请退货")
    assert (await AfterSalesCase.get(order__order_no="E2026112200605")).case_no in reply


async def test_the_erp_needs_its_token(tmp_path, clock, erp):
    settings = make_settings(tmp_path).with_areas(ErpSettings.load(url=erp.url, token="wrong", retries=0))
    async with running_bot(settings, clock=clock) as bot:
        assert "订单系统" in await say(bot, "alice", "订单E2026112200606申请退货")
        assert erp.requests == []  # refused before the lookup


def test_settings_refuse_a_bad_pattern_and_an_unknown_human_kind(tmp_path, monkeypatch):
    from bot.config import load_settings
    from bot.errors import ConfigError

    with pytest.raises(ConfigError, match="ORDER_NO_PATTERNS"):
        load_settings(_env_file=None, order_no_patterns=["(unclosed"])
    monkeypatch.setenv("AFTER_SALES_HUMAN_KINDS", '["rights", "everything"]')
    with pytest.raises(ConfigError, match=r"^invalid setting AFTER_SALES_HUMAN_KINDS: .*\['everything'\]"):
        AfterSalesSettings.load(_env_file=None)
