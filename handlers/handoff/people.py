"""What customers see of the staff (their 昵称), whether an agent is typing, and how many messages a
customer may still be sent.

The login name stays internal: customers read the agent's display name, or the shop's default
nickname from scripts_zh (`handoff.default_nickname`) when the agent has not set one.
"""

from __future__ import annotations

from datetime import datetime

from bot.runtime import Runtime
from models.agent import Agent
from models.conversation import Conversation


def nickname(runtime: Runtime, agent: Agent) -> str:
    return agent.display_name or runtime.templates.render("handoff.default_nickname")


async def sends_left(runtime: Runtime, conversation: Conversation) -> int | None:
    """Messages the platform still lets us push to this customer now (None: no cap on this channel)."""
    channel, user_id = conversation.key.split(":", 1)
    adapter = runtime.channels.get(channel)
    return None if adapter is None else await adapter.sends_left(user_id)


async def may_spend(runtime: Runtime, conversation: Conversation, keep: int) -> bool:
    """True when an extra message (holding, greeting) still leaves `keep` for the holder's answer."""
    left = await sends_left(runtime, conversation)
    return left is None or left > keep


#: How long a typing ping counts as "working on an answer" (the console pings at most every 10 s).
TYPING_TTL_S = 60


def typing_key(runtime: Runtime, agent_id: int, conversation_id: int) -> str:
    """Per agent and conversation: typing to one customer is not working on another's question."""
    return runtime.store.keys("handoff", "typing", str(agent_id), str(conversation_id))


async def typed(runtime: Runtime, agent_id: int, conversation_id: int) -> None:
    """The agent's console says they are typing in that conversation (`POST /api/agent/typing`)."""
    await runtime.store.set(typing_key(runtime, agent_id, conversation_id), f"{runtime.clock.time():.3f}",
                            ttl=TYPING_TTL_S)


async def typed_since(runtime: Runtime, agent_id: int, conversation_id: int, moment: datetime) -> bool:
    raw = await runtime.store.get(typing_key(runtime, agent_id, conversation_id))
    return raw is not None and float(raw) >= moment.timestamp()
