"""Photo uploads: only proven visitors in an after-sales request, limited, checked, under quota, expiring.

Real app on a real socket; the files land in a temporary upload directory this test inspects.
"""

from __future__ import annotations

import io
import os
from datetime import timedelta

import aiohttp
import pytest
from PIL import Image

from handlers.after_sales.daily import run_daily
from handlers.after_sales.desk import DESK
from handlers.after_sales.uploads import ORPHAN_DAYS
from models.case import AfterSalesCase, CasePhoto
from tests.fakes.bot_app import make_settings, running_bot, visitor_headers
from tests.fakes.erp_server import order_object, seed_orders

ORDER = "E2026112200123"


def photo(color: tuple[int, int, int] = (255, 128, 0), kind: str = "PNG", size: int = 8) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (size, size), color).save(buffer, kind)
    return buffer.getvalue()


def stored(bot) -> list[str]:
    directory = bot.runtime.settings.after_sales_upload_dir
    return sorted(path.name for path in directory.iterdir()) if directory.exists() else []


async def upload(bot, user_id: str | None, data: bytes, name: str = "photo.png", headers=None):
    form = aiohttp.FormData()
    form.add_field("file", io.BytesIO(data), filename=name, content_type="image/png")
    if headers is None:
        headers = visitor_headers(bot.runtime, user_id) if user_id else {}
    return await bot.client.post("/api/after-sales/photos", data=form, headers=headers)


async def say(bot, user_id: str, text: str) -> str:
    response = await bot.client.post("/api/webchat/messages", json={"text": text},
                                     headers=visitor_headers(bot.runtime, user_id))
    assert response.status == 200, await response.text()
    return "".join((await response.json())["replies"])


@pytest.fixture
async def bot(tmp_path, clock):
    settings = make_settings(tmp_path, after_sales_upload_dir=tmp_path / "uploads", after_sales_photos_per_visitor=3)
    async with running_bot(settings, clock=clock) as running:
        await seed_orders(order_object(ORDER, "webchat:alice"), now=clock.now())
        yield running


async def test_anonymous_forged_and_idle_visitors_write_nothing(bot) -> None:
    assert (await upload(bot, None, photo())).status == 401
    forged = {"X-Visitor-Token": "alice." + "A" * 32}
    assert (await upload(bot, None, photo(), headers=forged)).status == 403
    assert (await upload(bot, "alice", photo())).status == 403  # no after-sales request open
    assert stored(bot) == []


async def test_the_type_is_read_from_the_content(bot) -> None:
    await say(bot, "alice", "杯子碎了")
    fake_png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 512
    for data in (fake_png, b"GIF89a" + b"<script>" * 20, b"%PDF-1.4 not an image", b""):
        response = await upload(bot, "alice", data)
        assert response.status == 415, data[:8]
    assert stored(bot) == []
    jpeg_named_png = await upload(bot, "alice", photo(kind="JPEG"), name="photo.png")
    assert jpeg_named_png.status == 200
    assert [name.rsplit(".", 1)[1] for name in stored(bot)] == ["jpg"]


async def test_a_visitor_may_send_a_few_photos_a_day(bot, clock) -> None:
    await say(bot, "alice", f"{ORDER} 杯子碎了")
    colors = [(10 * n, 0, 0) for n in range(5)]
    statuses = [(await upload(bot, "alice", photo(color))).status for color in colors]
    assert statuses == [200, 200, 200, 429, 429]
    assert len(stored(bot)) == 3
    assert (await upload(bot, "alice", photo(colors[0]))).status == 200  # the same photo again costs nothing
    await clock.advance(timedelta(days=1))
    assert (await upload(bot, "alice", photo(colors[3]))).status == 200


async def test_the_upload_directory_stays_under_its_quota(tmp_path, clock) -> None:
    one = len(photo(size=64))
    settings = make_settings(tmp_path, after_sales_upload_dir=tmp_path / "uploads",
                             after_sales_upload_quota_bytes=int(one * 1.5))
    async with running_bot(settings, clock=clock) as bot:
        await say(bot, "bob", "杯子碎了")
        assert (await upload(bot, "bob", photo((1, 2, 3), size=64))).status == 200
        response = await upload(bot, "bob", photo((4, 5, 6), size=64))
        assert response.status == 507
        assert len(stored(bot)) == 1


async def test_photos_are_removed_by_the_retention_rules(bot, clock) -> None:
    await say(bot, "alice", f"{ORDER} 杯子碎了")
    [case] = await AfterSalesCase.filter(order__order_no=ORDER)
    assert (await upload(bot, "alice", photo((1, 1, 1)))).status == 200  # attached to the open case
    [attached] = stored(bot)
    orphan = bot.runtime.settings.after_sales_upload_dir / ("0" * 64 + ".png")
    orphan.write_bytes(photo((2, 2, 2)))  # a photo whose dialogue was abandoned
    old = clock.time() - (ORPHAN_DAYS + 1) * 86400
    for name in stored(bot):
        os.utime(bot.runtime.settings.after_sales_upload_dir / name, (old, old))
    await run_daily(bot.runtime.services[DESK])
    assert stored(bot) == [attached]  # the case is open: its photo stays
    await AfterSalesCase.filter(id=case.id).update(state="resolved")
    await run_daily(bot.runtime.services[DESK])
    assert stored(bot) == [attached]  # closed, but within the retention period
    older = clock.time() - (bot.runtime.settings.after_sales_photo_retention_days + 1) * 86400
    os.utime(bot.runtime.settings.after_sales_upload_dir / attached, (older, older))
    await run_daily(bot.runtime.services[DESK])
    assert stored(bot) == []
    assert await CasePhoto.filter(case_id=case.id).count() == 1  # the record of it stays on the case
