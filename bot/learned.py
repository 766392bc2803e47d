"""The shop's learned examples: stored once, learned by every worker at once.

An agent's confirmation or correction in the console, or a line of an imported chat log, becomes a
`LearnedExample` row (PII stripped, bot/pii.py) and is learned by the matcher (bot/intent_adapt.py). Every
worker holds its own model, so the change is published on the store's `intents.learned` topic and
each worker's listener applies it; the worker that made it applied it already and skips its own
publication. At start-up each worker loads every stored example.

A worker classifying in a process of its own (bot/classifier_process.py) forwards each change to it
once its own matcher applied it, so the child learns the same examples in the same order.

A thousand new messages take a second or two of PII stripping, classifying (the general matcher's
view of each example is the correction's starting point) and fitting, so all of it runs in chunks
that give the event loop back in between. A worker starting with examples some worker fitted
before loads the fit from disk (bot/intent_cache.py) and classifies none of them.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from tortoise.transactions import in_transaction

from bot.clock import Clock
from bot.extract import compile_order_patterns
from bot.intents import IntentMatcher
from bot.pii import strip_pii
from bot.store.base import Store
from models.learned_example import LearnedExample

log = logging.getLogger("csbot.learned")
Follower = Callable[[Sequence[tuple[str, str]], Sequence[tuple[str, str]]], None]
TOPIC = "intents.learned"
CHUNK = 20  # examples learned between two yields to the event loop (about 1.5 ms each)
MAX_TEXT = 500  # LearnedExample.text


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Labelled:
    text: str
    intent: str
    guess: str | None = None


@dataclass(frozen=True, slots=True)
class LearnResult:
    added: int = 0
    relabelled: int = 0
    unchanged: int = 0


class LearnedExamples:
    """Stores, loads and spreads learned examples for one worker's matcher."""

    def __init__(self, matcher: IntentMatcher, store: Store, clock: Clock,
                 order_patterns: Sequence[str] | None = None, follower: Follower | None = None) -> None:
        """`follower(learn, forget)`: told of every change after `matcher` applied it (the classifier process)."""
        self.matcher = matcher
        self._follower = follower
        self.store = store
        self.clock = clock
        self._order_patterns = compile_order_patterns(order_patterns)
        self._origin = uuid.uuid4().hex  # this worker: it skips its own publications
        self._listener: asyncio.Task[None] | None = None

    def clean(self, text: str) -> str:
        """The text as it is stored: PII stripped, at most MAX_TEXT characters."""
        return strip_pii(text, self._order_patterns)[:MAX_TEXT]

    async def load(self) -> int:
        """Learn every stored example (start-up)."""
        rows = await LearnedExample.all().order_by("id").values_list("text", "intent")
        await self._apply([(str(t), str(i)) for t, i in rows], [])
        return len(rows)

    async def start(self) -> None:
        """Load the stored examples and listen for other workers' new ones."""
        ready = asyncio.get_running_loop().create_future()
        self._listener = asyncio.create_task(self._listen(ready), name="learned-examples")
        await ready
        await self.load()

    async def stop(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener

    async def _listen(self, ready: asyncio.Future[None]) -> None:
        async with self.store.subscribe(TOPIC) as events:
            ready.set_result(None)
            async for payload in events:
                if payload.get("origin") == self._origin:
                    continue
                try:
                    await self._apply([tuple(p) for p in payload.get("learn", [])],
                                      [tuple(p) for p in payload.get("forget", [])])
                except (TypeError, ValueError):
                    log.warning("ignored a malformed learned-examples message")

    async def _apply(self, learn: Sequence[tuple[str, str]], forget: Sequence[tuple[str, str]]) -> None:
        if not learn and not forget:
            return  # nothing to change: the runtime keeps sharing the process's model (no copy)
        self.matcher.learn([], forget, calibrate=False)
        for start in range(0, len(learn), CHUNK):
            self.matcher.learn(learn[start : start + CHUNK], calibrate=False)
            await asyncio.sleep(0)
        for _ in self.matcher.calibrating():  # the correction and the vote's confidence, fitted on them all
            await asyncio.sleep(0)
        if self._follower is not None:
            self._follower(learn, forget)

    async def teach(self, items: Sequence[Labelled], source: str, agent: str | None = None) -> LearnResult:
        """Store `items` (PII stripped) and learn them here and in every worker.

        The same text learned again with the same intent changes nothing; with another intent it
        replaces the earlier label. All rows are written in one transaction."""
        now = self.clock.now()
        cleaned: dict[str, Labelled] = {}
        for n, item in enumerate(items, start=1):
            text = self.clean(item.text)
            if text:
                cleaned[digest(text)] = Labelled(text, item.intent, item.guess)  # the last label wins
            if n % CHUNK == 0:
                await asyncio.sleep(0)
        learn: list[tuple[str, str]] = []
        forget: list[tuple[str, str]] = []
        unchanged = 0
        async with in_transaction():
            keys = list(cleaned)
            existing = {}
            for start in range(0, len(keys), CHUNK):
                existing.update({row.digest: row for row in await LearnedExample.filter(
                    digest__in=keys[start : start + CHUNK])})
            new_rows = []
            for n, (key, item) in enumerate(cleaned.items(), start=1):
                if n % CHUNK == 0:
                    await asyncio.sleep(0)
                row = existing.get(key)
                if row is None:
                    new_rows.append(LearnedExample(text=item.text, digest=key, intent=item.intent, source=source,
                                                   agent=agent, guess=item.guess, created_at=now, updated_at=now))
                    learn.append((item.text, item.intent))
                elif row.intent == item.intent:
                    unchanged += 1
                else:
                    forget.append((row.text, row.intent))
                    learn.append((item.text, item.intent))
                    await LearnedExample.filter(id=row.id).update(intent=item.intent, source=source, agent=agent,
                                                                  guess=item.guess, updated_at=now)
            for start in range(0, len(new_rows), CHUNK):
                await LearnedExample.bulk_create(new_rows[start : start + CHUNK])
        if learn:
            await self._apply(learn, forget)
            await self.store.publish(TOPIC, {"origin": self._origin, "learn": learn, "forget": forget})
        return LearnResult(added=len(learn) - len(forget), relabelled=len(forget), unchanged=unchanged)
