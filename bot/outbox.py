"""Messages sent outside a reply: the rest of a long answer, an agent's message, a follow-up.

Each text is persisted as a pending outbound row first, then pushed through the customer's
channel in order; the row records what happened (sent, or undeliverable with the platform's
reason). A refused message is never retried forever: the channel decides what is retryable and
does it once, the outbox records the final outcome.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

from bot.channels.base import Channel
from bot.clock import Clock
from bot.errors import DeliveryFailed
from bot.recorder import Recorder, outbound_message

log = logging.getLogger("csbot.outbox")


class Outbox:
    def __init__(self, channels: Mapping[str, Channel], recorder: Recorder, clock: Clock) -> None:
        self.channels = channels
        self.recorder = recorder
        self.clock = clock

    async def send(
        self, channel: str, user_id: str, texts: Sequence[str], *, author: str = "bot",
        source_ids: Sequence[str] | None = None,
    ) -> list[str]:
        """Push texts in order; returns the outcome per text ("sent" or the failure reason).

        `source_ids` names rows already persisted as pending (the tail of a reply); without it the
        rows are written here first.
        """
        if source_ids is None:
            identity = await self.recorder.identify(channel, user_id)
            now = self.clock.now()
            rows = [outbound_message(channel, identity.conversation_id, text, author, now) for text in texts]
            await self.recorder.record(rows)
            source_ids = [row.source_id for row in rows]
        outcomes = []
        adapter = self.channels[channel]
        for text, source_id in zip(texts, source_ids, strict=True):
            try:
                await adapter.push(user_id, text, source_id=source_id)
            except DeliveryFailed as exc:
                await self.recorder.mark_delivery(source_id, "undeliverable", exc.reason)
                outcomes.append(exc.reason)
                log.warning("%s message undeliverable: %s", channel, exc.reason)
                continue
            await self.recorder.mark_delivery(source_id, "sent")
            outcomes.append("sent")
        return outcomes
