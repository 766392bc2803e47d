"""Deadlines that fire on time, once, whichever worker is alive.

SLA clocks, follow-up tasks and daily jobs put an absolute due time (epoch seconds from the
injected clock) in the store under a kind; every worker runs a ticker that pops what is due and
calls the callback registered for the kind. Popping is atomic in the store, so a deadline fires on
one worker only, and because deadlines live in the store (Redis in production) they survive a
worker restart. The ticker wakes every `tick` seconds, so a deadline is acted on within that of
its due time — not on a sweep measured in minutes.

A deadline is the product's promise (a greeting within 15 s, a retry of a kept request), so a
callback that fails does not lose it (docs/handoff-sla.md "Deadlines in an outage"):
- failing because the store or the database is down for now (bot/outages.py), it goes back to the
  store with everything the tick had not begun, due again after a backoff that grows while the
  outage lasts (1, 2, 4, then every 8 s); until then this worker fires nothing, and the log says so
  once per outage (over when a callback succeeds here, or when nothing failed here for 8 s past the
  backoff: another worker fired what was put back). What cannot go back because the store itself
  is down is held by the worker and put back first on the next tick (or when it stops). A worker
  stopping (a deploy) during a callback puts that deadline back too, due now, a retry of the attempt cut
  short (`_stop_mid_tick`), where it used to drop it unrun.
- failing for another reason (a bug, a send that failed), it is tried again after 1 s and 2 s, then
  logged as dropped by its kind. An entry the store refuses to take back other than by an outage
  counts as such a failure too, and never holds up the others. Attempts are counted in the store
  (by the injected clock's minute: the last two minutes' count), so with several workers a deadline
  gets that many attempts in all; a worker's own count stands when the store cannot count, and a
  member's later deadline starts afresh (the counts go when it ends here, or expire).
A cancel removes the deadline wherever it is: in the store, held by this worker for its put-back,
or firing here (a failure of it is then not retried), so a retry never undoes a cancel; one firing on
another worker is seen there by its failure when its attempt sent (its sends' generation gone, below). The outages
this worker saw are remembered for an hour (`down_between`): the handoff's lapse does not count
time nobody could answer in against an agent (handlers/handoff/sla.py).
Being put back, not moved, a retry never replaces a deadline of the same member set meanwhile
(`schedule_if_absent`), and the store's atomic pop still gives each attempt to one worker only.
A worker that dies (killed, out of memory) holding deadlines it popped lost them: each deadline taken
now leaves a lease in the store (`TAKEN`, due `TAKEN_LEASE_S` later), written by the pop itself in the same
command, so that a cancel elsewhere comes before both (nothing taken) or after both (the lease removed),
never between them to leave a lease that brings the cancelled deadline back. A lease is its take's own
(`deadline_lease`: kind, member and the tick's id), so two deadlines of one kind and member taken on two
workers (the later one set while the earlier one's callback ran) never end, renew or lose each other's. It
is removed when the deadline ends here, goes back to the store, or is cancelled anywhere (every lease of
that kind and member, with the deadline, in one command: `Store.cancel_leased`); a lease that falls due
puts its deadline back for any worker, a retry of the attempt that died (what it sent is not sent
again, what it had not is: bot/outbox.py). A lease the store fails to remove is tried again next tick.
A tick renews the leases of the deadline running and those it has not begun every `LEASE_RENEWED_AFTER_S`
(`_LeaseKeeper`), so that a lease falls due only for a worker gone, not behind a slow tick's queue nor
beside a callback running for minutes; a renewal moves a lease only while it is there
(`Store.renew_leases`), so it never undoes a cancel on another worker. A deadline's end removes its marks
and its lease in one atomic command (`_end`): a worker dying as it ends one leaves it whole, never revived
with its marks gone.
A worker whose event loop was blocked for minutes could renew nothing and was taken for dead: another
worker revived its deadlines. A lease gone is no longer this worker's deadline (cancelled elsewhere, or
revived): one not begun when a renewal finds its lease gone is not fired here (`_LeaseKeeper.gone`), and a
failed attempt goes back to the store only while its lease is there, in the same command that removes it
(`_schedule_back`; but for one held through a store outage: the store may come back empty, its lease
lost). The callback running through the block is not stopped: a text it claimed before the block and sends
after it may go twice (its claim, bot/outbox.py `CLAIM_TTL_S`, ran out under the block and the revived
attempt claimed it again), which only a check as it sends could prevent. A cancel elsewhere is so seen only
by a renewal, every `LEASE_RENEWED_AFTER_S`: one that comes less than that before its deadline begins here
does not stop it (its callback runs, as one already running does). A lease gone with the whole store (Redis
restarted empty between two of this worker's commands, unseen here) is not believed: the store's epoch
(`EPOCH`, read with the take) is then another, and the deadline is fired or put back all the same
(`_store_emptied`).

A retried callback must not repeat what its failed attempt already did to the customer (a greeting
sent, then the database failing to record it): a callback runs with its deadline in `FIRING`, by
which the outbox sends each text once per deadline, whichever attempt or worker runs it (bot/outbox.py).
The marks a failed attempt made are carried to its retry on this worker, so they are deleted when the
deadline ends here, whether its last attempt sent them again or not: it succeeded, was dropped, or was
cancelled between attempts. Marks are named by the deadline's generation (an id its first send draws),
which goes when the deadline ends on any worker (a cancel deletes it with the failure counts; an end
here, only while the key still holds this deadline's generation, the one it sent under or found when
it was taken: `Store.delete_if_holding`): a mark
left behind (the retry succeeded elsewhere, the cancel came elsewhere) is never met by a later deadline
of the same kind and member (a 留言 offer is named by its conversation only), which would otherwise
report the same text sent and send nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from bot.background import stop_task
from bot.clock import Clock
from bot.ids import unique_id
from bot.logs import describe_failure
from bot.outages import outages
from bot.store.base import Lease, Store
from bot.store.keys import deadline_generation, deadline_lease, deadline_leased

log = logging.getLogger("csbot.scheduler")

Callback = Callable[[str], Awaitable[None]]

#: Seconds before a deadline put back is due again, by the outage's failed attempts (or the deadline's
#: own failures), the last repeating: a long outage costs one callback attempt every 8 s, not every tick.
RETRY_AFTER_S = (1.0, 2.0, 4.0, 8.0)
#: Attempts of a deadline whose callback fails other than by an outage, before it is dropped.
MAX_ATTEMPTS = 3
#: A worker forgets a deadline's failures this long after the last one: its retry (due in a few
#: seconds) went to another worker or was cancelled, and the member's next deadline starts afresh.
FORGET_FAILURES_AFTER_S = 60.0
#: How long a worker remembers an outage it saw (`Scheduler.down_between`): well past any SLA window.
DOWNTIME_KEPT_S = 3600.0
#: Deadlines of each kind a tick takes at most (the store's pop).
TAKEN_PER_KIND = 100
#: The store's kind of the leases of deadlines taken: a worker that takes a deadline leaves a lease due
#: `TAKEN_LEASE_S` later, removed when the deadline ends there or goes back to the store; a lease that
#: falls due means the worker died holding it, and the deadline is put back for any worker (`_lapsed`).
#: Named anew with the leases' taker (`deadline_lease`): the workers of an earlier release, still running
#: during a rolling deploy (or again after a rollback), read the kind below, where this release's lease
#: `kind, member, taker` was read as the member `member, taker` (a made-up one fired, the deadline lost).
#: Their cancels still remove `kind, member` only: while both releases run, a deadline a worker of this
#: release holds still fires after such a cancel, and comes back once if that worker dies
#: (docs/handoff-sla.md).
TAKEN = "deadline-leases"
#: The leases an earlier release wrote (`kind`, the separator, `member`; or with a taker, the release before
#: this one): never written now, still revived when they fall due and removed by a cancel, so nothing a
#: worker of that release took is lost nor brought back after a cancel. Needed while such workers may run
#: (a rollback included), and `TAKEN_LEASE_S` after the last of them stopped.
TAKEN_BEFORE = "deadline-taken"
#: Every kind a cancel removes a deadline's leases from (`Store.cancel_leased`).
LEASES = (TAKEN, TAKEN_BEFORE)
#: Well past any callback's run (its sends time out in seconds), and past a once-only mark's claim
#: (bot/outbox.py `CLAIM_TTL_S`), so a text claimed and never sent is sent by the attempt it revives.
TAKEN_LEASE_S = 300.0
#: How long a tick's leases of the deadlines it has not begun go before it renews them (one command):
#: behind slow callbacks (sends timing out in an outage) a deadline began with its lease nearly run, which
#: fell due while it ran, and another worker fired it too; and a mark it claimed (bot/outbox.py
#: `CLAIM_TTL_S`) outlived the lapse, so a revived attempt took its text for sent. Renewed this often, a
#: deadline begins with at least `TAKEN_LEASE_S - LEASE_RENEWED_AFTER_S` of lease, past its marks' claims.
LEASE_RENEWED_AFTER_S = 30.0
#: The store's key holding its epoch: an id the first take of an empty store draws (`Scheduler._take`), gone
#: when the store comes back empty (a Redis restart without persistence): a lease found gone under another
#: epoch was lost with the store, not removed by a cancel (`Scheduler._store_emptied`).
EPOCH = "deadline-leases-epoch"
#: How long the epoch lasts from the take that drew it (nothing renews it): past any store's life between
#: restarts in practice; its expiry only makes the ticks running then fire what they hold whatever their
#: leases.
EPOCH_KEPT_S = 365 * 86400.0


@dataclass
class Firing:
    """The deadline whose callback is running (`FIRING`): what the outbox keys a once-only send by.
    `marks` are the store keys of the sends it made or found made by an earlier attempt, and of those
    its earlier attempts on this worker made (`Scheduler._carry`), with `claims`; and its generation's
    key (bot/outbox.py `_generation`), all deleted when the deadline ends."""

    kind: str
    member: str
    marks: list[str] = field(default_factory=list)
    #: mark -> the value a claim of it was sent with when its answer was lost: a retry claims with the
    #: same value, which gets the mark if that lost claim took it and not if an earlier attempt holds it;
    #: with the marks a failed send could not release; settled before the deadline goes back to the
    #: store (`Scheduler._settle_lost_claims`)
    claims: dict[str, str] = field(default_factory=dict)
    sends: Counter[str] = field(default_factory=Counter)  # texts sent so far in this attempt, by digest
    #: the id its marks are named by (bot/outbox.py `_generation`), once a send of this attempt found it
    generation: str | None = None
    #: the generation the store held when the deadline was taken (`Scheduler._generations_found`): an
    #: earlier attempt's, which this attempt deletes when it ends having sent nothing (None: none, or unknown)
    found: str | None = None
    task: asyncio.Task[object] | None = field(default_factory=asyncio.current_task)
    #: cancelled from elsewhere while its callback ran (`Scheduler.cancel`): a failure is not retried
    cancelled: bool = False
    #: its lease in `TAKEN` (`deadline_lease`), removed when it ends here; None: none of this worker's
    lease: str | None = None


#: The deadline whose callback runs; None outside a callback. Tasks the callback spawns inherit it.
FIRING: ContextVar[Firing | None] = ContextVar("firing", default=None)


def current_firing() -> Firing | None:
    """The deadline whose callback runs in this very task; None elsewhere, in a task the callback
    spawned too (a WeCom catch-up sync's replies, sent in order per customer in tasks of their own,
    outlive the callback and are no part of its retry)."""
    firing = FIRING.get()
    return firing if firing is not None and firing.task is asyncio.current_task() else None


class Taken(NamedTuple):
    """A deadline out of the store in this worker's hands: taken by a tick with its lease in `TAKEN`, or
    revived from another worker's lease fallen due (`lease` None: none of this worker's)."""

    kind: str
    member: str
    lease: str | None


class Held(NamedTuple):
    """A deadline taken and not yet back in the store (`Scheduler._held`): due again at `due_at`. `unsure`:
    a put-back of it failed with the store down, which may come back empty (a restart without persistence),
    its lease lost with it: then it goes back whether its lease is there or not (`_schedule_back`)."""

    kind: str
    member: str
    due_at: float
    lease: str | None
    unsure: bool = False


class _LeaseKeeper:
    """The leases of the deadlines a tick took, renewed every `LEASE_RENEWED_AFTER_S` while the tick runs:
    the one whose callback runs and those not begun. Checked as each callback begins (a slow tick's queue:
    renewed then only if `LEASE_RENEWED_AFTER_S` went since the last renewal, so a cancel on another worker
    is seen within that, not at once) and by a task of its own while one runs (a callback longer than
    `TAKEN_LEASE_S` was taken for dead and fired again by another worker beside itself). A renewal moves a
    lease only while it is there: a cancel elsewhere stays. A lease found gone (`gone`) was removed by a
    cancel on another worker, or fell due while this worker could not renew it (its event loop blocked for
    minutes) and another worker revived its deadline: not begun yet, that deadline is no longer this
    worker's to fire (`_fire_taken`); unless the store came back empty meanwhile
    (`Scheduler._store_emptied`), which took the lease with it."""

    def __init__(self, scheduler: Scheduler, due: list[Taken], now: float) -> None:
        self._scheduler, self._due, self._renewed_at = scheduler, due, now
        self.current = 0  # the index in `due` of the deadline running or about to begin
        self._renewing = self._stopped = False
        self.gone: set[str] = set()  # the leases a renewal found gone

    async def renew_if_old(self) -> None:
        """One command when `LEASE_RENEWED_AFTER_S` went since the last renewal (or the take)."""
        now = self._scheduler.clock.time()
        if now - self._renewed_at < LEASE_RENEWED_AFTER_S:
            return
        self._renewed_at, self._renewing = now, True
        try:
            gone = await self._scheduler._renew(self._due[self.current:], now)
            if gone and not await self._scheduler._store_emptied():
                self.gone |= gone
        finally:
            self._renewing = False

    async def keep(self) -> None:
        """The task beside the tick's callbacks."""
        clock = self._scheduler.clock
        while not self._stopped:
            await clock.sleep(self._renewed_at + LEASE_RENEWED_AFTER_S - clock.time())
            await self.renew_if_old()

    async def stop(self, keeper: asyncio.Task[None]) -> None:
        """The tick is over: a renewal under way ends first (its answer read: a connection left with a
        reply unread is no use to the next caller), a wait is cut short."""
        self._stopped = True
        if not self._renewing:
            keeper.cancel()
        await asyncio.gather(keeper, return_exceptions=True)


def retry_after(failures: int) -> float:
    return RETRY_AFTER_S[min(failures, len(RETRY_AFTER_S)) - 1]


class Scheduler:
    def __init__(self, store: Store, clock: Clock, tick: float = 0.25) -> None:
        self.store = store
        self.clock = clock
        self.tick = tick
        self._callbacks: dict[str, Callback] = {}
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._pass = asyncio.Lock()
        self._outages = outages(store)
        self._outage: str | None = None  # what failed: "store" (the pop) or "callback"; None when all is well
        self._outage_failures = 0
        self._quiet_until = 0.0  # in an outage: no deadline fires before this
        self._down_since = self._failed_at = 0.0  # the outage's first failure here, and its last
        self._downtime: list[tuple[float, float]] = []  # outages seen here: first failure, first success after
        self._held: list[Held] = []  # taken, failed, and not yet back in the store
        # the deadlines a put-back under way began with, and its end (`cancel` waits for it)
        self._returning: tuple[set[tuple[str, str]], asyncio.Future[None]] | None = None
        self._firing: Firing | None = None  # the deadline whose callback runs now
        self._failures: dict[tuple[str, str], tuple[int, float]] = {}  # failures other than by an outage, last at
        # a failed attempt's send marks and lost claims' values, failed at
        self._marks: dict[tuple[str, str], tuple[list[str], dict[str, str], float]] = {}
        # deadlines ended here whose end the store did not take, by lease: the keys it deletes and compares
        # (`_unlease`)
        self._leases_left: dict[str, tuple[Sequence[str], Mapping[str, str]]] = {}
        self._epoch: str | None = None  # the store's epoch at the last take (`_take`); None: unknown

    def on(self, kind: str, callback: Callback) -> None:
        """Call `callback(member)` when a deadline of `kind` is due."""
        self._callbacks[kind] = callback

    async def at(self, kind: str, member: str, due: datetime | float) -> None:
        due_at = due.timestamp() if isinstance(due, datetime) else due
        await self.store.schedule(kind, member, due_at)

    async def ensure(self, kind: str, member: str, due: datetime | float) -> bool:
        """`at`, unless `member` is already scheduled (re-arming never moves a deadline); True when added."""
        due_at = due.timestamp() if isinstance(due, datetime) else due
        return await self.store.schedule_if_absent(kind, member, due_at)

    async def cancel(self, kind: str, member: str) -> None:
        """Remove the deadline wherever it is: in the store, held by this worker for its put-back (a
        failed attempt's retry), or firing here now from another task (its failure is not retried). A
        put-back under way ends first, so the store's removal comes after it. A callback cancelling
        its own deadline (re-arming it, say) keeps its retry on failure, and its failures' count: a
        callback that always fails so is dropped after `MAX_ATTEMPTS`, not retried every second."""
        key = (kind, member)
        if self._returning is not None and key in self._returning[0]:  # back in the store or held again
            await asyncio.shield(self._returning[1])
        held = [entry for entry in self._held if entry[:2] == key]
        self._held[:] = [entry for entry in self._held if entry[:2] != key]
        running = self._firing
        firing = running if running is not None and (running.kind, running.member) == key else None
        if firing is None or current_firing() is not firing:  # its own callback's cancel keeps its count
            if firing is not None:  # from another task while it runs
                firing.cancelled = True
            self._failures.pop(key, None)
            # one command: its failure counts and its sends' generation (on whichever worker it failed), the
            # deadline, and its leases (a worker gone with it does not bring it back), on any worker
            await self.store.cancel_leased(kind, member, LEASES, [*self._failures_keys(kind, member, self.clock.time()),
                                                                 self._generation_key(kind, member)])
        else:
            await self.store.cancel(kind, member)
        carried = self._marks.pop(key, None)
        if carried is not None:  # cancelled between attempts: no retry deletes its sends' marks
            lease = held[0].lease if held else None
            await self._end(Firing(kind, member, carried[0], cancelled=True, lease=lease))  # its generation went above

    async def run_due(self) -> int:
        """Fire everything due now; returns how many callbacks were called. A failing one is put back
        (see the module's docstring).

        Passes never overlap within a worker, so when a caller's pass returns, every deadline that
        was due when it started has been acted on or put back (tests rely on this after moving a
        FakeClock).
        """
        async with self._pass:
            return await self._fire_due()

    async def _fire_due(self) -> int:
        now = self.clock.time()
        await self._put_back_held()
        if now < self._quiet_until:
            return 0
        callbacks = dict(self._callbacks)
        await self._unlease_left()
        taker = unique_id()
        try:  # leased as they are popped, in the same command: a cancel elsewhere is before or after both
            popped = await self.store.pop_due_kinds([*callbacks, *LEASES], now, TAKEN_PER_KIND,
                                                    Lease(TAKEN, now + TAKEN_LEASE_S, taker, frozenset(LEASES)))
        except self.store.unavailable as exc:
            self._paused("store", exc, now)
            raise
        if self._outage == "store":
            self._resumed(now)
        elif self._outage == "callback" and now >= self._quiet_until + RETRY_AFTER_S[-1]:
            self._resumed(self._failed_at)  # nothing failed here long past the backoff: another worker fired them
        self._lapsed([*popped.pop(TAKEN, []), *popped.pop(TAKEN_BEFORE, [])], now)
        due = [Taken(kind, member, deadline_lease(kind, member, taker))
               for kind, members in popped.items() for member in members]
        try:
            await self._return_lapsed()
            found = await self._take(due, now)
        except BaseException:  # the worker stops as it takes them: they go back
            await asyncio.shield(self._put_back(due, now))
            raise
        leases = _LeaseKeeper(self, due, now)
        keeper = asyncio.create_task(leases.keep(), name="deadline-leases") if due else None
        try:
            return await self._fire_taken(due, found, callbacks, leases, now)
        finally:
            if keeper is not None:
                await leases.stop(keeper)

    async def _fire_taken(self, due: list[Taken], found: list[str | None] | None,
                          callbacks: dict[str, Callback], leases: _LeaseKeeper, now: float) -> int:
        """The callbacks of the deadlines a tick took, one after the other (`_fire_due`); not one whose lease
        a renewal found gone before it began (`_LeaseKeeper.gone`): cancelled, or revived by another worker.
        Renewals come every `LEASE_RENEWED_AFTER_S`, not before each callback: a cancel on another worker
        since the last one is not seen, and its deadline begins (its sends then find their generation gone
        only if it fails: `_notice_a_cancel_elsewhere`)."""
        skipped = 0
        for called, (kind, member, lease) in enumerate(due, start=1):
            leases.current = called - 1
            try:
                await leases.renew_if_old()  # behind slow callbacks
                generation = found[called - 1] if found is not None else await self._generation_found(kind, member)
            except BaseException:  # the worker stops: what it took and never began goes back
                await asyncio.shield(self._put_back(due[called - 1:], now))
                raise
            marks, claims, at = self._marks.pop((kind, member), ([], {}, now))
            if lease in leases.gone:  # nor its earlier attempts' marks: ended by the cancel, or the other's now
                log.warning("deadline of %s not fired: cancelled or taken over elsewhere while this worker "
                            "held it", kind)
                skipped += 1
                continue
            if now - at >= FORGET_FAILURES_AFTER_S:  # forgotten as `_failures` are: not this deadline's retry
                marks, claims = [], {}
            firing = self._firing = Firing(kind, member, marks, claims, found=generation, lease=lease)
            token = FIRING.set(firing)
            returned = False
            try:
                await callbacks[kind](member)
                returned = True
                self._failures.pop((kind, member), None)
                await self._end(firing, succeeded=True)
            except self._outages as exc:  # backoffs count from the failure: a database down often fails slowly
                self._paused("callback", exc, self.clock.time())
                await self._notice_a_cancel_elsewhere(firing)
                if firing.cancelled:
                    await self._end(firing)
                else:
                    self._carry(firing)
                begun = called if firing.cancelled else called - 1  # this one goes back unless cancelled
                self._held.extend(Held(kind, member, self._quiet_until, lease) for kind, member, lease in due[begun:])
                await self._put_back_held()
                return called - skipped
            except Exception as exc:  # not its member: some are conversation keys (openids); `expected`: a line
                (log.warning if getattr(exc, "expected", False) else log.exception)(
                    "deadline of %s failed: %s", kind, describe_failure(exc))
                await self._notice_a_cancel_elsewhere(firing)
                if not firing.cancelled and await self._failed(kind, member, lease, self.clock.time()):
                    self._carry(firing)
                else:  # dropped: no attempt follows
                    await self._end(firing)
            except BaseException:  # the worker stops mid-tick: the one running and what it never began go back
                await asyncio.shield(self._stop_mid_tick(firing, due[called:], now, returned=returned))
                raise
            else:
                if self._outage is not None:
                    self._resumed(self.clock.time())
            finally:
                FIRING.reset(token)
                self._firing = None
        await self._put_back_held()
        return len(due) - skipped

    async def _end(self, firing: Firing, *, succeeded: bool = False) -> None:
        """The deadline ended (its callback succeeded, was dropped or cancelled): no attempt of it
        follows, so its once-only marks go, and its generation (bot/outbox.py `_generation`) even when
        this attempt sent nothing: an earlier one, on another worker, may have; and its lease. A success
        also takes its failure counts: other workers may have counted failures this one never saw, and
        left, they would drop the member's next deadline early. Never raises but a cancellation.

        All in one atomic command (`Store.delete_and_cancel`: one Lua call on Redis), because no order
        of two commands is safe against a worker dying between them. Marks first, then the lease (as
        before): the lease left revives the ended deadline with its marks gone, and its texts go again.
        The lease first, then the marks: the generation left behind (an hour) is found by the member's
        next deadline, whose texts are then taken for sent and never go. One command either ends the
        deadline whole or leaves it whole: a revived attempt finds every mark and sends nothing again.
        A store failing now (the command may or may not have run) leaves the end for the next tick's
        `_unlease_left`, the same command again; meanwhile the lease keeps the deadline this worker's.

        The generation goes only while the key holds this deadline's, checked and deleted in the same
        command: when this attempt sent, the generation it sent under; when it sent nothing, the one the
        store held when the deadline was taken (`Firing.found`: an earlier attempt's, here or elsewhere),
        unless cancelled (the cancel deleted it). Cancelled and set again elsewhere while this attempt
        ran, the key is the later deadline's, whose retry, its generation deleted here, drew another and
        sent its texts again (an attempt that sent nothing deleted the key whatever it held)."""
        generation = self._generation_key(firing.kind, firing.member)
        keys = [mark for mark in firing.marks if mark != generation]
        own = firing.generation if firing.generation is not None or firing.cancelled else firing.found
        if succeeded:
            keys += self._failures_keys(firing.kind, firing.member, self.clock.time())
        await self._unlease(firing.kind, firing.lease, keys, {generation: own} if own is not None else {})

    async def _take(self, due: list[Taken], now: float) -> list[str | None] | None:
        """Each one's sends' generation read as the deadlines just popped are this worker's (`Firing.found`),
        one `MGET` for the tick, with the store's epoch (`EPOCH`, drawn here when the store has none); their
        leases (`TAKEN`) were written by the pop itself. Read as it is taken, the generation is the deadline's
        own (an earlier attempt drew it before putting it back), not a later one's set meanwhile. A store that
        does not answer leaves the generations unknown (None), each read again as its callback begins
        (`_generation_found`), and the epoch unknown: a lease found gone in this tick is then not believed."""
        if not due:
            return []
        self._epoch, epoch = None, self.store.keys(EPOCH)
        try:
            *found, self._epoch = await self.store.get_many(
                [*(self._generation_key(kind, member) for kind, member, _ in due), epoch])
            if self._epoch is None:  # an empty store: the first take draws its epoch
                drawn = unique_id()
                claimed = await self.store.claim(epoch, EPOCH_KEPT_S, drawn)
                self._epoch = drawn if claimed else await self.store.get(epoch)
        except Exception as exc:
            log.warning("deadline of %s: taken without its generation (%s)", due[0].kind, type(exc).__name__)
            return None
        return found

    async def _store_emptied(self) -> bool:
        """Whether the leases this worker found gone may have gone with the whole store, not by a cancel or a revival
        elsewhere: a Redis restarted without persistence comes back empty, unseen by this worker when it happened
        between two of its commands (redis-py reconnects; a failover to a replica that already had the epoch is not told
        apart), and a slow tick's deadlines not yet begun were skipped, a failed attempt's retry dropped (a greeting
        never sent). True when the store's epoch (`EPOCH`) is not the one read at the take (or either is unknown: the
        store failing then or now); the deadlines are then fired or put back whatever their leases, as one held through
        an outage is (`Held.unsure`): a cancel that came after the store emptied found no lease to remove and is not
        honoured, and a text whose once-only mark went with the store may go twice (nothing is left to say it went: a
        second text is the lesser harm than none). One `GET`, only when a lease or a generation was found gone."""
        try:
            emptied = self._epoch is None or await self.store.get(self.store.keys(EPOCH)) != self._epoch
        except Exception as exc:
            log.warning("deadlines' leases found gone, the store's epoch unknown (%s)", type(exc).__name__)
            return True
        if emptied:
            log.warning("deadlines' leases found gone with the store (restarted empty): fired or put back all the same")
        return emptied

    async def _generation_found(self, kind: str, member: str) -> str | None:
        """A deadline's sends' generation read alone (one `GET`) as its callback begins, when the tick's
        `MGET` failed (`_take`): unknown, an attempt that sent nothing left an earlier attempt's generation
        for an hour (its end compares and deletes it only when known), and the member's next deadline of
        the kind found it and took its matching texts for sent (a 留言 offer is named by the conversation
        only). Still the deadline's own: it is out of the store, this worker's. A store failing again
        leaves it unknown (logged), as before."""
        try:
            return await self.store.get(self._generation_key(kind, member))
        except Exception as exc:
            log.warning("deadline of %s: its sends' generation unknown (%s)", kind, type(exc).__name__)
            return None

    async def _renew(self, due: list[Taken], now: float) -> set[str]:
        """The leases of the deadlines a tick took and has not ended are due `TAKEN_LEASE_S` from `now`, each
        only while it is there (one command, `Store.renew_leases`: never bringing back a lease that a cancel
        on another worker, or this deadline's end, removed meanwhile); returns those found gone. Each lease
        is its own take's (`deadline_lease`): never another worker's of the same kind and member. A store
        failing keeps the leases as they were (logged), none found gone."""
        leases = [taken.lease for taken in due if taken.lease is not None]
        try:
            return set(await self.store.renew_leases(TAKEN, leases, now + TAKEN_LEASE_S))
        except Exception as exc:
            log.warning("deadline of %s: leases not renewed (%s)", due[0].kind, type(exc).__name__)
            return set()

    def _lapsed(self, leases: list[str], now: float) -> None:
        """Leases fallen due: their workers died holding the deadlines (or ran one past `TAKEN_LEASE_S`).
        Each deadline goes back to the store, due now, before the tick's callbacks (`_return_lapsed`): any
        worker fires it, a retry of an attempt that may have sent (bot/outbox.py: a text claimed and never
        sent is sent once, one that may have reached the platform is not sent again)."""
        for lease in leases:
            kind, member = deadline_leased(lease)
            log.warning("deadline of %s: its worker went away holding it; due again", kind)
            self._held.append(Held(kind, member, now, None))  # its lease went with the pop

    async def _return_lapsed(self) -> None:
        """The deadlines of the leases just fallen due (`_lapsed`, the only ones held at this point: the
        tick put back the rest first) go back to the store before any callback of the tick: the pop took
        their leases, so held until the tick's end (minutes behind slow callbacks) they were lost for good
        with this worker, and a cancel on another worker meanwhile was undone by their put-back. A store
        that is down keeps them held, put back at the tick's end or the next tick (logged)."""
        try:
            await self._put_back_held()
        except self._outages as exc:
            log.warning("deadlines of leases fallen due held for now (%s)", type(exc).__name__)

    async def _unlease(self, kind: str, lease: str | None, keys: Sequence[str] = (),
                       held: Mapping[str, str] | None = None) -> None:
        """The deadline ended here or is back in the store: its `lease` goes (this take's own, never another
        worker's of the same kind and member: `deadline_lease`), with `keys` deleted and `held` compared and
        deleted in the same atomic command when there are any (`_end`). A store failing now keeps the whole
        for the next tick's `_unlease_left` (left there, the lease would put an ended deadline back). One
        without a lease of this worker's (revived from a lapsed one, or cancelled between attempts: the cancel
        removed it) has its keys deleted and compared alone. Never raises but a cancellation."""
        left_keys, left_held = self._leases_left.pop(lease, ((), {})) if lease is not None else ((), {})
        keys, held = [*left_keys, *keys], {**left_held, **(held or {})}
        if lease is None and not keys and not held:
            return
        try:
            if lease is None:
                await self.store.delete_if_holding(held)
                await self.store.delete(*keys)
            elif keys or held:
                await self.store.delete_and_cancel(keys, held, TAKEN, lease)
            else:
                await self.store.cancel(TAKEN, lease)
        except Exception as exc:
            log.warning("deadline of %s: its end not written yet (%s)", kind, type(exc).__name__)
            if lease is not None:
                self._leases_left[lease] = (keys, held)

    async def _unlease_left(self) -> None:
        for lease in list(self._leases_left):
            await self._unlease(deadline_leased(lease)[0], lease)

    async def _stop_mid_tick(self, firing: Firing, never_begun: list[Taken], now: float, *,
                             returned: bool) -> None:
        """The worker stops during a callback (a deploy): the one in progress goes back to the store, due now,
        with what the tick took and never began, a retry of the attempt cut short for any worker. Its lease
        used to go with it unrun: every deploy lost the deadline being fired (a 留言 offer, an SLA alert). Its
        sends are once-only as a failed attempt's (bot/outbox.py): a text made lasting before its request
        (it may have reached the platform) is not sent again, one claimed and not sent was released or is
        settled first (`_carry`, then `_put_back`'s `_settle_lost_claims`). A store failing now leaves its
        lease, which puts it back for another worker when it falls due. One cancelled while it ran ends here,
        on this worker or another (`_notice_a_cancel_elsewhere`: put back, it would send again under a new
        generation). One whose callback `returned` was stopped in its end: it is ended again (one command,
        the same result however much of it ran), never put back, which sent its texts a second time."""
        if returned:
            await self._end(firing, succeeded=True)
            await self._put_back(never_begun, now)
            return
        await self._notice_a_cancel_elsewhere(firing)
        if firing.cancelled:
            await self._end(firing)
        else:
            self._carry(firing)
            never_begun = [Taken(firing.kind, firing.member, firing.lease), *never_begun]
        await self._put_back(never_begun, now)

    async def _notice_a_cancel_elsewhere(self, firing: Firing) -> None:
        """A failed attempt that sent under a generation no longer in the store was cancelled on another
        worker while it ran (the cancel deletes the generation, and cannot reach this worker): it is then
        `cancelled`, as by a cancel here, and not retried. Retried, it would draw another generation and
        send its texts again. One `GET`, on a failed attempt that sent only; a store that does not answer
        leaves it retried, and so does a generation gone with a store come back empty (`_store_emptied`)."""
        if firing.cancelled or firing.generation is None:
            return
        try:
            held = await self.store.get(self._generation_key(firing.kind, firing.member))
        except self._outages:  # the outage its failure was, most likely: logged once as such
            return
        except Exception as exc:
            log.warning("deadline of %s: a cancel elsewhere not checked (%s)", firing.kind, type(exc).__name__)
            return
        # gone with the whole store (restarted empty), not by a cancel: retried, its texts whose marks went
        # with the store sent again rather than lost
        firing.cancelled = held != firing.generation and not (held is None and await self._store_emptied())

    def _generation_key(self, kind: str, member: str) -> str:
        """The key of a deadline's sends' generation (bot/outbox.py `_generation`)."""
        return self.store.keys(*deadline_generation(kind, member))

    def _carry(self, firing: Firing) -> None:
        """Keep a failed attempt's marks for its retry (`Firing.marks`), forgotten as `_failures` are: a
        retry that went to another worker leaves them to expire in the store."""
        now = self.clock.time()
        self._marks = {key: carried for key, carried in self._marks.items()
                       if now - carried[2] < FORGET_FAILURES_AFTER_S}
        if firing.marks:
            self._marks[(firing.kind, firing.member)] = (firing.marks, firing.claims, now)

    def _paused(self, what: str, exc: BaseException, now: float) -> None:
        """One line per outage, not per attempt; with a callback down, nothing fires for a while."""
        if self._outage is None:
            log.warning("scheduler paused: the store or the database is unavailable (%s); due deadlines "
                        "are put back and retried", describe_failure(exc))
            self._down_since = now
        self._failed_at = now
        if what == "callback" or self._outage is None:  # a callback's outage ends when one succeeds
            self._outage = what
        if what == "callback":
            self._outage_failures += 1
            self._quiet_until = now + retry_after(self._outage_failures)

    def _resumed(self, end: float) -> None:
        log.info("scheduler resumed: the store and the database answer again")
        self._outage, self._outage_failures, self._quiet_until = None, 0, 0.0
        self._downtime = [(start, over) for start, over in self._downtime if end - over < DOWNTIME_KEPT_S]
        self._downtime.append((self._down_since, max(end, self._down_since)))

    def down_between(self, start: float, end: float) -> float:
        """Seconds of `start`..`end` this worker saw the store or the database down (from the first
        failure it met to the first success after; an outage still going on counts to `end`), for
        the last `DOWNTIME_KEPT_S`: time an agent could not answer in (handlers/handoff/sla.py)."""
        spans = [*self._downtime, *([(self._down_since, end)] if self._outage is not None else [])]
        return sum(max(0.0, min(end, over) - max(start, begun)) for begun, over in spans)

    async def _failed(self, kind: str, member: str, lease: str | None, now: float) -> bool:
        """A callback that failed other than by an outage: tried again a few times, then dropped (False).
        Its failures are counted in the store, so a retry that goes to another worker counts them too,
        and here (what counts when the store does not answer)."""
        self._failures = {key: (count, at) for key, (count, at) in self._failures.items()
                          if now - at < FORGET_FAILURES_AFTER_S}  # bounded: only the last minute's
        here = self._failures.get((kind, member), (0, now))[0] + 1
        counted, whole = await self._count_failure(kind, member, now)
        failures = counted if whole else max(here, counted)  # the store's, which a success elsewhere cleared
        firing = self._firing
        if firing is not None and firing.cancelled and (firing.kind, firing.member) == (kind, member):
            await self._forget_failures(kind, member, counted=True)  # counted after the cancel's `DEL`
            return False  # cancelled while its failure was counted: not retried (`cancel`)
        if failures >= MAX_ATTEMPTS:
            await self._forget_failures(kind, member, counted=True)
            log.error("deadline of %s dropped after %d failed attempts", kind, failures)
            return False
        self._failures[(kind, member)] = (failures, now)
        self._held.append(Held(kind, member, now + retry_after(failures), lease))
        return True

    def _failures_keys(self, kind: str, member: str, now: float) -> tuple[str, str]:
        """The store's counts of a deadline's failures this minute and the last (minutes of the injected
        clock, so a count is forgotten by it, as `_failures` are)."""
        minute = int(now // FORGET_FAILURES_AFTER_S)
        return (self.store.keys("deadline-failures", kind, member, str(minute)),
                self.store.keys("deadline-failures", kind, member, str(minute - 1)))

    async def _count_failure(self, kind: str, member: str, now: float) -> tuple[int, bool]:
        """The deadline's failures in the last minute or two, in every worker, this one included, and
        whether the store answered both reads (when not: what it counted before failing, 0 at worst,
        and this worker's own count stands beside it). One `INCR` and one `GET`."""
        this_minute, last_minute = self._failures_keys(kind, member, now)
        counted = 0
        try:
            counted = await self.store.incr(this_minute, ttl=2 * FORGET_FAILURES_AFTER_S)
            return counted + int(await self.store.get(last_minute) or 0), True
        except Exception as exc:
            log.warning("deadline of %s: a failure counted by this worker only (%s)", kind, type(exc).__name__)
            return counted, False

    async def _forget_failures(self, kind: str, member: str, *, counted: bool = False) -> None:
        """The deadline ended after failing here (dropped, re-armed), or surely ended with failures
        counted anywhere (`counted`: dropped, or cancelled, which is rare): its counts go, so the
        member's next deadline starts afresh (one `DEL`, only then, with the sends' generation when it
        surely ended: bot/outbox.py `_generation`). A success forgets them with its sends
        (`_end`). Never raises but a cancellation."""
        if self._failures.pop((kind, member), None) is None and not counted:
            return
        # surely ended (`counted`): its sends' generation goes too, whichever worker holds its marks
        ended = (self._generation_key(kind, member),) if counted else ()
        try:
            await self.store.delete(*self._failures_keys(kind, member, self.clock.time()), *ended)
        except Exception as exc:
            log.warning("deadline of %s: its failure count left to expire (%s)", kind, type(exc).__name__)

    async def _put_back_held(self) -> None:
        """Put back what failed, in order; a store that is down keeps the rest held (and raises). An
        entry the store refuses otherwise (a bug) never holds up the ones after it: logged by its kind,
        it counts as a failed attempt of its deadline, tried again next tick and dropped after
        `MAX_ATTEMPTS` like a failing callback."""
        if not self._held:
            return
        refused: list[Held] = []
        returned = asyncio.get_running_loop().create_future()
        self._returning = ({entry[:2] for entry in self._held}, returned)
        try:
            while self._held:
                kind, member, due_at, lease, unsure = entry = self._held.pop(0)
                try:
                    await self._settle_unless_refused(kind, member)
                    added = await self._schedule_back(kind, member, due_at, lease, unsure=unsure)
                except self._outages:  # the store is down: still held, with the rest, and may come back empty
                    self._held[:] = [held._replace(unsure=True) for held in (entry, *self._held)]
                    raise
                except Exception as exc:
                    log.warning("deadline of %s not put back (%s)", kind, describe_failure(exc))
                    refused.append(entry)
                except BaseException:  # cancelled (the worker stops): still held, for `stop`
                    self._held.insert(0, entry)
                    raise
                else:
                    if added is None:  # no longer this worker's: nor its retry's marks and failures
                        self._marks.pop((kind, member), None)
                        self._failures.pop((kind, member), None)
                    elif not added:  # re-armed (a periodic job's next run): not lost
                        await self._forget_failures(kind, member)
        finally:
            try:
                for kind, member, _, lease, _ in refused:
                    await self._failed(kind, member, lease, self.clock.time())
            finally:  # also when the worker stops meanwhile
                self._returning = None
                returned.set_result(None)  # a cancel waiting for these goes on (`cancel`)

    async def _schedule_back(self, kind: str, member: str, due_at: float, lease: str | None, *,
                             unsure: bool = False) -> bool | None:
        """A deadline this worker took goes back to the store, any worker's now, its lease removed in the same
        command, and only while the lease is still there (`Store.schedule_if_leased`): a lease gone was removed
        by a cancel on another worker, or fell due while this worker could not renew it (its event loop
        blocked for minutes, taken for dead) and another worker revived the deadline and may have ended it;
        put back all the same, it undid the cancel, or fired the deadline once more, its texts sent again under
        a new generation. None then, logged; else whether added (not: set again meanwhile, a periodic job's
        next run). One revived from a lapsed lease (`lease` None: the pop took its lease) goes back as it is;
        one held through a store outage (`Held.unsure`: the store may have come back empty, its lease lost)
        goes back as before, its lease removed after it; and one whose lease went with the whole store (a
        restart without persistence, unseen here between two commands: `_store_emptied`), which dropped a
        failed attempt, a greeting never sent. Never moves one set meanwhile."""
        if lease is None or unsure:
            added = await self.store.schedule_if_absent(kind, member, due_at)
            await self._unlease(kind, lease)
            return added
        added = await self.store.schedule_if_leased(kind, member, due_at, TAKEN, lease)
        if added is None and await self._store_emptied():
            return await self.store.schedule_if_absent(kind, member, due_at)
        if added is None:
            log.warning("deadline of %s not put back: cancelled or taken over elsewhere while this worker held it",
                        kind)
        return added

    async def _settle_lost_claims(self, kind: str, member: str) -> None:
        """Before a failed attempt's deadline goes back to the store, where any worker may take its retry:
        the marks whose claim's answer was lost, or whose release after a failed send was (`Firing.claims`,
        known to this worker only), are deleted where they hold this worker's value (this
        attempt took them, and their texts did not go out). A retry elsewhere then claims them afresh and sends,
        where it met the mark, took the text for sent, sent nothing and marked sent a row never written.
        A mark holding another value is an earlier attempt's, whose text went out: it stays. No other
        attempt of the deadline runs meanwhile: it is out of the store until put back. One command reading
        and deleting at once (`Store.delete_if_holding`), on such a put-back only; a store that does not
        answer keeps the deadline held."""
        carried = self._marks.get((kind, member))
        if carried is None or not carried[1]:
            return
        marks, claims, _ = carried
        kept = await self.store.delete_if_holding(claims)
        marks[:] = [mark for mark in marks if mark not in claims or mark in kept]
        claims.clear()

    async def _settle_unless_refused(self, kind: str, member: str) -> None:
        """`_settle_lost_claims` before a put-back, in a tick or while stopping: a store that refuses it
        otherwise (a bug, a read-only replica) must not keep the deadline out of the store (a tick counted
        each refusal a failed attempt and dropped the deadline after three; a stop lost it): it goes back
        unsettled, as before lost claims were settled. A store that is down still raises."""
        try:
            await self._settle_lost_claims(kind, member)
        except self._outages:
            raise
        except Exception as exc:
            log.warning("deadline of %s put back with its lost claims unsettled (%s)", kind, type(exc).__name__)

    async def _put_back(self, due: list[Taken], now: float) -> None:
        """Best effort while stopping: a store that fails now leaves them to their leases (another worker
        puts them back when those fall due), and the stop goes on;
        one entry it refuses does not keep the others out."""
        held = [*self._held, *(Held(kind, member, now, lease) for kind, member, lease in due)]
        self._held.clear()
        lost, failure = 0, ""
        for index, (kind, member, due_at, lease, unsure) in enumerate(held):
            try:  # as a tick would: never moves one set meanwhile
                await self._settle_unless_refused(kind, member)
                await self._schedule_back(kind, member, due_at, lease, unsure=unsure)
            except self._outages as exc:  # the store is down: the rest would fail the same way
                lost, failure = lost + len(held) - index, type(exc).__name__
                break
            except Exception as exc:  # this one refused: the others still go back
                lost, failure = lost + 1, type(exc).__name__
        if lost:
            log.warning("scheduler stopping: %d deadline(s) not put back (%s)", lost, failure)

    async def _run(self) -> None:
        # The loop ends on the flag as well as on cancellation: a client library that turns a
        # cancellation into its own error (caught below as a failed tick) or swallows it must not
        # leave `stop()` waiting forever for a ticker that kept going.
        while not self._stopping:
            try:
                await self.run_due()
            except self._outages as exc:  # try again next tick; `_fire_due` logged it once per outage
                if self._outage is None:
                    self._paused("store", exc, self.clock.time())
            except Exception:
                if self._stopping:
                    return
                log.exception("scheduler tick failed")
            if not self._stopping:
                await self.clock.sleep(self.tick)

    def start(self) -> None:
        if self._task is None:
            self._stopping = False
            self._task = asyncio.create_task(self._run(), name="scheduler")

    async def stop(self) -> None:
        if self._task is not None:
            self._stopping = True
            await stop_task(self._task)
            self._task = None
        if self._held:  # failed between ticks and not yet back in the store
            await self._put_back([], self.clock.time())
        await self._unlease_left()
