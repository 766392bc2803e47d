"""The handoff's reads on a customer's message path, each one prebuilt statement (bot/prebuilt_sql.py).

- `conversation`: a conversation by id (an escalation finding it queued or held already, or taken by
  the assignment pass), without the ORM's query building.
- `anyone_online`: whether any agent is online, without the ORM's query building.
- `record_left_message`: a 留言's row, as `LeftMessage.create` writes it.

What they answer or write is what the ORM's queries did: the same row, loaded into the same model.
"""

from __future__ import annotations

from datetime import datetime

from tortoise.exceptions import DoesNotExist

from bot.prebuilt_sql import Prebuilt, columns, load
from models.conversation import Conversation

_CONVERSATION = Prebuilt(lambda: f"SELECT {columns(Conversation, 'c')} FROM conversation c WHERE c.id = ?")
_ANYONE_ONLINE = Prebuilt(lambda: "SELECT 1 AS online FROM agent WHERE presence = ? LIMIT 1")
#: A 留言's row; also the first half of `Queue.leave_queue_with_message`'s statement on PostgreSQL. Not
#: written when the conversation has an open 留言 of the same text: that is the same customer message
#: handled again (a failure after the write made it come back), docs/handoff-sla.md "A 留言 sent again".
#: Values: the conversation's id, the text, the promised time, the creation time, the id and text again.
LEFT_MESSAGE_SQL = (
    "INSERT INTO left_message (conversation_id, text, promised_by, created_at) SELECT ?, ?, ?, ? "
    "WHERE NOT EXISTS (SELECT 1 FROM left_message WHERE conversation_id = ? AND text = ? AND done_at IS NULL)")
_LEFT_MESSAGE = Prebuilt(lambda: LEFT_MESSAGE_SQL)


async def conversation(conversation_id: int) -> Conversation:
    """As `Conversation.get(id=conversation_id)`."""
    rows = await _CONVERSATION.rows(conversation_id)
    if not rows:
        raise DoesNotExist(Conversation)
    return load(Conversation, rows[0])


async def anyone_online() -> bool:
    return bool(await _ANYONE_ONLINE.rows("online"))


async def record_left_message(conversation_id: int, text: str, promised_by: datetime, created_at: datetime) -> None:
    await _LEFT_MESSAGE.rows(conversation_id, text, promised_by, created_at, conversation_id, text)
