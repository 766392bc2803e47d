"""The shop's ERP as a live order source: `GET <ERP_URL>/orders/<order no>` with a bearer token.

The ERP answers 200 with one order object (the fields of the import, `items` as a list and the
whole `tracking_events` history) or 404 for an order it does not know. Anything else (a timeout,
a refused connection, a 5xx, a body that is not a valid order) counts as "unavailable" after
`ERP_RETRIES` further tries; the caller keeps the customer's request and tries again later, so a
slow ERP never loses a request.

The timeout runs on the injected clock (like the WeChat passive-reply budget), so tests move time
instead of waiting; retries follow at once because the timeout already waited.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable
from typing import Any, TypeVar
from urllib.parse import quote
from zoneinfo import ZoneInfo

import aiohttp

from bot.clock import Clock
from handlers.after_sales.records import OrderRecord, RecordError, record_from_object

log = logging.getLogger("csbot.after_sales.erp")
T = TypeVar("T")


class OrderSourceUnavailable(Exception):
    """The live order source did not answer in time or answered nonsense."""


class ErpOrders:
    def __init__(self, url: str, token: str | None, timeout_s: float, retries: int, clock: Clock,
                 zone: ZoneInfo) -> None:
        self.url = url
        self.token = token
        self.timeout_s = timeout_s
        self.retries = retries
        self.clock = clock
        self.zone = zone
        self._session: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def fetch(self, order_no: str) -> OrderRecord | None:
        """The ERP's current record of `order_no`, None when it does not know the order."""
        for attempt in range(self.retries + 1):
            try:
                return await self._within(self._get(order_no))
            except (TimeoutError, aiohttp.ClientError, RecordError, ValueError) as exc:
                log.warning("ERP lookup failed (attempt %d of %d): %s", attempt + 1, self.retries + 1,
                            type(exc).__name__)
        raise OrderSourceUnavailable(f"the ERP did not answer after {self.retries + 1} tries")

    async def _get(self, order_no: str) -> OrderRecord | None:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        headers = {"Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        async with self._session.get(f"{self.url}/orders/{quote(order_no, safe='')}", headers=headers) as response:
            if response.status == 404:
                return None
            response.raise_for_status()
            body: Any = await response.json(content_type=None)
        if not isinstance(body, dict):
            raise ValueError("the ERP answered something other than an order object")
        record = record_from_object(body, self.zone)
        if record.order_no != order_no:
            raise ValueError("the ERP answered with another order")
        return record

    async def _within(self, work: Awaitable[T]) -> T:
        """`work`'s result, or TimeoutError once `timeout_s` passed on the clock."""
        task = asyncio.ensure_future(work)
        timer = asyncio.ensure_future(self.clock.sleep(self.timeout_s))
        try:
            await asyncio.wait({task, timer}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            timer.cancel()
            if not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if task.cancelled():
            raise TimeoutError(f"no answer within {self.timeout_s} s")
        return task.result()
