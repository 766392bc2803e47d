"""A prebuilt statement (bot/prebuilt_sql.py) runs on the connection tortoise gives the current task
(`default_connection`): the ORM's outside a transaction, the transaction's own inside one, so it reads the
transaction's uncommitted rows and its writes roll back with it. Both databases; on SQLite both the
transaction on aiosqlite's thread and the inline one of a message's path (`SHORT_READS`)."""

from __future__ import annotations

import pytest
from tortoise.transactions import in_transaction

from bot.prebuilt_sql import Prebuilt
from bot.sqlite_client import SHORT_READS
from models.customer import Customer
from tests.test_handoff_reads import NOW

VIP_BY_NAME = Prebuilt(lambda: "SELECT is_vip FROM customer WHERE external_id = ?")
MAKE_VIP = Prebuilt(lambda: "UPDATE customer SET is_vip = ? WHERE external_id = ?")


class Undone(Exception):
    """Raised to roll a transaction back."""


async def vip(name: str) -> list[bool]:
    return [bool(row["is_vip"]) for row in await VIP_BY_NAME.rows(name)]


@pytest.mark.parametrize("short_reads", [False, True])
async def test_a_prebuilt_statement_in_a_transaction_is_the_transactions(database: None, short_reads: bool) -> None:
    token = SHORT_READS.set(short_reads)
    try:
        await Customer.create(channel="wechat", external_id="kept", created_at=NOW)
        with pytest.raises(Undone):
            async with in_transaction() as connection:
                await Customer.create(channel="wechat", external_id="new", created_at=NOW, using_db=connection)
                assert await vip("new") == [False], "the transaction's own row, not yet committed"
                await MAKE_VIP.rows(True, "kept")
                assert await vip("kept") == [True]
                raise Undone
        assert await vip("new") == []
        assert await vip("kept") == [False], "the prebuilt UPDATE rolled back with its transaction"
        await MAKE_VIP.rows(True, "kept")  # outside: the ORM's connection, committed at once
        assert (await Customer.get(external_id="kept")).is_vip is True
    finally:
        SHORT_READS.reset(token)
