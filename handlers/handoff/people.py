"""What customers see of the staff (their 昵称), whether an agent is typing, and how many messages a
customer may still be sent.

The login name stays internal: customers read the agent's display name, or the shop's default
nickname from scripts_zh (`handoff.default_nickname`) when the agent has not set one.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from models.agent import Agent
from models.conversation import Conversation

if TYPE_CHECKING:
    from bot.clock import Clock
    from bot.messenger import CustomerMessenger
    from bot.store.base import Store
    from bot.templates import Templates


def nickname(templates: Templates, agent: Agent) -> str:
    return agent.display_name or templates.render("handoff.default_nickname")


async def sends_left(messenger: CustomerMessenger, conversation: Conversation) -> int | None:
    """Messages the platform still lets us push to this customer now (None: no cap on this channel)."""
    channel, user_id = conversation.key.split(":", 1)
    return await messenger.sends_left(channel, user_id)


async def may_spend(messenger: CustomerMessenger, conversation: Conversation, keep: int) -> bool:
    """True when an extra message (holding, greeting) still leaves `keep` for the holder's answer."""
    left = await sends_left(messenger, conversation)
    return left is None or left > keep


#: How long a typing ping counts as "working on an answer" (the console pings at most every 10 s).
TYPING_TTL_S = 60


def typing_key(store: Store, agent_id: int, conversation_id: int) -> str:
    """Per agent and conversation: typing to one customer is not working on another's question."""
    return store.keys("handoff", "typing", str(agent_id), str(conversation_id))


async def typed(store: Store, clock: Clock, agent_id: int, conversation_id: int) -> None:
    """The agent's console says they are typing in that conversation (`POST /api/agent/typing`)."""
    await store.set(typing_key(store, agent_id, conversation_id), f"{clock.time():.3f}", ttl=TYPING_TTL_S)


async def typed_since(store: Store, agent_id: int, conversation_id: int, moment: datetime) -> bool:
    raw = await store.get(typing_key(store, agent_id, conversation_id))
    return raw is not None and float(raw) >= moment.timestamp()
