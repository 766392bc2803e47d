"""`FakeErp`: a shop ERP's order endpoint as a real aiohttp server on 127.0.0.1:0, and order objects.

It serves `GET /orders/{order_no}` the way `handlers/after_sales/erp.py` expects: 401 without the
bearer token, 404 for an unknown order, 200 with the order object otherwise. Every request is
recorded and announced on `arrivals` (so a test can wait for the bot's call before moving its
clock); `hold` makes answers wait until the test sets it (a slow ERP), `fail_next` answers the
next requests with the given statuses.

`order_object(...)` builds the object an ERP answers with; tests also use it to seed the database
through the real parser (`seed_orders`), so every test order looks like a real one.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web
from aiohttp.test_utils import TestServer

from handlers.after_sales.records import record_from_object, save_records

TOKEN = "erp-test-token"


def order_object(order_no: str, buyer: str | None = "webchat:alice", *, now: datetime | None = None,
                 status: str = "received", shipped_hours_ago: float | None = 48, **fields: Any) -> dict[str, Any]:
    """An order as an ERP describes it: one item of 59.00 unless `items` is given."""
    now = now or datetime.fromisoformat("2026-11-23T02:00:00+00:00")
    body: dict[str, Any] = {"order_no": order_no, "status": status, "paid_at": (now - timedelta(days=3)).isoformat(),
                            "items": [{"sku": "CUP-1", "item_name": "玻璃水杯", "qty": 1, "price": "59.00"}]}
    if buyer:
        body["buyer_id"] = buyer
    if shipped_hours_ago is not None and status != "paid":
        body.update(shipped_at=(now - timedelta(hours=shipped_hours_ago)).isoformat(), courier="中通快递",
                    tracking_no=f"ZT{order_no[-8:]}")
    if status == "received":
        body["received_at"] = (now - timedelta(hours=12)).isoformat()
    body.update(fields)
    return body


SHOP_ZONE = ZoneInfo("Asia/Shanghai")


async def seed_orders(*objects: dict[str, Any], now: datetime, zone: ZoneInfo = SHOP_ZONE) -> None:
    await save_records([record_from_object(o, zone) for o in objects], "test", now, replace_tracking=True)


class FakeErp:
    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.orders: dict[str, dict[str, Any]] = {}
        self.requests: list[str] = []
        self.arrivals: asyncio.Queue[str] = asyncio.Queue()
        self.hold: asyncio.Event | None = None
        self.fail_next: list[int] = []
        self._server: TestServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None, "start the fake first"
        return str(self._server.make_url("")).rstrip("/")

    async def __aenter__(self) -> FakeErp:
        app = web.Application()
        app.router.add_get("/orders/{order_no}", self._order)
        self._server = TestServer(app, host="127.0.0.1", port=0)
        await self._server.start_server()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self.hold is not None:
            self.hold.set()
        assert self._server is not None
        await self._server.close()

    async def next_request(self) -> str:
        """The next order number asked for (waits at most a few real seconds, in case none comes)."""
        return await asyncio.wait_for(self.arrivals.get(), 5.0)

    async def _order(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return web.json_response({"error": "unauthorized"}, status=401)
        order_no = request.match_info["order_no"]
        self.requests.append(order_no)
        self.arrivals.put_nowait(order_no)
        if self.fail_next:
            return web.json_response({"error": "scripted failure"}, status=self.fail_next.pop(0))
        if self.hold is not None:
            await self.hold.wait()
        if order_no not in self.orders:
            return web.json_response({"error": "no such order"}, status=404)
        return web.json_response(self.orders[order_no])
