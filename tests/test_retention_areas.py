"""Retention reaches every area's record of a customer (docs/rules.md R-RETENTION-5): complaints,
callbacks, the archive's person details, notes and tags, and referral's marketing tags and follow-up
notes, through `Extension.on_retention` (and a
case's events, where a callback's unhappy answer is copied). Hand-made
data on the fake clock; a dry run counts per area and changes nothing, a run blanks, a second run finds
nothing, the figures (complaint statistics, callback rates) stay the same, and customers still in
contact (another identity of the same person, an open complaint) keep everything."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from bot import cli
from bot.reports import ReportQuery
from handlers.archive import persons
from handlers.callbacks.stats import REPORT as CALLBACK_REPORT
from handlers.complaints.report import REPORT as COMPLAINT_REPORT
from handlers.reports import retention
from handlers.reports.desk import REPORTS
from handlers.reports.settings import RetentionSettings
from models.archive import ArchiveNote, ArchiveTag, Person, PersonLink
from models.callback import Callback, CallbackTask
from models.case import AfterSalesCase, CaseEvent
from models.complaint import Complaint, ComplaintStep, ComplaintTask
from models.conversation import Conversation
from models.customer import Customer
from models.message import Message
from models.order import Order
from models.referral import Campaign, CustomerTag, FollowUp, Referral, ReferralCard
from tests.fakes.bot_app import make_settings, running_bot

ARCHIVE_DAYS = 30


@pytest.fixture(params=["sqlite", "postgres"])
def bot_settings(request: pytest.FixtureRequest) -> dict:
    """The hooks' queries on both databases (PostgreSQL: a copy of the database the migrations built)."""
    return {"database_url": request.getfixturevalue("migrated_postgres_url")} if request.param == "postgres" else {}
LONG_AGO = timedelta(days=100)


async def old_customer(now: datetime, name: str, phone: str, *, days_ago: timedelta = LONG_AGO) -> Customer:
    at = now - days_ago
    return await Customer.create(channel="webchat", external_id=name, name=name, phone=phone, created_at=at,
                                 last_inbound_at=at)


async def complaint(customer: Customer, number: str, at: datetime, *, closed: bool = True) -> Complaint:
    row = await Complaint.create(
        number=number, customer=customer, channel="webchat", contact="13900001111", content="快递员把箱子摔坏了",
        desired_outcome="换一个新的", category="logistics", cause="搬运不当", solution="补发", matter="logistics",
        step="closed" if closed else "judge", reply_by=at + timedelta(days=1), created_at=at,
        closed_at=at + timedelta(days=2) if closed else None, close_reason="顾客接受" if closed else None)
    await ComplaintStep.create(complaint=row, action="register", to_step="register", actor=f"customer:{customer.id}",
                               note="顾客说箱子被摔坏", at=at)
    await ComplaintTask.create(complaint=row, kind="feedback", due_at=at + timedelta(days=1), note="已电话告知结果",
                               created_at=at)
    return row


async def answered_callback(customer: Customer, at: datetime) -> CallbackTask:
    task = await CallbackTask.create(customer=customer, state="done", way="phone", start_at=at, done_at=at,
                                     rating="satisfied", comment="挺好的", feedback="希望发货再快点", created_at=at,
                                     updated_at=at)
    await Callback.create(customer=customer, task=task, kind="buyer", source_key=f"order:{customer.id}:3",
                          due_at=at, deadline_at=at + timedelta(days=3), created_at=at)
    return task


async def resolved_case(customer: Customer, at: datetime) -> None:
    """A resolved case whose only words left are a callback's unhappy answer copied onto its events."""
    order = await Order.create(order_no=f"E{customer.id:013d}", customer=customer, total_fen=9900, status="paid",
                               updated_at=at)
    case = await AfterSalesCase.create(case_no=f"AS-{customer.id}", order=order, customer=customer, kind="refund",
                                       state="resolved", created_at=at, touched_at=at)
    await CaseEvent.create(case=case, action="callback", actor="customer:chat", reason="退款太慢了", at=at)


async def referred_friend(friend: Customer, referrer: Customer, at: datetime) -> None:
    """A friend who came by a referral card, a staff note from the follow-up call, and a marketing tag."""
    campaign = await Campaign.create(name=f"c{friend.id}", title="老带新", starts_at=at,
                                     ends_at=at + timedelta(days=30), tiers={"bounties": [[1, 500]]},
                                     created_at=at, updated_at=at)
    card = await ReferralCard.create(campaign=campaign, referrer=referrer, number=1, code=f"code{friend.id}",
                                     issued_at=at)
    referral = await Referral.create(campaign=campaign, card=card, referrer=referrer, referred=friend,
                                     first_visit_at=at, first_visit_channel="webchat")
    await FollowUp.create(referral=referral, created_at=at, done_at=at, done_by="xiaomei", note="说下周再买")
    await CustomerTag.create(customer=friend, tag="母婴")


async def seed(now: datetime) -> dict[str, Customer]:
    """gone: past retention everywhere. shared: past retention, but the same person wrote in recently on
    another channel. busy: past retention with a complaint still open. recent: in contact."""
    gone = await old_customer(now, "gone", "13800000001")
    await complaint(gone, "TS202608140001", now - LONG_AGO)
    await answered_callback(gone, now - LONG_AGO)
    await resolved_case(gone, now - LONG_AGO)
    person = await persons.link_customer(gone, now - LONG_AGO)
    await Person.filter(id=person.id).update(address="浙江省杭州市西湖区文三路1号", member_level="gold")
    await ArchiveNote.create(person_id=person.id, text="喜欢晚上联系", created_at=now - LONG_AGO)
    await ArchiveTag.create(person_id=person.id, tag="爱砍价")

    shared = await old_customer(now, "shared", "13800000002")
    same_person = await old_customer(now, "shared-wechat", "13800000002", days_ago=timedelta(days=2))
    await persons.link_customer(shared, now - LONG_AGO)
    await persons.link_customer(same_person, now)  # the same verified phone: one person
    await ArchiveNote.create(person_id=(await PersonLink.get(customer_id=shared.id)).person_id, text="老顾客",
                             created_at=now - LONG_AGO)

    busy = await old_customer(now, "busy", "13800000003")
    await complaint(busy, "TS202608140002", now - LONG_AGO, closed=False)
    await persons.link_customer(busy, now - LONG_AGO)

    recent = await old_customer(now, "recent", "13800000004", days_ago=timedelta(days=3))
    await referred_friend(gone, recent, now - LONG_AGO)
    await CustomerTag.create(customer=recent, tag="老顾客")
    await complaint(recent, "TS202611200001", now - timedelta(days=3))
    await answered_callback(recent, now - timedelta(days=3))
    await persons.link_customer(recent, now - timedelta(days=3))
    return {"gone": gone, "shared": shared, "busy": busy, "recent": recent}


async def figures(runtime, now: datetime) -> tuple[dict, dict]:
    query = ReportQuery(start=now - timedelta(days=200), end=now + timedelta(days=1), bucket="month")
    services = runtime.services
    complaints, callbacks = [await spec.build(services, query) for spec in (COMPLAINT_REPORT, CALLBACK_REPORT)]
    return complaints.totals, callbacks.totals


async def words_of(customer: Customer) -> list:
    """Everything the areas keep of what this customer said or how to reach them."""
    out: list = []
    for row in await Complaint.filter(customer_id=customer.id):
        out += [row.content, row.contact, row.desired_outcome, row.cause, row.solution, row.close_reason]
        out += await ComplaintStep.filter(complaint_id=row.id).values_list("note", flat=True)
        out += await ComplaintTask.filter(complaint_id=row.id).values_list("note", flat=True)
    for task in await CallbackTask.filter(customer_id=customer.id):
        out += [task.comment, task.feedback]
    out += await FollowUp.filter(referral__referred_id=customer.id).values_list("note", flat=True)
    out += await CustomerTag.filter(customer_id=customer.id).values_list("tag", flat=True)
    for case in await AfterSalesCase.filter(customer_id=customer.id):
        out += [case.description, case.wanted, case.reject_reason]
        out += await CaseEvent.filter(case_id=case.id).values_list("reason", flat=True)
    return [value for value in out if value]


async def details_of(customer: Customer) -> dict:
    link = await PersonLink.get(customer_id=customer.id)
    person = await Person.get(id=link.person_id)
    return {"name": person.name, "phone": person.phone, "address": person.address, "phone_seen": link.phone_seen,
            "notes": await ArchiveNote.filter(person_id=person.id).count(),
            "tags": await ArchiveTag.filter(person_id=person.id).count()}


GONE_AREAS = {"complaints": {"complaints": 1}, "callbacks": {"callbacks": 1},
              "archive": {"people": 1, "notes": 1, "tags": 1, "linked_phones": 1},
              "referral": {"referral_tags": 1, "referral_notes": 1}}


async def test_dry_run_counts_each_area_and_a_run_blanks_them_keeping_the_figures(bot, clock, monkeypatch):
    now = clock.now()
    customers = await seed(now)
    settings = bot.runtime.settings.area(RetentionSettings)
    monkeypatch.setattr(settings, "archive_days", ARCHIVE_DAYS)
    before = {name: (await words_of(c), await details_of(c)) for name, c in customers.items()}
    assert before["gone"][0] and before["gone"][1]["notes"] == 1  # the test starts from data that is there
    totals = await figures(bot.runtime, now)
    assert totals[0]["count"] == 3 and totals[1]["satisfied"] == 2

    dry = await retention.run(bot.runtime.services[REPORTS], apply=False)
    assert dry.areas == GONE_AREAS and dry.cases_anonymised == 1
    assert {name: (await words_of(c), await details_of(c)) for name, c in customers.items()} == before  # unchanged

    done = await retention.run(bot.runtime.services[REPORTS], apply=True)
    assert done.areas == GONE_AREAS
    assert await words_of(customers["gone"]) == []
    assert await details_of(customers["gone"]) == {"name": None, "phone": None, "address": None,
                                                   "phone_seen": None, "notes": 0, "tags": 0}
    person = await Person.get(id=(await PersonLink.get(customer_id=customers["gone"].id)).person_id)
    assert person.member_level == "gold" and person.erased_at is None  # the record stays, anonymous
    for name in ("shared", "busy", "recent"):  # in contact on another channel, an open complaint, in contact
        assert (await words_of(customers[name]), await details_of(customers[name])) == before[name], name
    assert (await Customer.get(id=customers["busy"].id)).phone == "13800000003"
    assert await figures(bot.runtime, now) == totals  # counts and rates survive

    again = await retention.run(bot.runtime.services[REPORTS], apply=True)
    assert again.areas == {"complaints": {"complaints": 0}, "callbacks": {"callbacks": 0},
                           "archive": {"people": 0, "notes": 0, "tags": 0, "linked_phones": 0},
                           "referral": {"referral_tags": 0, "referral_notes": 0}}


@pytest.mark.timeout(240)  # each command opens the whole runtime as `csbot` does
def test_the_command_shows_each_areas_counts_then_does_it(tmp_path, clock, monkeypatch, capsys):
    import asyncio

    async def seeded() -> None:
        async with running_bot(make_settings(tmp_path), clock=clock):
            await seed(clock.now())

    asyncio.run(seeded())
    monkeypatch.chdir(tmp_path)  # no developer's .env
    monkeypatch.setenv("DATABASE_URL", f"sqlite://{tmp_path / 'bot.sqlite3'}")
    monkeypatch.setenv("RETENTION_ARCHIVE_DAYS", str(ARCHIVE_DAYS))  # the command runs on the real clock:
    # the seeded contacts are older than 30 days on it too, and the recent ones younger

    def run(*args: str) -> dict:
        status = cli.main(["retention", *args])
        out, err = capsys.readouterr()
        assert status == 0, err
        return json.loads(out)

    dry = run("--dry-run")
    assert dry["dry_run"] is True and dry["areas"] == GONE_AREAS
    assert "13800000001" not in json.dumps(dry) and "砍价" not in json.dumps(dry, ensure_ascii=False)
    assert run()["areas"] == GONE_AREAS
    assert run("--dry-run")["areas"]["archive"] == {"people": 0, "notes": 0, "tags": 0, "linked_phones": 0}


async def old_identity_with_history(now: datetime) -> Customer:
    """A customer row past retention with something in every place retention reaches: a message, an order
    with the buyer's name and phone, a case, a complaint, a callback."""
    old = await old_customer(now, "old-identity", "13800000009")
    conversation = await Conversation.create(customer=old, channel="webchat", key="webchat:old-identity",
                                             opened_at=now - LONG_AGO)
    await Message.create(conversation=conversation, channel="webchat", direction="in", text="上次买的杯子漏水",
                         created_at=now - LONG_AGO)
    await resolved_case(old, now - LONG_AGO)
    await Order.filter(customer=old).update(buyer_name="old-identity", phone="13800000009")
    await complaint(old, "TS202608140009", now - LONG_AGO)
    await answered_callback(old, now - LONG_AGO)
    await persons.link_customer(old, now - LONG_AGO)
    return old


@pytest.mark.parametrize("other_identity", ["wrote_recently", "open_complaint"])
async def test_an_old_identity_of_a_person_in_contact_elsewhere_keeps_everything(bot, clock, monkeypatch,
                                                                                 other_identity):
    """R-RETENTION-1/2: the person is in contact through another channel identity (a message two days ago,
    or a complaint still open on it), so nothing of their old identity is deleted or anonymised either."""
    now = clock.now()
    old = await old_identity_with_history(now)
    if other_identity == "wrote_recently":
        other = await old_customer(now, "new-identity", "13800000009", days_ago=timedelta(days=2))
    else:
        other = await old_customer(now, "new-identity", "13800000009")
        await complaint(other, "TS202608140010", now - LONG_AGO, closed=False)
    await persons.link_customer(other, now)  # the same verified phone: one person
    links = await PersonLink.filter(customer_id__in=[old.id, other.id])
    person_of = {link.customer_id: link.person_id for link in links}
    assert person_of[old.id] == person_of[other.id]
    settings = bot.runtime.settings.area(RetentionSettings)
    for kind in ("message_days", "upload_days", "archive_days"):
        monkeypatch.setattr(settings, kind, ARCHIVE_DAYS)
    before = (await words_of(old), await details_of(old), await Order.get(customer=old).values("buyer_name", "phone"))
    assert len(before[0]) > 10 and before[2] == {"buyer_name": "old-identity", "phone": "13800000009"}

    done = await retention.run(bot.runtime.services[REPORTS], apply=True)

    assert (done.messages, done.customers_anonymised, done.orders_anonymised, done.cases_anonymised) == (0, 0, 0, 0)
    assert (await words_of(old), await details_of(old),
            await Order.get(customer=old).values("buyer_name", "phone")) == before
    assert (await Customer.get(id=old.id)).phone == "13800000009"
    assert await Message.filter(conversation__customer_id=old.id).values_list("text", flat=True) == ["上次买的杯子漏水"]


async def test_a_person_whose_every_identity_is_past_retention_loses_both(bot, clock, monkeypatch):
    """R-RETENTION-2's other side: two identities of one person, both out of contact (100 and 60 days),
    are both anonymised, and the person's record with them (the archive counts one person)."""
    now = clock.now()
    older = await old_identity_with_history(now)
    newer = await old_customer(now, "newer-identity", "13800000009", days_ago=timedelta(days=60))
    await persons.link_customer(newer, now - timedelta(days=60))
    settings = bot.runtime.settings.area(RetentionSettings)
    monkeypatch.setattr(settings, "archive_days", ARCHIVE_DAYS)

    done = await retention.run(bot.runtime.services[REPORTS], apply=True)

    assert done.customers_anonymised == 2 and done.areas["archive"]["people"] == 1
    assert [row.phone for row in await Customer.filter(id__in=[older.id, newer.id])] == [None, None]


async def test_a_run_in_rounds_of_one_customer_does_what_one_round_does(bot, clock, monkeypatch):
    """Retention works through the customers in rounds (`BATCH`, so no query binds more ids than the
    database takes); the counts add up over the rounds and the people in contact stay untouched."""
    now = clock.now()
    await seed(now)
    settings = bot.runtime.settings.area(RetentionSettings)
    for kind in ("message_days", "upload_days", "archive_days"):
        monkeypatch.setattr(settings, kind, ARCHIVE_DAYS)
    desk = bot.runtime.services[REPORTS]
    whole = await retention.run(desk, apply=False)
    monkeypatch.setattr(retention, "BATCH", 1)

    assert (await retention.run(desk, apply=False)).as_dict() == whole.as_dict()
    assert whole.customers_anonymised == 1 and whole.areas["archive"]["people"] == 1
