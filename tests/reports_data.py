"""A small shop's week, written straight into the database, whose report figures are worked out by hand
in tests/test_reports.py (times in UTC; the shop is in Asia/Shanghai, UTC+8).

The clock stands at 2026-11-23 02:00 UTC (10:00 shop time). Three conversations:
- conv1 (webchat, alice): escalated 11-20 10:00, reached in 10 s; acknowledged in time; two questions,
  one answered in time, one answered late (its breach was recorded too: still one question);
- conv2 (wechat, bob): escalated 11-20 23:59:50 shop time, so its 15 s fell due on 11-21; reached late;
  acknowledged late; one question never answered (breach only);
- conv3 (webchat, bob): escalated 11-22, nobody reached it; bob holds it now and owes an answer asked
  60 s ago, and an acknowledgement of a message 30 s ago.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.web.auth import create_agent, issue_api_token
from models.agent import Agent
from models.callback import Callback, CallbackTask
from models.case import AfterSalesCase
from models.complaint import Complaint
from models.conversation import Conversation
from models.customer import Customer
from models.handoff import SlaEvent
from models.message import Message
from models.order import Order
from models.referral import Campaign, Referral, ReferralCard

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def utc(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, second, tzinfo=UTC)


@dataclass
class Shop:
    alice: Agent
    bob: Agent
    tokens: dict[str, str]
    customers: dict[str, Customer]
    conversations: dict[str, Conversation]


async def staff(role: str, name: str) -> tuple[Agent, str]:
    agent = await create_agent(name, role, "secret-pass-123", now=NOW)
    return agent, await issue_api_token(agent)


async def event(conversation: Conversation, kind: str, at: datetime, agent: Agent | None = None,
                due: datetime | None = None, within: bool | None = None) -> None:
    await SlaEvent.create(conversation=conversation, agent=agent, kind=kind, at=at, due_at=due, within=within,
                          waited_s=None if due is None else 0.0)


async def message(conversation: Conversation, author: str, at: datetime, text: str = "您好") -> None:
    await Message.create(conversation=conversation, channel=conversation.channel, direction="in" if author ==
                         "customer" else "out", text=text, author=author, created_at=at,
                         source_id=f"m{at.timestamp()}-{author}")


async def seed_shop() -> Shop:
    alice, alice_token = await staff("agent", "alice")
    bob, _ = await staff("agent", "bob")
    _, supervisor_token = await staff("supervisor", "sue")
    _, admin_token = await staff("admin", "root")
    tokens = {"agent": alice_token, "supervisor": supervisor_token, "admin": admin_token}
    customers, conversations = {}, {}
    for name, channel in (("c1", "webchat"), ("c2", "wechat"), ("c3", "webchat")):
        customers[name] = await Customer.create(channel=channel, external_id=name, name=f"顾客{name}",
                                                phone="13800000000", created_at=utc(1, 0))
    c1 = conversations["conv1"] = await Conversation.create(customer=customers["c1"], channel="webchat",
                                                            key="webchat:c1", status="closed", opened_at=utc(20, 1))
    c2 = conversations["conv2"] = await Conversation.create(customer=customers["c2"], channel="wechat",
                                                            key="wechat:c2", status="closed", opened_at=utc(20, 15))
    c3 = conversations["conv3"] = await Conversation.create(
        customer=customers["c3"], channel="webchat", key="webchat:c3", status="handoff", assignee=bob,
        opened_at=utc(22, 2), queued_at=utc(22, 3), assigned_at=utc(22, 3, 5),
        waiting_since=NOW - timedelta(seconds=60), unacked_since=NOW - timedelta(seconds=30))
    # conv1, alice, all on 11-20 shop time
    await event(c1, "queued", utc(20, 2))
    await event(c1, "assigned", utc(20, 2, 0, 5), alice)
    await event(c1, "person_reached", utc(20, 2, 0, 10), alice, utc(20, 2, 0, 15), True)
    await event(c1, "acknowledged", utc(20, 2, 0, 50), alice, utc(20, 2, 1), True)
    await event(c1, "person_answered", utc(20, 2, 1, 50), alice, utc(20, 2, 2), True)
    await event(c1, "breach", utc(20, 2, 5), alice, utc(20, 2, 5), False)
    await event(c1, "person_answered", utc(20, 2, 5, 30), alice, utc(20, 2, 5), False)
    for second in (10, 20, 30):
        await message(c1, f"agent:{alice.id}", utc(20, 2, 1, second))
    await message(c1, "customer", utc(20, 2, 0, 0), "我要找人工")
    # conv2, bob: escalated 23:59:50 shop time on 11-20, so due 00:00:05 on 11-21
    await event(c2, "queued", utc(20, 15, 59, 50))
    await event(c2, "assigned", utc(20, 16, 0, 30), bob)
    await event(c2, "person_reached", utc(20, 16, 0, 40), bob, utc(20, 16, 0, 5), False)
    await event(c2, "acknowledged", utc(21, 3, 0, 30), bob, utc(21, 3), False)
    await event(c2, "breach", utc(21, 4), bob, utc(21, 4), False)
    for second in (10, 20):
        await message(c2, f"agent:{bob.id}", utc(21, 3, 0, second))
    # conv3: escalated 11-22, never reached; bob holds it now
    await event(c3, "queued", utc(22, 3))
    await event(c3, "assigned", utc(22, 3, 0, 5), bob)
    await seed_referrals(customers)
    await seed_cases(customers, alice)
    return Shop(alice, bob, tokens, customers, conversations)


async def seed_referrals(customers: dict[str, Customer]) -> None:
    campaign = await Campaign.create(name="autumn", title="秋季老带新", starts_at=utc(1, 0), ends_at=utc(30, 0),
                                     tiers={"bounties": [[1, 400000]], "rates": [[1, "0.02"]]},
                                     created_at=utc(1, 0), updated_at=utc(1, 0))
    referrer = customers["c1"]
    friends = [await Customer.create(channel=channel, external_id=name, created_at=utc(20, 0))
               for name, channel in (("f1", "webchat"), ("f2", "wechat"))]
    for number, (friend, visit, converted) in enumerate(
            ((friends[0], utc(20, 3), utc(21, 3)), (friends[1], utc(21, 5), None)), 1):
        card = await ReferralCard.create(campaign=campaign, referrer=referrer, number=number, code=f"CODE{number}",
                                         issued_at=utc(20, 1))
        await Referral.create(campaign=campaign, card=card, referrer=referrer, referred=friend,
                              status="converted" if converted else "visited", first_visit_at=visit,
                              first_visit_channel=friend.channel, converted_at=converted,
                              position=1 if converted else None)


async def seed_cases(customers: dict[str, Customer], alice: Agent) -> None:
    order = await Order.create(order_no="E2026112000001", customer=customers["c1"], buyer_name="顾客c1",
                               phone="13800000000", total_fen=9900, updated_at=utc(19, 0))
    cases = (("AS20261120-0001", customers["c1"], "resolved", 1500, utc(20, 4), alice),
             ("AS20261121-0001", customers["c2"], "requested", None, utc(21, 4), None),
             ("AS20261121-0002", customers["c2"], "cancelled", None, utc(21, 5), None))
    for number, (case_no, customer, state, amount, created, assignee) in enumerate(cases):
        await AfterSalesCase.create(case_no=case_no, order=order, customer=customer, kind="refund", state=state,
                                    amount_fen=amount, created_at=created, touched_at=created, assignee=assignee,
                                    description="外包装破了" if number == 0 else "")


async def seed_callbacks(shop: Shop) -> None:
    """Callbacks due in the week (figures worked out in tests/test_reports_filters.py):
    - cb1 c1 (webchat) buyer, due 11-20, alice's task, done in time, satisfied;
    - cb2 c2 (wechat) buyer, due 11-21, bob's task still on the phone list (a failure, not a gap);
    - cb3 c3 (webchat) after-sales, due 11-21 14:00 shop time, bob's task, done after its deadline, unsatisfied;
    - cb4 c2 (wechat) complaint, due 11-22, no task yet (nobody's);
    - cb5 c1 (webchat) buyer, due 11-24: not due by now, so in no figure."""
    c = shop.customers
    tasks = {
        "cb1": (c["c1"], shop.alice, "done", utc(21, 2), "satisfied"),
        "cb2": (c["c2"], shop.bob, "phone", None, None),
        "cb3": (c["c3"], shop.bob, "done", utc(22, 8), "unsatisfied"),
    }
    made = {}
    for name, (customer, owner, state, done_at, rating) in tasks.items():
        made[name] = await CallbackTask.create(customer=customer, owner=owner, state=state, start_at=utc(20, 1),
                                               open_key=None if state == "done" else customer.id, done_at=done_at,
                                               rating=rating, created_at=utc(20, 1), updated_at=utc(20, 1))
    callbacks = (("cb1", c["c1"], "buyer", utc(20, 4), utc(22, 4)), ("cb2", c["c2"], "buyer", utc(21, 4), utc(23, 4)),
                 ("cb3", c["c3"], "after_sales", utc(21, 6), utc(22, 6)),
                 ("cb4", c["c2"], "complaint", utc(22, 2), utc(24, 2)),
                 ("cb5", c["c1"], "buyer", utc(24, 2), utc(26, 2)))
    for name, customer, kind, due, deadline in callbacks:
        await Callback.create(customer=customer, task=made.get(name), kind=kind, source_key=f"test:{name}",
                              due_at=due, deadline_at=deadline, created_at=utc(19, 0))


async def seed_complaints(shop: Shop) -> None:
    """Complaints registered in the week (figures worked out in tests/test_reports_filters.py):
    - k1 c1 (webchat) service about bob, alice handles it, major, closed, registered 11-20;
    - k2 c2 (wechat) product, alice handles it, cause 质量问题, registered 11-21;
    - k3 c3 (webchat) service about alice, bob handles it, registered 11-21 16:30 UTC = 11-22 00:30 shop time;
    - k4 c2 (wechat) service about bob, nobody handles it yet, serious, registered 11-22."""
    c = shop.customers
    complaints = (("k1", c["c1"], "service", shop.bob, shop.alice, "major", utc(20, 3), utc(21, 3), None, False),
                  ("k2", c["c2"], "product", None, shop.alice, "normal", utc(21, 3), None, "质量问题", False),
                  ("k3", c["c3"], "service", shop.alice, shop.bob, "normal", utc(21, 16, 30), None, None, False),
                  ("k4", c["c2"], "service", shop.bob, None, "normal", utc(22, 1), None, None, True))
    for name, customer, category, accused, owner, severity, created, closed, cause, serious in complaints:
        await Complaint.create(number=f"TS{name}", customer=customer, channel=customer.channel, category=category,
                               matter=category, accused_agent=accused, owner=owner, severity=severity,
                               created_at=created, closed_at=closed, cause=cause, serious=serious,
                               reply_by=created + timedelta(days=1))
