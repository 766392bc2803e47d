"""Messages sent outside a reply: the rest of a long answer, an agent's message, a follow-up.

Each text is persisted as a pending outbound row first, then pushed through the customer's
channel in order; the row records what happened (sent, or undeliverable with the platform's
reason). A refused message is never retried forever: the channel decides what is retryable and
does it once, the outbox records the final outcome. When the channel's send budget is shorter than
the texts, neighbouring texts are merged (`splitter.pack`) so the end of an answer is not the part
that is refused; every merged row records the outcome of the message that carried it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

from bot.channels.base import Channel
from bot.clock import Clock
from bot.errors import DeliveryFailed
from bot.events import Choice
from bot.recorder import Recorder, outbound_message
from bot.splitter import pack

log = logging.getLogger("csbot.outbox")


class Outbox:
    def __init__(self, channels: Mapping[str, Channel], recorder: Recorder, clock: Clock) -> None:
        self.channels = channels
        self.recorder = recorder
        self.clock = clock

    async def send(
        self, channel: str, user_id: str, texts: Sequence[str], *, author: str = "bot",
        source_ids: Sequence[str] | None = None, choices: Sequence[Choice] = (),
    ) -> list[str]:
        """Push texts in order; returns the outcome per text ("sent" or the failure reason).

        `source_ids` names rows already persisted as pending (the tail of a reply); without it the
        rows are written here first. `choices` go with the last message (`Channel.deliver`).
        """
        if source_ids is None:
            identity = await self.recorder.identify(channel, user_id)
            now = self.clock.now()
            rows = [outbound_message(channel, identity.conversation_id, text, author, now) for text in texts]
            await self.recorder.record(rows)
            source_ids = [row.source_id for row in rows]
        adapter = self.channels[channel]
        left = await adapter.sends_left(user_id) if len(texts) > 1 else None
        groups = pack(texts, left, adapter.max_bytes) if left is not None and left < len(texts) else [
            [index] for index in range(len(texts))]
        outcomes: list[str] = [""] * len(texts)
        for number, group in enumerate(groups, 1):
            ids = [source_ids[index] for index in group]
            try:
                await adapter.deliver(user_id, "\n".join(texts[index] for index in group), source_ids=ids,
                                      choices=choices if number == len(groups) else ())
            except DeliveryFailed as exc:
                outcome, status, reason = exc.reason, "undeliverable", exc.reason
                log.warning("%s message undeliverable: %s", channel, exc.reason)
            else:
                outcome, status, reason = "sent", "sent", None
            for index, source_id in zip(group, ids, strict=True):
                await self.recorder.mark_delivery(source_id, status, reason)
                outcomes[index] = outcome
        return outcomes
