"""The message pipeline: lock, load state, match, handle, render, split, persist.

Every channel (WeChat, web chat, terminal) hands its `Inbound` here and delivers the `Outcome`.
Dedupe of platform retries happens in the channel before this (it owns the cached reply); the
database is the second guard: a message whose platform id is recorded already is not handled again
(its answer's rows carry ids derived from it, `reply_prefix`, and only parts never sent come back).
A channel that knows a delivery is the message's first (WeChat's claim, remembered by the store)
says so, and that database read is skipped.
State is read only after taking the conversation's lock, so two messages of one customer arriving
at once on two workers are answered in order; the store reads it (and what handlers read on every
message, `Services.read_with_state`) with the locking and writes it with the release, one Redis
command each.

The first answer of a visit (the conversation's first, or the first after `VISIT_AFTER_SILENCE_S` of the
customer's silence) opens with the greeting, whichever area answers (docs/rules.md R-TIME-1): `greet_visit`.

The bot never guesses (docs/rules.md R-ANSWER-2): a match below the confidence threshold is routed as `unknown`,
whose handler asks a clarifying question and escalates on the second one in a row.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime

from tortoise.expressions import Q

from bot import labels
from bot.context import Context, Services
from bot.events import Inbound, Outcome, Reply, Say
from bot.intents import IntentMatch
from bot.logs import MESSAGE_ID, message_log_id
from bot.prebuilt_sql import Prebuilt
from bot.recorder import Identity, MessageRecord, Recorder, outbound_message
from bot.router import Router
from bot.splitter import split_message
from bot.sqlite_client import SHORT_READS
from bot.state import ConversationState
from bot.store.base import HeldConversation, HoldRequest, TakenConversation, Write
from bot.templates import spec
from models.message import Message

log = logging.getLogger("csbot.dispatch")

CORE_SCRIPTS = (spec("common.fallback"), *labels.SCRIPTS)  # labels: bot/labels.py
NO_MATCH = IntentMatch("unknown", 0.0, None, None)
#: How long a conversation's state is kept after its last message: long enough for a dialogue that waits
#: days on purpose (a satisfaction callback's rating). A shorter-lived part lapses by `ConversationState.seen_at`:
#: a visit (`VISIT_AFTER_SILENCE_S`), a 留言 offer (handlers/handoff/chat.py `OFFER_LAPSES_AFTER_S`).
STATE_TTL_S = 7 * 24 * 3600
#: After this long without a message from the customer, their next message starts a new visit: its answer
#: opens with the greeting again, and an unclear message before the silence no longer counts toward the
#: second one in a row (docs/handoff-sla.md "Questions while queued, the 留言 offer, a visit's greeting").
VISIT_AFTER_SILENCE_S = 2 * 3600
#: The greeting (问候语) that opens a visit's first answer: consultation's, the shop's one greeting.
GREETING = "consultation.greeting"
#: Customer messages are at most about 2000 characters (web chat limit, WeChat's own); classifying
#: only that much keeps an oversized request (the webhook accepts up to 1 MiB) from costing seconds.
CLASSIFY_MAX_CHARS = 2000
#: The request for a person, marked on the conversation: fixed SQL, not an UPDATE built by the ORM per
#: escalation (a datetime travels as a parameter to both backends: tortoise adapts it for SQLite).
RECORD_ESCALATION = Prebuilt(lambda: "UPDATE conversation SET escalation_reason = ?, escalated_at = ? WHERE id = ?")
#: Whether a platform message is recorded already: asked for every message of a channel that cannot
#: tell a first delivery (web chat, WeCom), so fixed SQL on the unique key rather than the ORM's query.
ANSWERED_BEFORE = Prebuilt(
    lambda: "SELECT 1 FROM message WHERE conversation_id = ? AND direction = 'in' AND source_id = ? LIMIT 1")
#: The matcher's `classify`, or a classifier process's (bot/classifier_process.py), which returns a
#: future while its child answers.
Classifier = Callable[[str], IntentMatch | asyncio.Future[IntentMatch]]
EscalationHook = Callable[[Context, str], Awaitable[list[Say]]]
AnswerHook = Callable[[list[str]], Awaitable[list[Write]]]


#: An inbound platform id the ids of its answer start with as it is (a WeChat MsgId): no LIKE wildcard and
#: no `:` (which ends it in the prefix), short enough for the column with the conversation's id after it.
PLAIN_SOURCE_ID = re.compile(r"[A-Za-z0-9.-]{1,64}")


def reply_prefix(conversation_id: int, source_id: str) -> str:
    """The common start of the `source_id`s of the answer to one inbound message: derived from it, so
    whoever finishes a message later can tell which parts of its answer were recorded and not sent.
    `re:<inbound id>:<conversation>:` for a plain inbound id: WeChat's MsgIds grow with time, so the answers
    of messages written together sit side by side in the `source_id` index and a group commit writes one
    of its pages, where a digest put each answer on a page of its own (docs/performance.md, twelfth round).
    Other ids (an event's `CreateTime:Event`, a web chat's client id) keep the digest (`digest_prefix`)."""
    if PLAIN_SOURCE_ID.fullmatch(source_id):
        return f"re:{source_id}:{conversation_id}:"
    return digest_prefix(conversation_id, source_id)


def digest_prefix(conversation_id: int, source_id: str) -> str:
    """The prefix of an answer to an inbound id that is not plain, and of every answer written before
    `reply_prefix` kept plain ids: still looked for when a message comes again (`Dispatcher._still_owed`)."""
    digest = hashlib.sha256(f"{conversation_id}:{source_id}".encode()).hexdigest()[:24]
    return f"re:{digest}:"


def opens_a_visit(state: ConversationState, now: float) -> bool:
    """Whether the customer's message now starts a visit: the conversation's first, or the first after
    `VISIT_AFTER_SILENCE_S` without one (a state kept from before `seen_at` was recorded: not a new one)."""
    silence = state.silent_for(now)
    return state.turns == 0 or (silence is not None and silence >= VISIT_AFTER_SILENCE_S)


def greet_visit(reply: Reply) -> None:
    """Open the answer with the greeting (docs/rules.md R-TIME-1), unless it has nothing to say (a person
    holds the conversation) or is a greeting already (the greeting intent's answer; a welcome, tagged
    `greeting`)."""
    if reply.says and reply.says[0].key != GREETING and reply.intent != "greeting":
        reply.says.insert(0, Say(GREETING))


async def record_escalation(conversation_id: int, reason: str, at: datetime) -> None:
    """The request for a person, marked on the conversation (`escalation_reason`, `escalated_at`)."""
    await RECORD_ESCALATION.rows(reason, at, conversation_id)


class Dispatcher:
    def __init__(
        self, router: Router, classify: Classifier, services: Services, recorder: Recorder,
        escalation_hooks: Sequence[EscalationHook] = (),
    ) -> None:
        self.router = router
        self.escalation_hooks = tuple(escalation_hooks)
        self.classify = classify
        self.services = services
        self.recorder = recorder
        self._threshold = services.settings.confidence_threshold

    def first_sight(self, inbound: Inbound) -> IntentMatch | asyncio.Future[IntentMatch]:
        """The classifier's answer for `inbound`, or its future: asked for before the conversation is
        held, so a classifier process works while this worker takes the lock and identifies."""
        if inbound.kind != "text" or not inbound.text.strip():  # channels turn recognised voice into text
            return NO_MATCH
        return self.classify(inbound.text[:CLASSIFY_MAX_CHARS])

    async def match(self, inbound: Inbound,
                    first_sight: IntentMatch | asyncio.Future[IntentMatch] | None = None) -> IntentMatch:
        """What the bot acts on: `first_sight` (or the classifier's answer now) below the threshold is unknown."""
        found = self.first_sight(inbound) if first_sight is None else first_sight
        match = found if isinstance(found, IntentMatch) else await found
        if match.intent != "unknown" and match.confidence < self._threshold:
            return IntentMatch("unknown", match.confidence, match.order_no, match.case_no)
        return match

    def hold_request(self, inbound: Inbound) -> HoldRequest:
        """What `handle` holds for `inbound`: its conversation and the keys read with the state, for a
        channel whose store command before `handle` can take the lock too (`taken`)."""
        key = inbound.conversation_key
        return HoldRequest(key, tuple([key_of(key) for key_of in self.services.read_with_state]))

    async def handle(self, inbound: Inbound, max_bytes: int = 2000, *, first_delivery: bool = False,
                     on_answer: AnswerHook | None = None, taken: TakenConversation | None = None,
                     hold: HoldRequest | None = None) -> Outcome:
        """`first_delivery`: the channel knows no earlier delivery of this platform message was seen
        (bot/channels/wechat_dedupe.py), so the database is not asked. `on_answer` gets the answer's
        texts and returns store writes made with the conversation's release (one command for both).
        `taken`: the conversation's lock, taken by the channel's store command (`hold_request`);
        `hold`: that `hold_request(inbound)`, if the channel made it already."""
        message = MESSAGE_ID.set(message_log_id(inbound.channel, inbound.source_id or MESSAGE_ID.get()))  # for logs
        short_reads = SHORT_READS.set(True)  # the reads until the reply are a customer's lookups (bot/sqlite_client.py)
        try:
            return await self._handle(inbound, hold or self.hold_request(inbound), max_bytes, first_delivery,
                                      on_answer, taken)
        finally:
            SHORT_READS.reset(short_reads)
            MESSAGE_ID.reset(message)

    async def _handle(self, inbound: Inbound, hold: HoldRequest, max_bytes: int, first_delivery: bool,
                      on_answer: AnswerHook | None, taken: TakenConversation | None) -> Outcome:
        first_sight = self.first_sight(inbound)
        async with self.services.store.hold_conversation(hold.conversation, *hold.keys, taken=taken) as held:
            identity = await self.recorder.identify(inbound.channel, inbound.user_id)
            if (inbound.source_id and not first_delivery
                    and await self._answered_before(identity.conversation_id, inbound.source_id)):
                outcome = await self._still_owed(identity.conversation_id, inbound.source_id)
            else:
                outcome = await self._answer(inbound, max_bytes, held, identity, first_sight)
            if on_answer is not None:
                held.writes += await on_answer(outcome.texts)
        return outcome

    async def _answer(self, inbound: Inbound, max_bytes: int, held: HeldConversation, identity: Identity,
                      first_sight: IntentMatch | asyncio.Future[IntentMatch]) -> Outcome:
        state = ConversationState.from_dict(held.state)
        match = await self.match(inbound, first_sight)
        clock = self.services.clock
        opens_visit = inbound.by_customer and opens_a_visit(state, clock.time())
        if opens_visit:
            state.unknown_streak = 0
        ctx = Context(inbound, match, state, identity, self.services, held.values)
        reply = await self._route(ctx)
        intent = reply.intent or match.intent
        if intent != "unknown":
            state.unknown_streak = 0
        if reply.escalate:
            await self._record_escalation(ctx, reply)
        if opens_visit and inbound.kind != "event":  # an event's answer is an area's welcome: the greeting itself
            greet_visit(reply)
        texts = self.render(reply, state, max_bytes)
        state.turns += 1
        conversation_id, now = identity.conversation_id, clock.now()
        if inbound.by_customer:
            state.seen_at = now.timestamp()
        # A redelivery of this message finds its answer's rows by their ids (bot/channels/wechat_inbox.py).
        prefix = reply_prefix(conversation_id, inbound.source_id) if inbound.source_id else None
        answer = [outbound_message(inbound.channel, conversation_id, text, "bot", now,
                                   f"{prefix}{n}" if prefix else None) for n, text in enumerate(texts)]
        asked = [self._inbound_row(inbound, conversation_id, intent, match.confidence)] if inbound.by_customer else []
        await self.recorder.record([*asked, *answer])
        for announce in ctx.once_recorded:
            await announce()
        held.save, held.ttl = state.to_dict(), STATE_TTL_S
        return Outcome(texts, [row.source_id for row in answer], tuple(reply.choices) if texts else ())

    async def _answered_before(self, conversation_id: int, source_id: str) -> bool:
        """The database's word on a platform message seen before, for when the store forgot it (a
        Redis restart, a retry past the dedupe TTL, the inbox finishing a message): handled once only."""
        return bool(await ANSWERED_BEFORE.rows(conversation_id, source_id))

    async def _still_owed(self, conversation_id: int, source_id: str) -> Outcome:
        """A repeat is answered with the parts of the recorded answer not sent yet (usually none). A part
        whose sent mark this worker noted and has not written yet (`Recorder.note_sent` lets it wait for a
        batch of rows) went out: not owed. Those ids are read first, so a mark written meanwhile is seen in
        one or the other."""
        sent = self.recorder.sent_not_written()
        prefixes = {reply_prefix(conversation_id, source_id), digest_prefix(conversation_id, source_id)}
        pending = await Message.filter(
            Q(*(Q(source_id__startswith=prefix) for prefix in sorted(prefixes)), join_type="OR"),
            conversation_id=conversation_id, direction="out", delivery_status="pending",
        ).order_by("id")
        pending = [row for row in pending if row.source_id not in sent]
        log.info("repeat of an answered message: %d part(s) still owed", len(pending))
        return Outcome([row.text for row in pending], [row.source_id or "" for row in pending])

    async def _record_escalation(self, ctx: Context, reply: Reply) -> None:
        """Let the handoff area act on the request for a person. Each escalation hook records the request
        on the conversation itself (`record_escalation`, or within a statement it writes the conversation
        with anyway: the handoff's queueing UPDATE, one round trip less per escalation, docs/performance.md
        "Eighth round"); with no hook it is recorded here."""
        if not self.escalation_hooks:
            await record_escalation(ctx.identity.conversation_id, reply.escalate or "", self.services.clock.now())
        for hook in self.escalation_hooks:
            reply.says += await hook(ctx, reply.escalate or "")

    async def _route(self, ctx: Context) -> Reply:
        for handler in self.router.candidates(ctx):
            reply = await handler(ctx)
            if reply is not None:
                return reply
        if ctx.inbound.kind == "event":
            return Reply()  # an event nobody handles needs no answer (WeChat gets `success`)
        log.warning("no handler for kind=%s intent=%s", ctx.inbound.kind, ctx.match.intent)
        return Reply.say("common.fallback")

    def render(self, reply: Reply, state: ConversationState, max_bytes: int) -> list[str]:
        """Templates to texts: the reply's parts joined, then split to the channel's byte limit and
        capped at the configured number of messages (a short greeting and answer go as one message)."""
        templates = self.services.templates
        turns = state.turns
        text = "\n".join([templates.render_safe(say.key, say.fields, seed=turns) for say in reply.says])
        texts = split_message(text, max_bytes)
        limit = self.services.settings.max_reply_parts
        if len(texts) > limit:
            log.warning("reply of %d parts cut to %d", len(texts), limit)
        return texts[:limit]

    def _inbound_row(self, inbound: Inbound, conversation_id: int, intent: str, confidence: float) -> MessageRecord:
        text = inbound.text or inbound.media_url or inbound.event or ""
        return MessageRecord(conversation_id, inbound.channel, "in", inbound.kind, text, inbound.source_id,
                             "customer", inbound.received_at, "received", intent, confidence)
