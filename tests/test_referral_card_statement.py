"""A referral card is counted and inserted in one statement (handlers/referral/cards.py `_ISSUE`), on
SQLite and PostgreSQL: the card the ORM reads back, the limit, and racing requests of one referrer."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from tortoise import connections

from handlers.referral.cards import issue_card
from models.customer import Customer
from models.referral import Campaign, ReferralCard

NOW = datetime(2026, 11, 27, 8, 30, tzinfo=UTC)
SECRET = b"test-referral-secret-0123456789"


async def campaign_and_referrer(max_cards: int) -> tuple[Campaign, int]:
    campaign = await Campaign.create(name="spring", title="春季推荐", starts_at=NOW - timedelta(days=1),
                                     ends_at=NOW + timedelta(days=9), tiers={"bounties": [[1, 500]], "rates": []},
                                     max_cards=max_cards, created_at=NOW, updated_at=NOW)
    referrer = await Customer.create(channel="wechat", external_id="old1", created_at=NOW)
    return campaign, referrer.id


async def test_a_card_is_counted_and_written_in_one_statement_up_to_the_limit(database: None, monkeypatch) -> None:
    campaign, referrer = await campaign_and_referrer(max_cards=2)
    client = connections.get("default")
    statements: list[str] = []
    for method in ("execute_query", "execute_query_dict", "execute_insert"):
        sent = getattr(client, method)

        def counting(sent=sent):
            async def counted(query, values=None):
                statements.append(query)
                return await sent(query, values) if values is not None else await sent(query)
            return counted

        monkeypatch.setattr(client, method, counting())
    first = await issue_card(campaign, referrer, SECRET, NOW)
    assert len(statements) == 1, statements  # counted, then inserted through the ORM: two before
    monkeypatch.undo()
    stored = await ReferralCard.get(id=first.card.id)
    assert first.left == 1 and first.card.number == 1
    assert ({field: getattr(first.card, field) for field in ReferralCard._meta.fields_db_projection}
            == {field: getattr(stored, field) for field in ReferralCard._meta.fields_db_projection})
    assert (stored.campaign_id, stored.referrer_id, stored.opens, stored.issued_at) == (campaign.id, referrer, 0, NOW)
    assert stored.wechat_qr_url is None and stored.code == first.card.code
    second = await issue_card(campaign, referrer, SECRET, NOW)
    assert (second.card.number, second.left) == (2, 0)
    used_up = await issue_card(campaign, referrer, SECRET, NOW)
    assert used_up.card is None and used_up.left == 0
    assert await ReferralCard.filter(referrer_id=referrer).count() == 2


async def test_racing_requests_of_one_referrer_stay_within_the_limit(database: None) -> None:
    """On PostgreSQL each request its own pooled connection: two count the same and one insert fails on
    the unique number, and that request counts again."""
    campaign, referrer = await campaign_and_referrer(max_cards=3)
    issued = await asyncio.gather(*(issue_card(campaign, referrer, SECRET, NOW) for _ in range(8)))
    assert sorted(each.card.number for each in issued if each.card) == [1, 2, 3]
    assert sum(each.card is None for each in issued) == 5
    assert await ReferralCard.filter(referrer_id=referrer).count() == 3
