"""Lists of other areas that show customers' records (the teaching review, the after-sales cases) under the
archive's secrecy and read log (docs/rules.md R-ARCHIVE-6), through real HTTP:

- a list's read costs a few statements however many customers it shows: the customers seen for the first
  time are linked to their records together, and the records above normal decided together (each was
  linked one by one inside the GET, and each record above normal read its links and its access requests:
  169 statements for a review of 60 new customers, 106 for an agent's list of 50 confidential cases);
- the batch links as one by one would: a verified phone on a record joins it, customers sharing a new
  phone share one new record, the rest get one each, on SQLite and PostgreSQL;
- the consoles' polls do not flood the read log: the tab's badge counts without logging (nobody read a
  record by seeing a number), a list logs each record once per reader and period; a person opening a
  case is logged each time. Each poll wrote a row per record shown (5 cases, 3 polls: 15 rows).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import aiosqlite
import pytest

from handlers.archive.service import LIST_READ_PERIOD_S
from models.agent import Agent
from models.archive import AccessLog, AccessRequest, Person, PersonLink
from models.case import AfterSalesCase
from models.customer import Customer
from models.order import Order
from tests.fakes.bot_app import make_settings, running_bot
from tests.test_archive import say, staff


@pytest.fixture
def bot_settings():
    return {"staffed_hours": "00:00-24:00"}


@pytest.fixture
def statements(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every SQL statement sent to SQLite from now on (counted at aiosqlite's door, then run as sent)."""
    sent: list[str] = []
    for name in ("execute", "execute_fetchall", "execute_insert", "executemany"):
        original = getattr(aiosqlite.Connection, name)

        def counting(original=original):
            async def run(self, sql, *args, **kwargs):
                sent.append(sql)
                return await original(self, sql, *args, **kwargs)
            return run
        monkeypatch.setattr(aiosqlite.Connection, name, counting())
    return sent


async def statements_of(bot, sent: list[str], path: str, headers: dict[str, str]) -> int:
    sent.clear()
    response = await bot.client.get(path, headers=headers)
    assert response.status == 200, await response.text()
    return len(sent)


async def test_a_review_of_new_customers_costs_the_same_statements_for_10_or_60(bot, statements) -> None:
    boss = await staff(bot, "sue", "supervisor")
    for n in range(10):
        await say(bot, f"v{n}", f"小蓝瓶第{n}款上了没")
    first_of_10 = await statements_of(bot, statements, "/api/intents/review", boss)
    for n in range(10, 60):
        await say(bot, f"v{n}", f"小蓝瓶第{n}款上了没")
    first_of_60 = await statements_of(bot, statements, "/api/intents/review", boss)
    assert first_of_60 <= first_of_10 <= 25, (first_of_10, first_of_60)
    assert await PersonLink.all().count() == await Customer.all().count() == 60  # every one linked, and logged
    await Person.all().update(secrecy="confidential")
    assert await statements_of(bot, statements, "/api/intents/review", boss) <= first_of_10


async def cases_of(bot, count: int, start: int = 0) -> None:
    now = bot.runtime.clock.now()
    for n in range(start, start + count):
        buyer = await Customer.create(channel="webchat", external_id=f"q{n}", created_at=now)
        order = await Order.create(order_no=f"E20261129{n:05d}", customer_id=buyer.id, total_fen=100, updated_at=now)
        await AfterSalesCase.create(case_no=f"AS20261129-{n:04d}", order=order, kind="return", customer_id=buyer.id,
                                    created_at=now, touched_at=now)


async def test_an_agents_list_of_confidential_cases_costs_the_same_statements_for_10_or_50(bot, statements) -> None:
    amy, boss = await staff(bot, "amy"), await staff(bot, "sue", "supervisor")
    await cases_of(bot, 10)
    assert await statements_of(bot, statements, "/api/cases?state=open&limit=200", boss) > 0  # links them
    await Person.all().update(secrecy="confidential")
    # the first buyer's record opened to amy by an approved request for cases, the second's for notes only
    amy_agent, sue_agent = await Agent.get(name="amy"), await Agent.get(name="sue")
    now = bot.runtime.clock.now()
    for external_id, parts in (("q0", ["cases"]), ("q1", ["notes"])):
        link = await PersonLink.get(customer__external_id=external_id)
        await AccessRequest.create(person_id=link.person_id, requester=amy_agent, parts=parts, reason="复核退货",
                                   status="approved", decided_by=sue_agent, decided_at=now, created_at=now,
                                   expires_at=now + timedelta(hours=4))
    ten = await statements_of(bot, statements, "/api/cases?state=open&limit=200", amy)
    shown = [case["case_no"] for case in (await (await bot.client.get("/api/cases?state=open&limit=200",
                                                                      headers=amy)).json())["cases"]]
    assert shown == ["AS20261129-0000"]  # only the one the request opens for cases

    await cases_of(bot, 40, start=10)
    await statements_of(bot, statements, "/api/cases?state=open&limit=200", boss)  # links the new ones
    await Person.all().update(secrecy="confidential")
    fifty = await statements_of(bot, statements, "/api/cases?state=open&limit=200", amy)
    assert fifty <= ten <= 20, (ten, fifty)


@pytest.fixture
def database_url(request, tmp_path: Path) -> str:
    """SQLite; "postgres" as the parameter: a PostgreSQL database of the test's own, built by the migrations."""
    if getattr(request, "param", "sqlite") == "postgres":
        return request.getfixturevalue("migrated_postgres_url")
    return f"sqlite://{tmp_path / 'bot.sqlite3'}"


@pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
async def test_new_customers_are_linked_together_as_one_by_one(tmp_path: Path, database_url: str) -> None:
    settings = make_settings(tmp_path, database_url=database_url, staffed_hours="00:00-24:00")
    async with running_bot(settings) as bot:
        boss = await staff(bot, "sue", "supervisor")
        now = bot.runtime.clock.now()
        known = await Customer.create(channel="wechat", external_id="o_known", phone="13800138000", created_at=now)
        records = await bot.client.get(f"/api/archive/customers/{known.id}", headers=boss)
        assert records.status == 200, await records.text()
        (link,) = await PersonLink.filter(customer_id=known.id)
        phones = {"a": "13800138000", "b": "13900139000", "c": "+86 139-0013-9000", "d": None, "e": None}
        for name, phone in phones.items():
            await Customer.create(channel="webchat", external_id=name, phone=phone, name=f"顾客{name}", created_at=now)
        await cases_of_customers(bot, [c.id for c in await Customer.filter(channel="webchat").order_by("id")])
        listed = await bot.client.get("/api/cases?state=open&limit=200", headers=boss)
        assert listed.status == 200, await listed.text()

        def person_of(name: str):
            return PersonLink.get(customer__external_id=name).values_list("person_id", "how")
        assert await person_of("a") == (link.person_id, "phone")  # the record holding the verified phone
        b, c = await person_of("b"), await person_of("c")
        assert b[0] == c[0] and {b[1], c[1]} == {"new", "phone"}  # one new record for a phone they share
        d, e = await person_of("d"), await person_of("e")
        assert len({link.person_id, b[0], d[0], e[0]}) == 4 and d[1] == e[1] == "new"
        assert (await Person.get(id=b[0])).phone == "13900139000"
        assert await Person.filter(address__isnull=False).count() == 0  # no mark left behind
        assert (await Person.get(id=d[0])).name == "顾客d"


async def cases_of_customers(bot, customer_ids: list[int]) -> None:
    now = bot.runtime.clock.now()
    for n, customer_id in enumerate(customer_ids):
        order = await Order.create(order_no=f"E20261130{n:05d}", customer_id=customer_id, total_fen=100,
                                   updated_at=now)
        await AfterSalesCase.create(case_no=f"AS20261130-{n:04d}", order=order, kind="return",
                                    customer_id=customer_id, created_at=now, touched_at=now)


# --- the read log and the consoles' polls ---


async def stale_cases(bot, count: int) -> None:
    """`count` open cases nobody touched since the day before yesterday: what the tab's badge counts."""
    now = bot.runtime.clock.now()
    for n in range(count):
        buyer = await Customer.create(channel="webchat", external_id=f"s{n}", created_at=now)
        order = await Order.create(order_no=f"E2026112800{n:03d}", customer_id=buyer.id, total_fen=100, updated_at=now)
        await AfterSalesCase.create(case_no=f"AS20261128-00{n:02d}", order=order, kind="return", customer_id=buyer.id,
                                    created_at=now - timedelta(days=2), touched_at=now - timedelta(days=2))


async def test_polls_of_the_badge_and_the_list_do_not_flood_the_read_log(bot) -> None:
    """The badge's poll (every minute from login) counts without logging; the open panel's list, polled
    too, logs each record once per reader per `LIST_READ_PERIOD_S`; a person opening a case logs each time."""
    amy = await staff(bot, "amy")
    await stale_cases(bot, 5)

    def logged():
        return AccessLog.filter(staff_name="amy", part="cases").count()

    for _ in range(3):
        response = await bot.client.get("/api/cases?stale=1&count_only=1", headers=amy)
        assert response.status == 200
        assert await response.json() == {"cases": [], "count": 5}
    assert await logged() == 0

    for path in ("/api/cases?stale=1", "/api/cases?state=open&limit=200") * 3:
        response = await bot.client.get(path, headers=amy)
        assert response.status == 200 and len((await response.json())["cases"]) == 5
    assert await logged() == 5  # each record once: its reader had it in view this period
    assert set(await AccessLog.filter(staff_name="amy").values_list("basis", flat=True)) == {"desk"}

    for _ in range(2):
        assert (await bot.client.get("/api/cases/AS20261128-0000", headers=amy)).status == 200
    assert await logged() == 7  # a person's reading of the case, each time
    await bot.runtime.clock.advance(LIST_READ_PERIOD_S + 1)
    assert (await bot.client.get("/api/cases?state=open&limit=200", headers=amy)).status == 200
    assert await logged() == 12  # a new period: the list's records logged again
    boss = await staff(bot, "sue", "supervisor")
    assert (await bot.client.get("/api/cases?state=open&limit=200", headers=boss)).status == 200
    assert await AccessLog.filter(staff_name="sue", part="cases").count() == 5  # another reader, logged
