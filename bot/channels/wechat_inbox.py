"""The durable inbox: WeChat messages the bot answered `success` to and still owes a reply.

After `success` WeChat never sends the message again, so the channel keeps it here (models/inbox.py)
before answering and marks it done once every part of the answer was handed to WeChat. An entry is
claimed for `lease_s` by the worker that works on it; one still pending after its claim ran out (the
worker died, the dispatch failed on a conversation lock, the store or the database was down) is
claimed again, atomically, by the retry loop of whichever worker looks first, with a growing pause
between attempts, and finished there (`WeChatChannel.redeliver`). Finished entries are purged after
`KEEP_DONE`. Nothing here logs customer text: entries are named by their id and delivery key.
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError

from bot.clock import Clock
from bot.events import Inbound
from models.inbox import InboxEntry

log = logging.getLogger("csbot.wechat")

KEEP_DONE = timedelta(days=1)
#: Attempts before an entry is given up (logged as an error and kept, status `failed`, for a person to see).
MAX_ATTEMPTS = 20
MAX_PAUSE_S = 600.0


def to_payload(inbound: Inbound) -> dict[str, Any]:
    payload = asdict(inbound)
    payload["received_at"] = inbound.received_at.isoformat()
    return payload


def from_payload(payload: dict[str, Any]) -> Inbound:
    return Inbound(**{**payload, "received_at": datetime.fromisoformat(payload["received_at"])})


class Inbox:
    def __init__(self, clock: Clock, *, lease_s: float) -> None:
        self.clock = clock
        self.lease = timedelta(seconds=lease_s)

    async def keep(self, channel: str, delivery_key: str, inbound: Inbound) -> int:
        """Persist `inbound` as owed, claimed by the caller; returns the entry id (the existing one
        when the delivery was kept before)."""
        now = self.clock.now()
        try:
            entry = await InboxEntry.create(channel=channel, delivery_key=delivery_key, payload=to_payload(inbound),
                                            claimed_until=now + self.lease, created_at=now)
        except IntegrityError:
            entry = await InboxEntry.get(delivery_key=delivery_key)
        return entry.id

    async def done(self, entry_id: int) -> None:
        await InboxEntry.filter(id=entry_id).update(status="done", finished_at=self.clock.now())

    async def release(self, entry_id: int, error: BaseException) -> None:
        """The work failed: retry later, after a pause that doubles with each attempt."""
        entry = await InboxEntry.get_or_none(id=entry_id)
        if entry is None:
            return
        attempts = entry.attempts + 1
        pause = min(MAX_PAUSE_S, 2.0 ** attempts)
        status = "failed" if attempts >= MAX_ATTEMPTS else "pending"
        await InboxEntry.filter(id=entry_id).update(
            attempts=attempts, status=status, last_error=type(error).__name__[:64],
            claimed_until=self.clock.now() + timedelta(seconds=pause))
        level = logging.ERROR if status == "failed" else logging.WARNING
        log.log(level, "wechat inbox entry %d attempt %d failed: %s; %s", entry_id,  # its key holds the openid
                attempts, type(error).__name__, "given up" if status == "failed" else f"retry in {pause:.0f}s")

    async def claim_due(self, channel: str, limit: int = 20) -> list[InboxEntry]:
        """Pending entries whose claim ran out, each now claimed by this caller only."""
        now = self.clock.now()
        candidates = await InboxEntry.filter(channel=channel, status="pending", claimed_until__lte=now) \
            .order_by("id").limit(limit)
        claimed = []
        for entry in candidates:
            taken = await InboxEntry.filter(id=entry.id, status="pending", claimed_until__lte=now) \
                .update(claimed_until=now + self.lease)
            if taken:
                claimed.append(entry)
        return claimed

    async def purge(self) -> None:
        await InboxEntry.filter(status="done", finished_at__lt=self.clock.now() - KEEP_DONE).delete()
