"""Helpers shared by the referral tests (this module holds no tests of its own).

Tests drive the real application over HTTP (`running_bot`) and stop its scheduler ticker first, so
they can move the fake clock by days at once and fire deadlines with `scheduler.run_due()`.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

from aiohttp.test_utils import TestClient

from bot.runtime import RUNTIME, Runtime
from handlers.referral.campaigns import create_campaign, parse_changes
from handlers.referral.desk import REFERRAL, ReferralDesk
from models.customer import Customer
from models.order import Order
from models.referral import Campaign
from tests.fakes.bot_app import visitor_headers

DAY = timedelta(days=1)
CODE_IN_LINK = re.compile(r"/r/([a-z2-7]{18})")


def desk(bot) -> ReferralDesk:
    """The referral area's desk, as its command, pushes and jobs are given it."""
    return bot.runtime.services[REFERRAL]


def today(runtime: Runtime) -> date:
    return runtime.clock.now().astimezone(runtime.settings.zone).date()


async def new_campaign(runtime: Runtime, name: str = "spring", *, starts_on: date | None = None,
                       ends_on: date | None = None, **values: Any) -> Campaign:
    """A campaign running from yesterday for 30 days (unless told otherwise)."""
    values = {"title": "春季老带新", "starts_on": starts_on or today(runtime) - DAY,
              "ends_on": ends_on or today(runtime) + 30 * DAY, **values}
    return await create_campaign(name, parse_changes(values), now=runtime.clock.now(), zone=runtime.settings.zone,
                                 templates=runtime.templates)


async def say(client: TestClient, user_id: str, text: str) -> list[str]:
    response = await client.post("/api/webchat/messages", json={"user_id": user_id, "text": text},
                                headers=visitor_headers(client.app[RUNTIME], user_id))
    assert response.status == 200, await response.text()
    return (await response.json())["replies"]


def code_in(replies: list[str]) -> str:
    found = CODE_IN_LINK.search("\n".join(replies))
    assert found, replies
    return found.group(1)


async def card_code(client: TestClient, user_id: str) -> str:
    return code_in(await say(client, user_id, "推荐好友"))


async def web_visit(client: TestClient, code: str, user_id: str) -> None:
    response = await client.post(f"/r/{code}/visit", json={"user_id": user_id},
                                headers=visitor_headers(client.app[RUNTIME], user_id))
    assert response.status == 200, await response.text()
    assert await response.json() == {"chat_url": "/"}


async def customer(channel: str, external_id: str) -> Customer:
    return await Customer.get(channel=channel, external_id=external_id)


async def paid_order(order_no: str, yuan: int, paid_at: datetime, *, customer_id: int | None = None,
                     phone: str | None = None, refunded_yuan: int = 0, status: str = "paid") -> Order:
    """Insert or update an order as the order source's import does (upsert by order number)."""
    order, _ = await Order.update_or_create(
        order_no=order_no,
        defaults=dict(customer_id=customer_id, phone=phone, total_fen=yuan * 100, refunded_fen=refunded_yuan * 100,
                      status=status, paid_at=paid_at, updated_at=paid_at))
    return order
