"""A database erased before erasures closed the person's 留言 (handlers/archive/erase.py) keeps them open for
good, their text emptied and `done_at` NULL. Migration 7 closes them at their erasure's moment: on PostgreSQL
as an aerich migration, on SQLite at the start of a file from before it (bot/db.py `DATA_MIGRATIONS`, told
by `PRAGMA user_version`). Nobody else's 留言 changes, and one done already keeps its moment.

Both databases: migrated from empty, then put back to before the migration (SQLite: its version in the
file's header; PostgreSQL: aerich's row of it deleted, its downgrade changing nothing), rows written as an
old erasure left them, and the next start.
"""

from __future__ import annotations

from datetime import timedelta

from tortoise import connections

from bot.db import DATA_MIGRATIONS, close_database, open_database
from models.archive import Erasure, Person, PersonLink
from models.conversation import Conversation
from models.customer import Customer
from models.handoff import LeftMessage
from tests.test_handoff_reads import NOW
from tests.test_left_message_races import empty_database_url

__all__ = ["empty_database_url"]  # the fixture: a new SQLite file, a new PostgreSQL database

[MIGRATION] = DATA_MIGRATIONS
ERASED_AT = NOW + timedelta(days=3)


async def a_person(name: str, *, erased: bool) -> Conversation:
    """`name`'s conversation, linked to a person of its own (erased as an old erasure left it: the person
    marked, the 留言 untouched by it)."""
    customer = await Customer.create(channel="webchat", external_id=name, created_at=NOW)
    person = await Person.create(erased_at=ERASED_AT if erased else None, created_at=NOW, updated_at=NOW)
    await PersonLink.create(customer=customer, person=person, how="new", linked_at=NOW)
    if erased:
        await Erasure.create(person_id=person.id, counts={"customers": 1}, by="root", at=ERASED_AT)
    return await Conversation.create(key=f"webchat:{name}", customer=customer, channel="webchat", opened_at=NOW,
                                     status="closed" if erased else "bot")


async def left(conversation: Conversation, text: str, done_at=None) -> int:
    row = await LeftMessage.create(conversation=conversation, text=text, promised_by=NOW, created_at=NOW,
                                   done_at=done_at)
    return row.id


async def test_an_erased_persons_open_left_messages_are_done_at_their_erasure(empty_database_url: str) -> None:
    url = empty_database_url
    await open_database(url)
    try:
        client = connections.get("default")
        if url.startswith("sqlite"):
            await client.execute_script(f"PRAGMA user_version = {int(MIGRATION.split('_')[0]) - 1}")
        else:
            await client.execute_query("DELETE FROM aerich WHERE version = $1", [f"{MIGRATION}.py"])
        erased, other = await a_person("gone", erased=True), await a_person("here", erased=False)
        ids = [await left(erased, ""), await left(erased, ""), await left(erased, "", done_at=NOW),
               await left(other, "还没人回复我")]
    finally:
        await close_database()
    for _ in range(2):  # the start that migrates, and one after it
        await open_database(url)
        try:
            done = dict(await LeftMessage.filter(id__in=ids).values_list("id", "done_at"))
            assert [done[i] for i in ids] == [ERASED_AT, ERASED_AT, NOW, None]
        finally:
            await close_database()
