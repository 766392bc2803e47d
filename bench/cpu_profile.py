"""Where a bench server's CPU goes, by Python function (`webhook.py --profile`).

py-spy is not installed here, and cProfile charges every call it counts: on the message path, made of
many small calls, it made classification look seven times dearer than it is. This samples by CPU time
instead: `ITIMER_PROF` sends SIGPROF after every `PERIOD_S` of the process's CPU (an idle process gets
none), and the handler charges the process's CPU since the previous sample to the main thread's stack.
Signals that arrive while C code runs are merged into one, handled when the interpreter is back: that
one sample carries the whole stretch's CPU, so long C calls are not undercounted.

The handler runs between two bytecodes, so CPU spent in C (SQLite, hashing, the kernel's socket work
on our behalf) is charged to the Python frame that called it, and the event loop's own C work (uvloop
reading sockets and calling back) to the callback it runs next. Threads other than the main one are
charged to the main thread's stack too (the embedded bot runs its SQLite inline: there are none busy).

The client turns sampling on and off with SIGUSR1 and SIGUSR2 at each of its measured windows, so
start-up, warm-up and shut-down are left out; each server writes its stacks to
`$BENCH_CPU_PROFILE/<name>-<pid>.json` as it exits. Off unless asked for (a signal per sample).
"""

from __future__ import annotations

import atexit
import json
import os
import signal
import time
from collections import Counter
from pathlib import Path
from types import FrameType
from typing import Any

ENV = "BENCH_CPU_PROFILE"
PERIOD_S = 0.001
START, STOP = signal.SIGUSR1, signal.SIGUSR2


def frame_name(frame: FrameType) -> str:
    """`folder/file.py:function`: short, and the same in two worktrees of the repository."""
    code = frame.f_code
    return "/".join(code.co_filename.split("/")[-2:]) + ":" + code.co_name


class Sampler:
    """Microseconds of the process's CPU by the main thread's stack, sampled every `period_s` of it
    while started."""

    def __init__(self, period_s: float = PERIOD_S) -> None:
        self.period_s = period_s
        self.stacks: Counter[tuple[str, ...]] = Counter()
        self._last = 0.0

    def start(self) -> None:
        self._last = time.process_time()
        signal.signal(signal.SIGPROF, self._sample)
        signal.setitimer(signal.ITIMER_PROF, self.period_s, self.period_s)

    def stop(self) -> None:
        signal.setitimer(signal.ITIMER_PROF, 0, 0)
        signal.signal(signal.SIGPROF, signal.SIG_IGN)

    def _sample(self, _signum: int, frame: FrameType | None) -> None:
        names = []
        while frame is not None:
            names.append(frame_name(frame))
            frame = frame.f_back
        now = time.process_time()
        self.stacks[tuple(reversed(names))] += round((now - self._last) * 1e6)
        self._last = now


def attach(name: str) -> None:
    """In a bench server: sample between SIGUSR1 and SIGUSR2, written at exit, when `$BENCH_CPU_PROFILE`
    names a folder."""
    folder = os.environ.get(ENV)
    if not folder:
        return
    sampler = Sampler()
    signal.signal(START, lambda *_: sampler.start())
    signal.signal(STOP, lambda *_: sampler.stop())

    def write() -> None:
        sampler.stop()
        dump(sampler, Path(folder) / f"{name}-{os.getpid()}.json")

    atexit.register(write)


def dump(sampler: Sampler, path: Path) -> None:
    path.write_text(json.dumps([[list(stack), n] for stack, n in sampler.stacks.items()]))


def toggle(pids: list[int], on: bool) -> None:
    """Start (or stop) sampling in these processes."""
    for pid in pids:
        try:
            os.kill(pid, START if on else STOP)
        except ProcessLookupError:
            pass


def summary(folder: Path, name: str) -> dict[str, Any] | None:
    """The samples of every `name` process: their CPU, and per function its share of it in all
    (inclusive: the function or anything it called) and on its own (the innermost frame)."""
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for path in sorted(folder.glob(f"{name}-*.json")):
        for stack, n in json.loads(path.read_text()):
            total += n
            own[stack[-1]] += n
            for function in set(stack):
                inclusive[function] += n
    if not total:
        return None
    return {"cpu_s": round(total / 1e6, 3),
            "inclusive": {f: round(n / total, 4) for f, n in inclusive.most_common()},
            "own": {f: round(n / total, 4) for f, n in own.most_common()}}


def describe(name: str, figures: dict[str, Any] | None, top: int = 40) -> str:
    if figures is None:
        return f"{name}: no CPU sampled in the measured windows"
    everywhere = {f for f, share in figures["inclusive"].items() if share >= 0.999}  # the loop, the script
    lines = [f"{name}: {figures['cpu_s']:g} s of CPU, sampled every {PERIOD_S * 1000:g} ms; share inclusive / own:"]
    shown = [(f, s) for f, s in figures["inclusive"].items() if f not in everywhere][:top]
    lines += [f"  {share * 100:5.1f}% / {figures['own'].get(f, 0.0) * 100:4.1f}%  {f}" for f, share in shown]
    return "\n".join(lines)
