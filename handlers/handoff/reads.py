"""The handoff's reads on a customer's message path, each one prebuilt statement (bot/prebuilt_sql.py).

- `escalating`: the conversation and whether its customer is a VIP, in one query where the ORM took
  two (the conversation, then the customer), each built anew by pypika for every escalation.
- `conversation`: a conversation by id (a 留言 leaving the queue), without the ORM's query building.
- `anyone_online`: whether any agent is online, without the ORM's query building.

What they answer is what the ORM's queries answered: the same row, loaded into the same model.
"""

from __future__ import annotations

from tortoise.exceptions import DoesNotExist

from bot.prebuilt_sql import Prebuilt, columns, load
from models.conversation import Conversation

_ESCALATING = Prebuilt(lambda: (
    f"SELECT {columns(Conversation, 'c')}, u.is_vip AS customer_is_vip FROM conversation c "
    "JOIN customer u ON u.id = c.customer_id WHERE c.id = ?"))
_CONVERSATION = Prebuilt(lambda: f"SELECT {columns(Conversation, 'c')} FROM conversation c WHERE c.id = ?")
_ANYONE_ONLINE = Prebuilt(lambda: "SELECT 1 AS online FROM agent WHERE presence = ? LIMIT 1")


async def escalating(conversation_id: int) -> tuple[Conversation, bool]:
    """The conversation numbered `conversation_id` and whether its customer is a VIP (now, not as of
    first contact); `DoesNotExist` (as the ORM's `get`) when there is no such conversation."""
    rows = await _ESCALATING.rows(conversation_id)
    if not rows:
        raise DoesNotExist(Conversation)
    return load(Conversation, rows[0]), bool(rows[0]["customer_is_vip"])


async def conversation(conversation_id: int) -> Conversation:
    """As `Conversation.get(id=conversation_id)`."""
    rows = await _CONVERSATION.rows(conversation_id)
    if not rows:
        raise DoesNotExist(Conversation)
    return load(Conversation, rows[0])


async def anyone_online() -> bool:
    return bool(await _ANYONE_ONLINE.rows("online"))
