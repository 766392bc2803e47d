"""Messages sent outside a reply: the rest of a long answer, an agent's message, a follow-up.

Each text is persisted as a pending outbound row first, then pushed through the customer's
channel in order; the row records what happened (sent, or undeliverable with the platform's
reason). A refused message is never retried forever: the channel decides what is retryable and
does it (WeCom: a few times later, `RETRYING`: the rows stay pending meanwhile, and the channel records
the final outcome), the outbox records the final outcome of the rest. When the channel's send budget is shorter than
the texts, neighbouring texts are merged (`splitter.pack`) so the end of an answer is not the part
that is refused; every merged row records the outcome of the message that carried it.

A deadline's callback (a greeting on an agent's behalf, a holding message) is retried when it fails
(bot/scheduler.py), and a retry must not send again what its failed attempt already sent: the
greeting goes out, then the database fails to record so, and the customer was greeted twice. Inside
a callback (`FIRING`) each text first claims a mark in the store, named by the deadline (its kind,
member and generation: `_generation`) and a digest of the customer and text, and the mark lives until
the deadline ends (`ONCE_TTL_S` at most; one that outlives it, never deleted, is met by no later
deadline: another generation):
- the text goes out, then anything fails (the delivery's record, the callback's own writes, a later
  text of the same send): the retry finds the mark, does not send it again and reports it sent, so
  the callback goes on to record it; its row is marked sent (when the send wrote its own rows, the
  row's source id is derived from the mark: `row_of`). One greeting; the rest
  of a split answer, not sent or refused, is sent by the retry; but a part refused while a later one
  went out is not (`LATE`): it would reach the customer after that later part. Parts arrive in order
  or not at all.
- the database fails before the send (earlier in the callback, or writing the pending rows), or the
  store after the rows were written (the send budget's read): no mark stays; the retry sends. One, and
  one row: the retry writes the same row (`row_of`: the insert skips it) and marks it, where it wrote a
  second beside one left "pending" for good.
- the text does not go out (the platform refuses it, or the connection was never made): its mark is
  released, so a retry sends it. Not lost.
- the platform may have taken it but did not answer (a timeout, the connection dropped as it answered:
  `MAYBE_DONE`, bot/channels/base.py): the mark stays, and the retry takes the text for sent (its
  row then says sent). WeChat's send takes no idempotency key and a text cannot be taken back, so a text
  twice on the customer's phone is the sure harm, one never received the rarer one (a timeout of a
  request WeChat never acted on). WeCom drops a repeat of a msgid, derived from the row, which the retry
  writes under the same id (`row_of`): there the mark is released and the retry sends it again
  (`kept_outcomes`); a split send packed otherwise by the retry (a shorter budget) may repeat a part.
- the store fails claiming (its reply lost, say): nothing is sent, the marks surely taken are
  released, the callback fails. The mark whose answer was lost stays, with the value it was claimed
  with (`Firing.claims`, known to this worker only), and before the deadline goes back to the store
  this worker deletes it if it holds that value (the lost claim took it: nothing was sent), and keeps
  it if an earlier attempt holds it (its text went out): `Scheduler._settle_lost_claims`. A retry on
  any worker then sends it, or not, rightly. One.
- the store refuses the claim other than by being down (an error reply: out of memory, a replica
  read-only): the texts are sent without marks, as outside a callback. A callback failing on it
  would be dropped after its retries, and its customer never greeted.
- the worker dies during the callback: its deadline's lease brings the deadline back for another
  worker (bot/scheduler.py `TAKEN`). A mark is claimed for `CLAIM_TTL_S` only, shorter than the lease,
  and made to last `ONCE_TTL_S` just before its text goes to the channel (`_make_lasting`): a worker that
  died before that sent nothing, the mark is gone when the deadline comes back, and the text is sent
  once; one that died after it may have reached the platform (the send budget's spend and the token
  come first, inside the channel), and the text is not sent again. A callback running longer than the
  lease (minutes) keeps it: a worker alive renews it while the callback runs (bot/scheduler.py
  `_LeaseKeeper`), and the end deletes the marks with the lease in one command (`_end`).
- the worker's event loop is blocked for minutes between a claim and its send: the claim ran out, and
  the attempt the lapsed lease revived elsewhere may have claimed the text and sent it. The mark is made
  to last only while it still holds this attempt's claim, in the one command that makes it last
  (`_make_lasting`, `Store.extend_if_holding`); otherwise the text is not sent and the attempt fails
  (`ClaimLost`): put back only while its lease holds (no other attempt then), its retry sends the text.
  A failed send deletes only the marks still holding its own claims (`_release`), never the other
  attempt's.
- the worker stops (a deploy) during the callback: its deadline goes back for another worker
  (bot/scheduler.py `_stop_mid_tick`); a text whose request was under way keeps its mark as one
  unanswered (`no_answer`) and is not sent again, one not yet sent is.
- the worker stops while the store has not answered a release: the marks stay the attempt's claims
  (`Firing.claims`), settled as a lost claim's before the deadline goes back (`_release`).
Left: a store failing to release a mark after a failed send when the callback then succeeds, or the
worker stops before the store answers again (a warning says so), loses that text. Sending at most once
was chosen over sending twice. Only the callback's own task is concerned (`current_firing`).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import uuid
from collections.abc import Mapping, Sequence

from bot.channels.base import MAYBE_DONE, RETRYING, Channel
from bot.clock import Clock
from bot.errors import BotError, DeliveryFailed
from bot.events import Choice
from bot.recorder import Recorder, outbound_message
from bot.scheduler import Firing, current_firing
from bot.splitter import pack
from bot.store.base import Store
from bot.store.keys import deadline_generation, sent_once

log = logging.getLogger("csbot.outbox")

#: How long a deadline's send mark outlives a callback that never succeeds (dropped, or its worker
#: gone): well past its retries, which come within seconds (minutes in a long outage).
ONCE_TTL_S = 3600.0
#: How long a text's mark lives once claimed, until it is made to last `ONCE_TTL_S` just before its send
#: (`_send`): a worker that died between the two sent nothing, and the attempt the deadline's lease revives
#: (bot/scheduler.py `TAKEN_LEASE_S`, longer) finds the mark gone and sends it.
CLAIM_TTL_S = 240.0
#: The outcome of a part a retry does not send because an earlier attempt sent a later part of the same
#: send: sent now, it would reach the customer after it (the earlier attempt recorded its own refusal).
LATE = "later_part_sent"
#: Outcomes whose mark stays: the text went out, or may have (the platform took the request, its answer
#: was lost: a retry would send it a second time), unless the platform drops repeats (`kept_outcomes`).
KEPT = frozenset({"sent", RETRYING, *MAYBE_DONE})


class ClaimLost(BotError):
    """A deadline's text whose claim ran out before this attempt made it last (its worker's event loop
    blocked for minutes between the two): the attempt its lapsed lease revived on another worker may have
    claimed it and sent it. Not sent here, and the attempt fails; the deadline's machinery decides whether
    a retry follows (bot/scheduler.py: the lease, gone with the revival, keeps this attempt from being
    put back). An expected outcome, not a bug: the scheduler logs it in one WARNING line, no traceback."""

    expected = True


def kept_outcomes(adapter: Channel, own_rows: bool) -> frozenset[str]:
    """The outcomes whose mark stays on `adapter`: `KEPT`, but only "sent" where the platform drops a
    repeat of the same rows (WeCom's msgid) and the retry sends the same rows: the outbox's own
    (`own_rows`: a retry writes the rows its attempt wrote, `row_of`), not a caller's `source_ids`, which
    another attempt may name afresh. There a send whose answer was lost is sent again, harmless if it
    had arrived, and not lost if it had not."""
    return frozenset({"sent", RETRYING}) if adapter.repeats_dropped and own_rows else KEPT


def row_of(mark: str) -> str:
    """The source id of the row of the text a mark names, the same for every attempt of the deadline on
    any worker: a retry writes the row its failed attempt wrote (the insert skips it) and marks that one,
    instead of a second row beside one left "pending" for good. 32 characters, as `bot.ids.unique_id`."""
    return "d" + hashlib.sha256(mark.encode()).hexdigest()[:31]


def taken_here(marks: Sequence[str], claimed: Sequence[bool]) -> list[str]:
    """The marks this send surely claimed: not those an earlier attempt holds (its texts went out), nor
    the last one when its claim did not answer (`Firing.claims` keeps its value for the retry)."""
    return [mark for mark, taken in zip(marks, claimed, strict=False) if taken]


class Outbox:
    def __init__(self, channels: Mapping[str, Channel], recorder: Recorder, clock: Clock, store: Store) -> None:
        self.channels = channels
        self.recorder = recorder
        self.clock = clock
        self.store = store

    async def send(
        self, channel: str, user_id: str, texts: Sequence[str], *, author: str = "bot",
        source_ids: Sequence[str] | None = None, choices: Sequence[Choice] = (),
    ) -> list[str]:
        """Push texts in order; returns the outcome per text ("sent" or the failure reason).

        `source_ids` names rows already persisted as pending (the tail of a reply); without it the
        rows are written here first. `choices` go with the last message (`Channel.deliver`). Inside a
        deadline's callback, texts an earlier attempt of it sent are not sent again (module docstring).
        """
        outcomes = [""] * len(texts)  # filled as each is known: what went out, even if a later step raises
        firing = current_firing()
        if firing is None or (firing.cancelled and firing.generation is None):  # no retry follows a cancel:
            # no mark needed, and no generation drawn (the cancel deleted it; one found may be a later deadline's)
            await self._send(channel, user_id, texts, author, source_ids, choices, outcomes)
            return outcomes
        claimed: list[bool] = []
        marks: list[str] = []
        values: dict[str, str] = {}  # each mark's claim value: a mark not released is settled by it later
        try:
            generation = await self._generation(firing)
            for text in texts:
                marks.append(self._mark(firing, generation, channel, user_id, text))
                values[marks[-1]] = firing.claims.setdefault(marks[-1], uuid.uuid4().hex)  # a lost claim's, on a retry
                claimed.append(await self.store.claim(marks[-1], CLAIM_TTL_S, values[marks[-1]]))
                del firing.claims[marks[-1]]
        except self.store.unavailable:  # the last claim's answer lost: it stays with its value for the retry
            await self._release(firing, taken_here(marks, claimed), values)
            raise
        except Exception as exc:  # the store refuses the command (not down): send as without a deadline
            if marks:
                firing.claims.pop(marks[-1], None)  # answered: not taken
            log.warning("deadline of %s: a send's mark refused, sent without it (%s)", firing.kind,
                        type(exc).__name__)
            await self._release(firing, taken_here(marks, claimed), values)
            await self._send(channel, user_id, texts, author, source_ids, choices, outcomes)
            return outcomes
        except BaseException:  # cancelled: as a reply lost
            await self._release(firing, taken_here(marks, claimed), values)
            raise
        last_sent = max((index for index, taken in enumerate(claimed) if not taken), default=-1)
        late = [index for index, taken in enumerate(claimed) if taken and index < last_sent]
        left = [index for index, taken in enumerate(claimed) if taken and index > last_sent]
        sending = [""] * len(left)
        try:  # the marks of what did not go out are released, whatever fails here
            for index, taken in enumerate(claimed):
                if not taken:  # sent by an earlier attempt: its row is marked sent now, if it could not be then
                    outcomes[index] = "sent"
                    await self.recorder.mark_delivery(row_of(marks[index]) if source_ids is None else source_ids[index],
                                                      "sent")
            for index in late:  # its refusal was recorded before the later part went out
                outcomes[index] = LATE
            if left:
                await self._send(channel, user_id, [texts[index] for index in left], author,
                                 None if source_ids is None else [source_ids[index] for index in left], choices,
                                 sending, [row_of(marks[index]) for index in left],
                                 {marks[index]: values[marks[index]] for index in left})
        finally:
            for index, outcome in zip(left, sending, strict=True):
                outcomes[index] = outcome
            # an unanswered send's mark stays, unless the retry sends it again harmlessly
            kept = kept_outcomes(self.channels[channel], own_rows=source_ids is None)
            await self._release(firing, [marks[index] for index in late] + [
                marks[index] for index, outcome in zip(left, sending, strict=True) if outcome not in kept], values)
        return outcomes

    async def _generation(self, firing: Firing) -> str:
        """The deadline's generation, which its marks are named by: drawn by its first attempt that sends
        (one `SET NX`), found by its retries, here or on another worker (a `GET` more), and deleted
        when the deadline ends, on whichever worker (bot/scheduler.py), so a later deadline of the same
        kind and member never meets an earlier one's marks. A claim whose answer was lost needs nothing
        kept: the retry finds the value it took, and no text was marked under it."""
        if firing.generation is None:
            key = self.store.keys(*deadline_generation(firing.kind, firing.member))
            if key not in firing.marks:  # deleted with the marks when the deadline ends
                firing.marks.append(key)
            drawn = uuid.uuid4().hex
            taken = await self.store.claim(key, ONCE_TTL_S, drawn)
            firing.generation = drawn if taken else (await self.store.get(key) or drawn)  # None: it ended meanwhile
        return firing.generation

    def _mark(self, firing: Firing, generation: str, channel: str, user_id: str, text: str) -> str:
        """The store key of a text sent within the deadline, recorded in `firing.marks`: the deadline's
        generation, the customer and text by digest (a short key), and how many times this attempt sent
        the same before (a retry counts alike)."""
        digest = hashlib.sha256("\x00".join((channel, user_id, text)).encode()).hexdigest()[:32]
        firing.sends[digest] += 1
        mark = self.store.keys(*sent_once(firing.kind, firing.member, generation, digest, firing.sends[digest]))
        if mark not in firing.marks:  # an earlier attempt's, carried to this one by the scheduler
            firing.marks.append(mark)
        return mark

    async def _make_lasting(self, marks: Sequence[tuple[str, str]]) -> None:
        """The marks of texts about to be sent live `ONCE_TTL_S`, only while each still holds this attempt's
        claim (one atomic command, as the plain write it replaces: `Store.extend_if_holding`). A claim that
        ran out meanwhile (the worker's loop blocked past `CLAIM_TTL_S`) is `ClaimLost`: the attempt revived
        from the lapsed lease may have claimed and sent the text, and sending it here went twice. A store
        that is down here fails the send before it is made: the marks are released and the retry sends. A
        store that refuses the write otherwise (an error reply: out of memory, a read-only replica) does not
        keep the texts from going out, as a refused claim does not (module docstring): sent, their marks
        live their claim's `CLAIM_TTL_S` only. Failing there, the callback was dropped after its
        retries and its customer never greeted."""
        try:
            lost = await self.store.extend_if_holding(dict(marks), ONCE_TTL_S)
        except self.store.unavailable:
            raise
        except Exception as exc:
            firing = current_firing()
            log.warning("deadline of %s: a send's mark not made lasting, sent anyway (%s)",
                        firing.kind if firing is not None else "?", type(exc).__name__)
            return
        if lost:
            raise ClaimLost(f"{len(lost)} of a send's marks no longer this attempt's claim: not sent")

    async def _release(self, firing: Firing, marks: Sequence[str], values: Mapping[str, str]) -> None:
        """Delete the marks of texts that did not go out, so a retry sends them: each while it holds this
        attempt's claim (`Store.delete_if_holding`, one command as a `DEL`), never a claim that ran out here
        and another attempt took since (`ClaimLost`). When the store does not answer, they stay the attempt's
        with their values (`Firing.claims`), as a lost claim's: the scheduler deletes them before the deadline
        goes back (`Scheduler._settle_lost_claims`), where a retry took those texts for sent and sent nothing.
        They are the attempt's claims from before the command until the store answered it: a stop (a deploy)
        cancelling the command midway, unanswered, leaves them there for the stop's own put-back to settle,
        where the attempt revived elsewhere met their marks and sent nothing."""
        if not marks:
            return
        firing.claims.update((mark, values[mark]) for mark in marks)
        try:
            await self.store.delete_if_holding({mark: values[mark] for mark in marks})
        except Exception as exc:
            log.warning("deadline of %s: a failed send's mark not released yet (%s)", firing.kind, type(exc).__name__)
            return
        for mark in marks:
            del firing.claims[mark]
            firing.marks.remove(mark)

    async def _send(self, channel: str, user_id: str, texts: Sequence[str], author: str,
                    source_ids: Sequence[str] | None, choices: Sequence[Choice], outcomes: list[str],
                    row_ids: Sequence[str | None] | None = None, marks: Mapping[str, str] | None = None) -> None:
        """`send` without the deadline's mark, each outcome put in `outcomes` once known. Rows written
        here (no `source_ids`) take `row_ids` as theirs when given (`row_of` their marks), fresh ones else.
        `marks` (mark -> its claim's value, in the texts' order) are made to last `ONCE_TTL_S` just before
        their texts' send: from then on the text may reach the platform, and no attempt revived after this
        worker's death sends it again."""
        if source_ids is None:
            identity = await self.recorder.identify(channel, user_id)
            now = self.clock.now()
            rows = [outbound_message(channel, identity.conversation_id, text, author, now, row_id)
                    for text, row_id in zip(texts, row_ids or [None] * len(texts), strict=True)]
            await self.recorder.record(rows)
            source_ids = [row.source_id for row in rows]
        adapter = self.channels[channel]
        left = await adapter.sends_left(user_id) if len(texts) > 1 else None
        groups = pack(texts, left, adapter.max_bytes) if left is not None and left < len(texts) else [
            [index] for index in range(len(texts))]
        lasting = list((marks or {}).items())
        for number, group in enumerate(groups, 1):
            ids = [source_ids[index] for index in group]
            if lasting:
                await self._make_lasting([lasting[index] for index in group])
            try:
                await adapter.deliver(user_id, "\n".join(texts[index] for index in group), source_ids=ids,
                                      choices=choices if number == len(groups) else ())
            except DeliveryFailed as exc:
                if exc.retryable:  # the channel tries it again later and records the outcome then
                    outcome, status, reason = RETRYING, "pending", exc.reason
                    log.info("%s message deferred: %s", channel, exc.reason)
                else:
                    outcome, status, reason = exc.reason, "undeliverable", exc.reason
                    log.warning("%s message undeliverable: %s", channel, exc.reason)
            except asyncio.CancelledError:  # the worker stops (a deploy) with the request under way: it may
                for index in group:  # have reached the platform, as one unanswered; its mark stays (`KEPT`)
                    outcomes[index] = "no_answer"  # for the deadline's retry on another worker
                raise
            else:
                outcome, status, reason = "sent", "sent", None
            for index in group:
                outcomes[index] = outcome
            for source_id in ids:
                await self.recorder.mark_delivery(source_id, status, reason)
