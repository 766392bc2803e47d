"""The embedded default's SQLite engine (`bot.sqlite_client`): reads leave the writing connection
(to reader threads, or inline on a message's path) but never see less than it would."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from tortoise import connections
from tortoise.transactions import in_transaction

from bot.db import close_database, open_database
from bot.sqlite_client import SHORT_READS, ReadPoolSqliteClient
from models.customer import Customer

NOW = datetime(2026, 11, 27, tzinfo=UTC)


@pytest.fixture
async def database(tmp_path: Path):
    await open_database(f"sqlite://{tmp_path / 'bot.sqlite3'}")
    yield tmp_path / "bot.sqlite3"
    await close_database()


def client() -> ReadPoolSqliteClient:
    db = connections.get("default")
    assert isinstance(db, ReadPoolSqliteClient)
    return db


async def test_reads_see_every_commit_and_transactions_read_their_own_writes(database: Path) -> None:
    await Customer.create(channel="wechat", external_id="o1", created_at=NOW)
    assert client()._readers, "a file database gets reader connections"
    for short in (False, True):
        token = SHORT_READS.set(short)
        try:
            assert await Customer.filter(channel="wechat").count() == 1 + short
            async with in_transaction() as connection:
                await Customer.create(channel="wechat", external_id=f"o-{short}", created_at=NOW,
                                      using_db=connection)
                # inside the transaction: its own connection, which sees the uncommitted row
                assert await Customer.filter(channel="wechat").using_db(connection).count() == 2 + short
                assert await Customer.filter(channel="wechat").count() == 2 + short
        finally:
            SHORT_READS.reset(token)
    assert await Customer.filter(channel="wechat").count() == 3

