"""One rule above normal (handlers/archive/access.py `role_or_request`), through real HTTP: the archive's own
read of one record and an area's list of many (the after-sales cases) open and close a confidential record
together, by an approved request naming the part, as long as its decider may still approve it: a supervisor's
approval stops opening the record once it is marked secret, an admin's does not.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from models.agent import Agent
from models.archive import AccessRequest, Person, PersonLink
from models.case import AfterSalesCase
from models.customer import Customer
from models.order import Order
from tests.test_archive import read, staff


@pytest.fixture
def bot_settings(database_url: str):
    """Both databases (conftest's `database_url`): the requests are read in one statement on each."""
    return {"staffed_hours": "00:00-24:00", "database_url": database_url}


async def test_the_archive_and_a_list_open_a_record_above_normal_by_the_same_rule(bot) -> None:
    amy, sue, root = await staff(bot, "amy"), await staff(bot, "sue", "supervisor"), await staff(bot, "root", "admin")
    now = bot.runtime.clock.now()
    buyer = await Customer.create(channel="webchat", external_id="q0", created_at=now)
    order = await Order.create(order_no="E2026112900000", customer_id=buyer.id, total_fen=100, updated_at=now)
    await AfterSalesCase.create(case_no="AS20261129-0000", order=order, kind="return", customer_id=buyer.id,
                                created_at=now, touched_at=now)
    assert (await bot.client.get("/api/cases?state=open", headers=root)).status == 200  # links the buyer
    person_id = (await PersonLink.get(customer_id=buyer.id)).person_id
    await Person.filter(id=person_id).update(secrecy="confidential")

    async def opened() -> tuple[bool, bool]:
        """Whether amy reads the record's cases in the archive, and sees its case in her list."""
        status, _ = await read(bot, amy, person_id, "cases")
        listed = await (await bot.client.get("/api/cases?state=open", headers=amy)).json()
        return status == 200, [case["case_no"] for case in listed["cases"]] == ["AS20261129-0000"]

    assert await opened() == (False, False)
    amy_agent = await Agent.get(name="amy")
    approved = {"person_id": person_id, "requester": amy_agent, "reason": "复核退货", "status": "approved",
                "decided_at": now, "created_at": now, "expires_at": now + timedelta(hours=4)}
    await AccessRequest.create(**approved, parts=["notes"], decided_by=await Agent.get(name="sue"))
    assert await opened() == (False, False)  # a request for another part
    await AccessRequest.create(**approved, parts=["cases"], decided_by=await Agent.get(name="sue"))
    assert await opened() == (True, True)
    assert (await read(bot, sue, person_id, "cases"))[0] == 200  # the supervisor by role

    await Person.filter(id=person_id).update(secrecy="secret")
    assert await opened() == (False, False)  # a supervisor may not approve a secret record's request
    assert (await read(bot, sue, person_id, "cases"))[0] == 403
    await AccessRequest.create(**{**approved, "decided_at": now - timedelta(minutes=1)}, parts=["all"],
                               decided_by=await Agent.get(name="root"))
    assert await opened() == (True, True)  # an admin's, older than the supervisor's, still opens it
