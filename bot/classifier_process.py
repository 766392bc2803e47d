"""First-sight classification in a process of its own beside a worker (docs/performance.md,
"Classification in its own process").

With 50 customers waiting the worker's event loop is busy all the time, and first-sight
classification (bot/intents.py) was about a quarter of its CPU while the machine's second core sat
partly idle. `ClassifierProcess` starts `python -m bot.classifier_process` at start-up; the child
builds the same matcher (the general model from the on-disk fit cache, then the shop's learned
examples in the order the worker learned them) and answers batches of texts. The worker writes the
texts asked for in one turn of its loop as one frame and gets one frame back; `classify` returns a
future only while the child is ready and keeping up, and the matcher's own answer otherwise.

Faults never reach a customer: a batch not answered within its budget (`budget_s` and `per_text_s`
for each text) is classified here (and no more texts are sent until the child has caught up); a text
the child fails on is classified here (failing as it would without the child); a child that dies or
answers nothing for `hang_s` is killed and started again after `restart_s` (so is one that could not
be spawned, or that failed outside a text's classification, applying a lesson say: it tells the worker in
one line without texts, `report_failure`, and ends), its pending texts classified here. The child
ignores the signals that stop the worker (a terminal's ^C, systemd's SIGTERM to the whole cgroup): it
exits when its input closes (the worker closed it or died) and gets SIGKILL from the kernel when the
worker's thread that started it ends (PR_SET_PDEATHSIG), so it never outlives the worker.

Decisions are the in-process matcher's: the same files, the same learned examples in the same order
(`learned`, called by bot/learned.py after the worker's own matcher applied them). Only the
confidence may differ in its last bits (the hash seed orders the n-gram sums; two workers differ the
same way), so intents, decisions and numbers are identical (tests/test_classifier_process.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import os
import pickle
import signal
import struct
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, BinaryIO, Literal

from bot.clock import Alarm, Clock
from bot.context import ServiceKey
from bot.intent_areas import Precedence
from bot.intents import IntentMatch, IntentMatcher
from bot.logs import describe_failure

log = logging.getLogger("csbot.classifier")

Mode = Literal["auto", "on", "off"]
#: The worker's classifier, for bot/learned.py to forward learned examples to.
CLASSIFIER: ServiceKey[ClassifierProcess] = ServiceKey("classifier_process")
HEADER = struct.Struct("!I")
#: A batch's answer is awaited at most BUDGET_S + PER_TEXT_S per text before the worker classifies it.
BUDGET_S = 0.02
PER_TEXT_S = 0.001
HANG_S = 30.0  # nothing answered this long (a big import fits for seconds): killed and restarted
RESTART_S = 1.0  # first wait before starting a dead child again; doubles up to RESTART_MAX_S
RESTART_MAX_S = 60.0
STOP_WAIT_S = 2.0
LATE_WARNING_S = 60.0  # at most one "late" warning this often
PR_SET_PDEATHSIG = 1
Result = tuple[str, float, str | None, str | None, str]  # IntentMatch's fields
Lesson = tuple[list[tuple[str, str]], list[tuple[str, str]]]  # (learn, forget), as bot/learned.py applies them


def resolve(mode: Mode, workers: int = 1) -> Mode:
    """`auto` for a server's `workers` workers: on where each worker and its child have a core each
    (with `--workers 2` on two cores, four busy processes were slower than two)."""
    if mode != "auto":
        return mode
    return "on" if len(os.sched_getaffinity(0)) >= 2 * workers else "off"


@dataclass(frozen=True, slots=True)
class MatcherSpec:
    """What the child needs to build the worker's matcher (`IntentMatcher.shared`)."""

    intents_yaml: Path
    precedence: Precedence
    order_patterns: tuple[str, ...] | None
    cache_size: int

    def shared(self) -> IntentMatcher:
        return IntentMatcher.shared(self.intents_yaml, self.precedence, self.order_patterns, cache_size=self.cache_size)


class ClassifierProcess:
    """One worker's classifier child: `classify` (sync or a future), `learned`, `start`, `close`."""

    def __init__(self, matcher: IntentMatcher, spec: MatcherSpec, clock: Clock, *, budget_s: float = BUDGET_S,
                 per_text_s: float = PER_TEXT_S, hang_s: float = HANG_S, restart_s: float = RESTART_S) -> None:
        self.matcher = matcher  # the worker's own: the answer when the child cannot give it
        self.spec = spec
        self.clock = clock  # the budget, the hang and the restart's waits
        self.budget_s, self.per_text_s, self.hang_s, self.restart_s = budget_s, per_text_s, hang_s, restart_s
        self._lessons: list[Lesson] = []  # replayed to a new child
        self._child: Child | None = None
        self._restart: Alarm | None = None
        self._starting: asyncio.Task[None] | None = None
        self._ready = False
        self._closed = False
        self._pending: dict[int, tuple[asyncio.Future[IntentMatch], str]] = {}
        self._batch: list[tuple[int, str]] = []
        self._next_id = 0
        self._sent_through = -1  # the last request id written to the child
        self._answered_through = -1  # the last request id the child answered
        self._behind = False  # a batch missed the budget: classify here until the child caught up
        self._failures = 0  # ends in a row: the wait before the next start doubles with each
        self._warned_at = -LATE_WARNING_S  # the clock's time of the last "late" warning
        self.starts = 0  # children started (tests, logs)
        self.fallbacks = 0  # texts classified here for want of the child's answer

    @property
    def pid(self) -> int | None:
        child = self._child
        return child.transport.get_pid() if child is not None and not child.exited.done() else None

    @property
    def ready(self) -> bool:
        return self._ready

    async def start(self) -> None:
        """Start the child; it loads while the worker starts (classified here until it is ready)."""
        self._restart = None
        if self._closed:
            return
        self.starts += 1
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
        loop = asyncio.get_running_loop()
        try:
            _, child = await loop.subprocess_exec(
                lambda: Child(self, loop), sys.executable, "-m", "bot.classifier_process", str(os.getpid()),
                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=None, cwd=str(ROOT), env=env)
        except OSError as exc:  # ENOMEM, EAGAIN: the worker serves on and tries again later
            self._restart_later(f"not started ({exc.strerror or type(exc).__name__})")
            return
        self._child = child
        if self._closed:  # closed while it was being spawned: `close` stops it
            return
        self._write(("init", (self.spec, self.matcher.threshold, list(self._lessons))))

    def classify(self, text: str) -> IntentMatch | asyncio.Future[IntentMatch]:
        if not self._ready or self._behind:
            return self.matcher.classify(text)
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        request = self._next_id
        self._next_id += 1
        self._pending[request] = (future, text)
        if not self._batch:
            loop.call_soon(self._flush)  # after this turn: every text asked for in it goes in one write
        self._batch.append((request, text))
        return future

    def learned(self, learn: Sequence[tuple[str, str]], forget: Sequence[tuple[str, str]]) -> None:
        """The worker's matcher learned `learn` after forgetting `forget`: the child does the same,
        before any text asked for after this call."""
        lesson = (list(learn), list(forget))
        self._lessons.append(lesson)
        self._write(("learn", lesson))

    async def close(self) -> None:
        """Stop the child (its input closes; killed if it does not exit) and answer what is pending here."""
        self._closed = True
        if self._restart is not None:
            self._restart.cancel()
        starting = self._starting
        if starting is not None:
            starting.cancel()  # a child spawned all the same is left in `_child`, stopped below
            with contextlib.suppress(asyncio.CancelledError):
                await starting
        child = self._child
        self._fall_back_all()
        if child is not None:
            await self._stop(child)

    async def _stop(self, child: Child) -> None:
        stdin = child.transport.get_pipe_transport(0)
        if stdin is not None:
            stdin.close()
        try:
            await asyncio.wait_for(asyncio.shield(child.exited), STOP_WAIT_S)
        except TimeoutError:
            child.kill()
            await child.exited
        child.transport.close()

    # --- the worker's side of the pipe ---

    def _start_again(self) -> None:
        self._starting = asyncio.get_running_loop().create_task(self.start(), name="classifier-start")

    def _flush(self) -> None:
        batch, self._batch = self._batch, []
        if not batch:
            return
        if not self._ready or self._behind:  # the child went away or fell behind since
            for request, _ in batch:
                self._fall_back(request)
            return
        self._write(("classify", batch))
        self._sent_through = batch[-1][0]
        budget = self.budget_s + self.per_text_s * len(batch)
        self.clock.call_later(budget, partial(self._check, batch[0][0], batch[-1][0]))

    def _write(self, message: tuple[str, Any]) -> None:
        child = self._child
        stdin = child.transport.get_pipe_transport(0) if child is not None and not child.exited.done() else None
        if stdin is None or stdin.is_closing():
            return
        data = pickle.dumps(message, pickle.HIGHEST_PROTOCOL)
        stdin.write(HEADER.pack(len(data)) + data)

    def _check(self, first: int, last: int) -> None:
        """The budget of requests `first`..`last` is over: what is still pending is classified here."""
        late = [request for request in range(first, last + 1) if request in self._pending]
        if not late:
            return
        for request in late:
            self._fall_back(request)
        if not self._behind:
            self._behind = True
            now = self.clock.monotonic()
            if now - self._warned_at >= LATE_WARNING_S:  # a child late again and again: one line a minute
                self._warned_at = now
                log.warning("classifier process late: %d text(s) classified in the worker", len(late))
            self.clock.call_later(self.hang_s, partial(self._check_hung, self._answered_through))

    def _check_hung(self, answered: int) -> None:
        if self._behind and self._answered_through == answered and self._child is not None:
            log.error("classifier process %s answered nothing for %.0f s: restarting it", self.pid, self.hang_s)
            self._child.kill()  # its end schedules the restart

    def _fall_back(self, request: int) -> None:
        entry = self._pending.pop(request, None)
        if entry is not None and not entry[0].done():
            self.fallbacks += 1
            future, text = entry
            try:
                future.set_result(self.matcher.classify(text))
            except Exception as exc:  # what the in-process path raises, the dispatcher sees
                future.set_exception(exc)

    def _fall_back_all(self) -> None:
        self._ready = False
        for request, _ in self._batch:
            self._fall_back(request)
        self._batch = []
        for request in list(self._pending):
            self._fall_back(request)

    def _received(self, child: Child, kind: str, body: Any) -> None:
        if child is not self._child:
            return
        if kind == "done":
            self._answer(body)
        elif kind == "ready":
            self._ready, self._behind, self._failures = True, False, 0
            self._answered_through = self._sent_through
            log.info("classifier process %d ready", child.transport.get_pid())
        elif kind == "failed":  # its exit follows, and its restart (`_ended`)
            log.error("classifier process %d failed: %s", child.transport.get_pid(), body)

    def _answer(self, results: list[tuple[int, Result | None]]) -> None:
        pending = self._pending
        for request, fields in results:
            if fields is None:  # the child failed on this text: classified here (raising as here it would)
                self._fall_back(request)
                continue
            entry = pending.pop(request, None)
            if entry is not None and not entry[0].done():
                entry[0].set_result(IntentMatch(*fields))
        self._answered_through = results[-1][0] if results else self._answered_through
        if self._behind and self._answered_through >= self._sent_through:
            self._behind = False

    def _ended(self, child: Child) -> None:
        """The child exited or sent a garbled frame (then it is killed: not trusted further)."""
        if child is not self._child:  # one replaced after a garbled frame: now exited
            child.transport.close()
            return
        try:
            self._fall_back_all()
        finally:
            child.kill()
            if not self._closed:  # closed: `close` waits for its exit
                self._child = None
                if child.exited.done():
                    child.transport.close()
                self._restart_later(f"{child.transport.get_pid()} ended")

    def _restart_later(self, what: str) -> None:
        """Start a child again after a wait that doubles with each failure in a row."""
        wait = min(self.restart_s * 2**self._failures, RESTART_MAX_S)
        self._failures += 1
        log.error("classifier process %s: classifying in the worker, restarting in %.1f s", what, wait)
        self._restart = self.clock.call_later(wait, self._start_again)


class Child(asyncio.SubprocessProtocol):
    """The worker's end of one child's pipes: frames parsed as they arrive, in the loop's callback
    (no task, no coroutine step per answer)."""

    def __init__(self, owner: ClassifierProcess, loop: asyncio.AbstractEventLoop) -> None:
        self.owner = owner
        self.buffer = bytearray()
        self.exited: asyncio.Future[None] = loop.create_future()
        self.transport: asyncio.SubprocessTransport

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def pipe_data_received(self, fd: int, data: bytes) -> None:
        buffer = self.buffer
        buffer += data
        while len(buffer) >= HEADER.size:
            end = HEADER.size + HEADER.unpack_from(buffer)[0]
            if len(buffer) < end:
                return
            frame = bytes(buffer[HEADER.size : end])
            del buffer[:end]
            try:
                kind, body = pickle.loads(frame)
            except (pickle.UnpicklingError, ValueError, TypeError, EOFError):
                self.owner._ended(self)
                return
            self.owner._received(self, kind, body)

    def process_exited(self) -> None:
        if not self.exited.done():
            self.exited.set_result(None)
        self.owner._ended(self)

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            self.transport.kill()


ROOT = Path(__file__).resolve().parent.parent


# --- the child ---


def read_frame(stream: BinaryIO) -> tuple[str, Any] | None:
    header = stream.read(HEADER.size)
    if len(header) < HEADER.size:
        return None
    size = HEADER.unpack(header)[0]
    body = stream.read(size)
    if len(body) < size:
        return None
    return pickle.loads(body)


def write_frame(stream: BinaryIO, message: tuple[str, Any]) -> None:
    data = pickle.dumps(message, pickle.HIGHEST_PROTOCOL)
    stream.write(HEADER.pack(len(data)) + data)
    stream.flush()


def die_with_parent(parent: int) -> None:
    """SIGKILL from the kernel when the worker ends (Linux); gone already: exit now."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        sys.exit(0)


def build_matcher(spec: MatcherSpec, threshold: float) -> IntentMatcher:
    matcher = spec.shared()
    matcher.threshold = threshold
    return matcher


def learn(matcher: IntentMatcher, lesson: Lesson, *, calibrate: bool = True) -> None:
    """As bot/learned.py's `_apply` does on the worker: forget, learn, then fit (the fit cache has it)."""
    examples, forget = lesson
    matcher.learn([], forget, calibrate=False)
    matcher.learn(examples, calibrate=calibrate)


def replay(matcher: IntentMatcher, lessons: Sequence[Lesson]) -> None:
    """A new child's lessons, in the worker's order, with one fit at the end: a fit after each was
    quadratic (300 lessons took 19 s to ready). The learned set is the same, so is the fit."""
    for lesson in lessons:
        learn(matcher, lesson, calibrate=False)
    if lessons:
        for _ in matcher.calibrating():
            pass


def child_main(parent: int) -> int:
    die_with_parent(parent)
    # A terminal's ^C and systemd's stop (SIGTERM to the whole cgroup) stop the worker, which closes our
    # input (or its end sends PDEATHSIG); a profiler's toggles (bench) are the worker's.
    for ignored in (signal.SIGINT, signal.SIGTERM, signal.SIGUSR1, signal.SIGUSR2):
        signal.signal(ignored, signal.SIG_IGN)
    source, sink = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # the frames own stdout
    try:
        return serve(source, sink)
    except Exception as exc:  # outside a text's `classify` (a lesson, the init, a frame): the child ends
        report_failure(sink, exc)
        return 1


def report_failure(sink: BinaryIO, exc: Exception) -> None:
    """Tell the worker, which logs it, that the child failed and why in one line without the texts: the
    exception's type and where our code met it (`describe_failure`), not Python's traceback on the worker's
    stderr, whose message may quote a customer's words. Its exit then has the worker start another (`_ended`);
    a worker gone, nobody is told."""
    with contextlib.suppress(OSError, ValueError):
        write_frame(sink, ("failed", describe_failure(exc)))


def serve(source: BinaryIO, sink: BinaryIO) -> int:
    """Build the matcher the worker's first frame describes, then answer its frames until its input closes."""
    first = read_frame(source)
    if first is None or first[0] != "init":
        return 1
    spec, threshold, lessons = first[1]
    matcher = build_matcher(spec, threshold)
    replay(matcher, lessons)
    write_frame(sink, ("ready", None))
    classify = matcher.classify
    while (message := read_frame(source)) is not None:
        kind, body = message
        if kind == "classify":
            answers: list[tuple[int, Result | None]] = []
            for request, text in body:
                try:
                    m = classify(text)
                except Exception:  # this text only: the worker classifies it itself (no text in a log)
                    answers.append((request, None))
                    continue
                answers.append((request, (m.intent, m.confidence, m.order_no, m.case_no, m.decision)))
            write_frame(sink, ("done", answers))
        elif kind == "learn":
            learn(matcher, body)
    return 0


if __name__ == "__main__":
    sys.exit(child_main(int(sys.argv[1])))
