"""The running campaign, read with a prebuilt statement, is the one the ORM's query finds, on SQLite
and PostgreSQL, at its boundaries too (datetimes compared as the ORM's filter sends them)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from handlers.referral.campaigns import active_campaign
from models.referral import Campaign

DAY = datetime(2026, 11, 1, 16, 0, tzinfo=UTC)  # 00:00 in Shanghai


async def campaign(name: str, starts: datetime, days: int) -> Campaign:
    return await Campaign.create(name=name, title=name, starts_at=starts, ends_at=starts + timedelta(days=days),
                                 tiers={"bounties": [[1, 500]], "rates": []}, created_at=DAY, updated_at=DAY)


async def orm_active(now: datetime) -> Campaign | None:
    return await Campaign.filter(starts_at__lte=now, ends_at__gt=now).order_by("-starts_at", "-id").first()


async def test_the_running_campaign_is_the_one_the_orm_finds(database: None) -> None:
    assert await active_campaign(DAY) is None
    long = await campaign("long", DAY, 30)
    later = await campaign("later", DAY + timedelta(days=10), 5)  # overlaps: the one that started last wins
    twin = await campaign("twin", DAY + timedelta(days=10), 5)  # same start: the higher id
    moments = [DAY - timedelta(microseconds=1), DAY, DAY + timedelta(microseconds=1), DAY + timedelta(days=3),
               later.starts_at - timedelta(microseconds=500), later.starts_at, later.ends_at,
               later.ends_at - timedelta(microseconds=1), long.ends_at - timedelta(seconds=1), long.ends_at]
    found = []
    for now in moments:
        prebuilt, orm = await active_campaign(now), await orm_active(now)
        assert (prebuilt and prebuilt.id) == (orm and orm.id), now
        found.append(prebuilt.name if prebuilt else None)
    assert found == [None, "long", "long", "long", "long", "twin", "long", "twin", "long", None]
    running = await active_campaign(DAY + timedelta(days=12))
    assert running is not None and running.id == twin.id
    assert (running.tiers, running.max_cards, running.starts_at) == ({"bounties": [[1, 500]], "rates": []}, 5,
                                                                     twin.starts_at)
