"""The teaching area's service key and the messages it offers for labelling."""

from __future__ import annotations

from datetime import datetime

from bot.context import ServiceKey
from bot.intents import UNKNOWN
from bot.learned import LearnedExamples
from models.message import Message

LEARNED: ServiceKey[LearnedExamples] = ServiceKey("learned_examples")


def customer_texts():
    """Customer text messages (the ones the matcher classified)."""
    return Message.filter(direction="in", kind="text", author="customer")


async def asked_messages(since: datetime) -> list[str]:
    """Texts of customer messages since `since` the bot could not place (it asked)."""
    rows = await customer_texts().filter(created_at__gte=since, intent=UNKNOWN).values_list("text", flat=True)
    return [str(text) for text in rows]
