"""Retry-safe claims for WeChat deliveries: one message is handled once, whichever worker gets it.

WeChat re-posts a message it got no answer to within 5 s (three tries in all), possibly to another
worker. Each delivery is keyed (by the channel) on FromUserName+MsgId, or FromUserName+CreateTime+
Event for events, and the key moves through two values in the shared store:

- `processing:<token>`: a short lease (`lease_s`, a few seconds) taken with `claim` (SET NX) by the
  worker that handles the message, renewed by the process's heartbeat while the handler runs. A
  worker that dies stops renewing, the lease runs out, and the next retry re-claims the key and
  handles the message, so a crash never makes a message vanish;
- `done:<json>`: the passive reply text (or null for `success`) once the outcome is known, kept for
  `ttl` (settings.dedupe_ttl_s, at least 5 minutes), so every later retry gets the same answer.

The claim is taken in one store command with the signed request's nonce (`wechat_nonces`) and, when
taken, the customer's send-budget window (`send_budget`): `Store.claim_in_order`. The store also
remembers, for `ttl`, that the delivery was claimed at all: a claim taken for the first time, on a
store whose memory began before any delivery of the message can have come, is a first delivery, so
the dispatcher need not ask the database whether the message was answered before
(`Lease.first_time`). Every delivery of a message comes after WeChat created it (`CreateTime`, moved
to our clock by the request's signed `timestamp`) and within `RETRY_SPAN_S` before now. A lease that
ran out (its worker died, perhaps after recording the answer), a lease given back, a store that
restarted or was flushed since the message was created: each makes the claim not a first one.

The answer is normally written with the release of the conversation's lock
(`WeChatChannel._answer_with_release`: one store command for both) rather than by `finish`.

A retry that finds a live lease waits, within its own passive budget, for the result: woken at once
by the holder when it is in this process, by polling the store (`poll_s`) when it is on another
worker. If the lease disappears meanwhile (the holder died, or gave up after an error) the waiter
re-claims and becomes the holder; if its budget ends first it answers `success`.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from bot.clock import Clock
from bot.ids import unique_id
from bot.logs import describe_failure
from bot.store.base import Claim, HoldRequest, Store, TakenConversation, Write

log = logging.getLogger("csbot.wechat")

PROCESSING = "processing:"
DONE = "done:"
#: WeChat re-posts an unanswered message three times, 5 s apart: every delivery of a message comes
#: within this span of the first (a generous margin over 15 s).
RETRY_SPAN_S = 60.0
#: How early, on our clock, a message may have been sent before the time its request says (whole
#: seconds in `CreateTime` and `timestamp`, network time).
SENT_AT_MARGIN_S = 2.0


class GuardRefused(Exception):
    """A claim taken before the delivery's own (the nonce's) is held by someone else."""


@dataclass(frozen=True, slots=True)
class Answered:
    """This delivery was handled already (or is still being handled past our budget): answer `text`,
    or `success` when it is None."""

    text: str | None


@dataclass(eq=False, slots=True)
class Lease:
    """The right to handle one delivery; end it with `Deliveries.finish` or `Deliveries.abandon`."""

    key: str
    value: str
    renewed_at: float  # clock.monotonic() when taken or last renewed
    #: Set when the lease ends; made by the first local retry that waits for it (rarely any).
    released: asyncio.Event | None = None
    ended: bool = False
    #: The message is in the durable inbox (bot/channels/wechat_inbox.py): a failure is retried from
    #: there, so the delivery is finished rather than handed back to WeChat (which got `success`).
    kept: bool = False
    #: No earlier delivery of this message was claimed (see the module's docstring).
    first_time: bool = False
    #: The passive answer goes into the store with the conversation's release (`answer_write`).
    answer_written: bool = False
    #: The passive budget ran out first: the answer goes out through the customer-service API.
    late: bool = False
    #: The conversation's lock, taken with the claim (`enter`'s `hold`): for the dispatcher to hold.
    taken: TakenConversation | None = None


class Deliveries:
    def __init__(self, store: Store, clock: Clock, *, ttl: float, lease_s: float = 2.0, poll_s: float = 0.1):
        self.store = store
        self.clock = clock
        self.ttl = ttl
        self.lease_s = lease_s
        self.poll_s = poll_s
        self._local: dict[str, Lease] = {}  # leases this process holds, so local retries wake at once
        self._renewal = asyncio.Lock()  # held while renewing; ending a lease waits for a round in flight
        self._renewer: asyncio.Task[None] | None = None

    def key(self, ids: tuple[str, ...]) -> str:
        return self.store.keys("wechat-delivery", *ids)

    async def enter(self, ids: tuple[str, ...], budget_s: float, guard: Claim | None = None,
                    then: Sequence[Write] = (), sent_at: float | None = None,
                    hold: HoldRequest | None = None) -> Lease | Answered:
        """Claim the delivery, or wait up to `budget_s` for whoever holds it and return its answer.
        `guard` is claimed first (GuardRefused when held by someone else); `then` is set when the
        delivery is claimed, all in one store command. `sent_at`: when, on our clock, the platform
        first sent the message, if known (else: at most `RETRY_SPAN_S` ago). `hold`: the message's
        conversation, whose lock the same command takes when free (`Lease.taken`, Redis)."""
        key = self.key(ids)
        clock = self.clock
        started = clock.monotonic()
        guards = () if guard is None else (guard,)
        while True:
            lease = Lease(key, PROCESSING + unique_id(), clock.monotonic())
            now = clock.time()
            claimed = await self.store.claim_in_order(
                [*guards, Claim(key, lease.value, self.lease_s, same_value_passes=True, remember_s=self.ttl)], then,
                now=now, hold=hold,
            )
            if claimed.refused is None:
                lease.taken = claimed.taken
                earliest = now - RETRY_SPAN_S  # as of before the claim: no later, so never a first time too many
                if sent_at is not None:
                    earliest = max(earliest, sent_at - SENT_AT_MARGIN_S)
                lease.first_time = claimed.first_time and claimed.memory_began <= earliest
                self._hold(lease)
                return lease
            if claimed.refused < len(guards):
                raise GuardRefused
            value = claimed.value
            if value is None:
                continue  # the lease ran out between our claim and our read: claim again
            if not value.startswith(PROCESSING):
                return Answered(_decode(value))
            remaining = budget_s - (self.clock.monotonic() - started)
            if remaining <= 0:
                return Answered(None)
            await self._pause(key, min(self.poll_s, remaining))

    def _hold(self, lease: Lease) -> None:
        self._local[lease.key] = lease
        if self._renewer is None:
            self._renewer = asyncio.create_task(self._renew_forever(), name="wechat-lease-renewer")

    async def _renew_forever(self) -> None:
        """One heartbeat for every lease this process holds (not a task per message): each round
        renews the leases whose holders are still working, so a live worker never loses one. A lease
        taken or renewed less than a round ago is left alone (it still has two rounds to live, and most
        messages are answered before the next round): no Redis commands for a message answered fast."""
        period = self.lease_s / 3
        while True:
            await self.clock.sleep(period)
            async with self._renewal:
                for lease in list(self._local.values()):
                    now = self.clock.monotonic()
                    if lease.ended or now - lease.renewed_at < period:
                        continue
                    try:
                        if await self.store.get(lease.key) == lease.value:
                            await self.store.set(lease.key, lease.value, self.lease_s)
                            lease.renewed_at = now
                    except Exception as exc:  # the store is down: the lease runs out, a retry takes over
                        log.warning("wechat delivery lease not renewed: %s", describe_failure(exc))

    async def _pause(self, key: str, seconds: float) -> None:
        holder = self._local.get(key)
        timer = asyncio.ensure_future(self.clock.sleep(seconds))
        waits: set[asyncio.Future[object]] = {timer}
        if holder is not None:
            if holder.released is None:
                holder.released = asyncio.Event()
            waits.add(asyncio.ensure_future(holder.released.wait()))
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiting in waits:
                waiting.cancel()

    async def finish(self, lease: Lease, text: str | None) -> None:
        """Record the answer for every later retry and wake local waiters."""
        await self._stop(lease)
        await self.store.set(lease.key, _done(text), self.ttl)
        self._release(lease)

    async def answer_write(self, lease: Lease, text: str | None) -> Write:
        """The answer as a write for someone else's store command (the conversation's release); call
        `finished` once it landed."""
        await self._stop(lease)
        return Write(lease.key, _done(text), self.ttl)

    def finished(self, lease: Lease) -> None:
        """The answer written with `answer_write` landed: wake local waiters."""
        self._release(lease)

    async def abandon(self, lease: Lease) -> None:
        """Give the delivery back (the handler failed): the next retry handles it again."""
        await self._stop(lease)
        try:
            if await self.store.get(lease.key) == lease.value:
                await self.store.delete(lease.key)
        finally:
            self._release(lease)

    async def _stop(self, lease: Lease) -> None:
        lease.ended = True
        if self._renewal.locked():  # a renewal round in flight lands before our write
            async with self._renewal:
                pass

    async def close(self) -> None:
        """Stop renewing the leases still held (their deliveries are retried after they run out)."""
        if self._renewer is not None:
            self._renewer.cancel()
            await asyncio.gather(self._renewer, return_exceptions=True)
            self._renewer = None
        for lease in list(self._local.values()):
            lease.ended = True
            self._release(lease)

    def _release(self, lease: Lease) -> None:
        if self._local.get(lease.key) is lease:
            del self._local[lease.key]
        if lease.released is not None:
            lease.released.set()


#: The answer's JSON; one encoder for every message (`json.dumps` with an option builds one per call).
_to_json = json.JSONEncoder(ensure_ascii=False).encode


def _done(text: str | None) -> str:
    return DONE + _to_json(text)


def _decode(value: str) -> str | None:
    try:
        text = json.loads(value.removeprefix(DONE))
    except ValueError:
        return None
    return text if isinstance(text, str) else None
