"""The handoff's reads on a customer's message path, each one prebuilt statement (bot/prebuilt_sql.py).

- `conversation`: a conversation by id (taken by the assignment pass), without the ORM's query building.
- `queued_conversation`: the columns of a conversation an escalation reads (`QueuedRow`), when it found the
  conversation queued or held already.
- `anyone_online`: whether any agent is online, without the ORM's query building.
- `record_left_message`: a 留言's row, as `LeftMessage.create` writes it, unless one of its text is open
  (`left_message_sql`).
- `kept_promise`: the reply time the open 留言 of a text holds, as the ORM's `values_list` read it (the
  ORM built that query per 留言: 3% of the embedded loop's samples, docs/performance.md "Ninth round").

What they answer or write is what the ORM's queries did: the same row, loaded into the same model.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, NamedTuple

from tortoise.exceptions import DoesNotExist

from bot.prebuilt_sql import Prebuilt, columns, datetime_value, load
from models.agent import SERVING
from models.conversation import Conversation
from models.handoff import OPEN_SQL, LeftMessage, open_key_columns

_CONVERSATION = Prebuilt(lambda: f"SELECT {columns(Conversation, 'c')} FROM conversation c WHERE c.id = ?")
#: The columns of `QueuedRow`, in its order.
QUEUED_COLUMNS = ("id", "key", "customer_id", "status", "assignee_id", "priority", "queued_at", "escalation_reason")
_QUEUED_ROW = Prebuilt(lambda: f"SELECT {queued_columns('')} FROM conversation WHERE id = ?")
#: Anyone online who serves customers (`SERVING`: a product owner marked online before that rule serves none).
_ANYONE_ONLINE = Prebuilt(lambda: (
    "SELECT 1 AS online FROM agent WHERE presence = ? "
    f"AND role IN ({', '.join('?' * len(SERVING))}) LIMIT 1"))
#: The open 留言 of a text in a conversation (parameters: the conversation's id, the text).
_OPEN_LEFT_MESSAGE = "FROM left_message WHERE conversation_id = ? AND text = ? AND done_at IS NULL"
#: A 留言's row (`left_message_sql`).
_LEFT_MESSAGE = Prebuilt(lambda: left_message_sql("sqlite"), postgres=lambda: left_message_sql("postgres"))
#: The first open 留言's promise (`kept_promise`); also the last part of `Queue.leave_queue_with_message`'s
#: statement on PostgreSQL. Values: the conversation's id, the text.
KEPT_PROMISE_SQL = f"SELECT promised_by {_OPEN_LEFT_MESSAGE} ORDER BY id LIMIT 1"
_KEPT_PROMISE = Prebuilt(lambda: KEPT_PROMISE_SQL)
_PROMISED_BY = LeftMessage._meta.fields_map["promised_by"]


def left_message_sql(dialect: str) -> str:
    """A 留言's row on `dialect`; also the first half of `Queue.leave_queue_with_message`'s statement on
    PostgreSQL. Values: the conversation's id, the text, the promised time, the creation time.

    Not written when the conversation has an open 留言 of the same text: that is the same customer message
    handled again (a failure after the write made it come back, or a copy handled at the same moment),
    docs/handoff-sla.md "A 留言 sent again". The table's unique key (models/handoff.py `OpenLeftMessageKey`)
    finds it, also a copy committed after this statement began (PostgreSQL, READ COMMITTED: the copy's
    commit is waited for). The open one keeps its promise, unless that has passed when this copy comes:
    it then takes this copy's, which the customer is told (a reply time already gone is no promise).
    SQLite keeps times as text, in the zone each was written in (a promise outside staffed hours is in
    the shop's): compared as Julian days."""
    passed = ("julianday(left_message.promised_by) < julianday(excluded.created_at)" if dialect == "sqlite"
              else "left_message.promised_by < excluded.created_at")
    return ("INSERT INTO left_message (conversation_id, text, promised_by, created_at) VALUES (?, ?, ?, ?) "
            f"ON CONFLICT ({open_key_columns(dialect)}) WHERE {OPEN_SQL} "
            f"DO UPDATE SET promised_by = excluded.promised_by WHERE {passed}")


class QueuedRow(NamedTuple):
    """The columns of a conversation that an escalation reads (the queue's UPDATE returns them), as the
    ORM's model gives them: building the whole model converted every column and parsed a dozen
    datetimes, a sixth to a third of an escalation's samples on the embedded default by two profiles
    (docs/performance.md "Seventh round", "Eighth round")."""

    id: int
    key: str
    customer_id: int
    status: str
    assignee_id: int | None
    priority: int
    queued_at: datetime | None
    escalation_reason: str | None


def queued_columns(alias: str) -> str:
    """`QUEUED_COLUMNS` for a SELECT or a RETURNING (`alias`: the table's, or '' for none)."""
    qualifier = f"{alias}." if alias else ""
    return ", ".join(f'{qualifier}"{column}"' for column in QUEUED_COLUMNS)


_QUEUED_AT = Conversation._meta.fields_map["queued_at"]


def queued_row(row: Mapping[str, Any]) -> QueuedRow:
    """A `QueuedRow` from a row with `QUEUED_COLUMNS` (SQLite gives the time as text: converted as the
    model's own field does, `datetime_value`)."""
    return QueuedRow(row["id"], row["key"], row["customer_id"], row["status"], row["assignee_id"], row["priority"],
                     datetime_value(_QUEUED_AT, row["queued_at"]), row["escalation_reason"])


async def queued_conversation(conversation_id: int) -> QueuedRow:
    """As `conversation`, with the columns of a `QueuedRow` only."""
    rows = await _QUEUED_ROW.rows(conversation_id)
    if not rows:
        raise DoesNotExist(Conversation)
    return queued_row(rows[0])


async def conversation(conversation_id: int) -> Conversation:
    """As `Conversation.get(id=conversation_id)`."""
    rows = await _CONVERSATION.rows(conversation_id)
    if not rows:
        raise DoesNotExist(Conversation)
    return load(Conversation, rows[0])


async def anyone_online() -> bool:
    return bool(await _ANYONE_ONLINE.rows("online", *SERVING))


async def record_left_message(conversation_id: int, text: str, promised_by: datetime, created_at: datetime) -> None:
    await _LEFT_MESSAGE.rows(conversation_id, text, promised_by, created_at)


async def kept_promise(conversation_id: int, text: str) -> datetime | None:
    """`promised_by` of the first open 留言 of `text` in the conversation (`promise`), None when there is none."""
    rows = await _KEPT_PROMISE.rows(conversation_id, text)
    return promise(rows[0]["promised_by"]) if rows else None


def promise(value: Any) -> datetime | None:
    """A 留言's `promised_by` as the ORM loads it (SQLite gives it as text: `datetime_value`)."""
    return datetime_value(_PROMISED_BY, value)
