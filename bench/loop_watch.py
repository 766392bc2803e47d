"""The event loop's turns and the garbage collector's pauses in a bench server (`webhook.py --stalls`).

With 50 senders that each wait for their answer, a message's latency is about its number of turns of
the event loop (each `await` that really suspends puts it behind every other ready request) times the
length of a turn, plus whatever stops the loop outright (a collection, a long callback, the machine
taking the core away). A task in the server sleeps `PERIOD_S` again and again and records how late it
woke: that lateness is the turn it waited for (or the stall). The collector's pauses come from
`gc.callbacks`. Both are written, stamped with the wall clock, to `$BENCH_LOOP_WATCH/<name>-<pid>.json`
when the app shuts down; the client keeps the records inside its measured windows (`summary`).
uvloop's timers count whole milliseconds, so an idle loop's lateness reads anywhere from -1 to +1 ms:
a turn p50 under a millisecond is the timer's resolution, not a figure of the loop; the long turns
(over 5 and 20 ms) are what it measures.

The sampling task costs a wake-up per turn (at most one per `PERIOD_S`): off unless asked for, so
the CPU per message of a normal run does not include it.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import os
import time
from pathlib import Path
from typing import Any

ENV = "BENCH_LOOP_WATCH"
PERIOD_S = 0.001
STALL_S = (0.005, 0.020)


def attach(app: Any, name: str) -> None:
    """Watch the loop that runs `app` (an aiohttp Application) when `$BENCH_LOOP_WATCH` names a folder."""
    folder = os.environ.get(ENV)
    if not folder:
        return
    turns: list[tuple[float, float]] = []
    pauses: list[tuple[float, int, float]] = []
    began: list[float] = []

    def on_gc(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            began[:] = [time.perf_counter()]
        elif began:
            pauses.append((time.time(), info["generation"], time.perf_counter() - began.pop()))

    async def sample() -> None:
        while True:
            before = time.perf_counter()
            await asyncio.sleep(PERIOD_S)
            turns.append((time.time(), time.perf_counter() - before - PERIOD_S))

    async def watch(app: Any) -> Any:
        gc.callbacks.append(on_gc)
        task = asyncio.get_running_loop().create_task(sample())
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        gc.callbacks.remove(on_gc)
        path = Path(folder) / f"{name}-{os.getpid()}.json"
        path.write_text(json.dumps({"turns": turns, "pauses": pauses}))

    app.cleanup_ctx.append(watch)


def summary(folder: Path, name: str, windows: list[tuple[float, float]]) -> dict[str, Any] | None:
    """The turns and pauses of server `name` (all its processes) inside the measured `windows` (wall clock).
    The shares of time in long turns are of all its loops' time (`serve --workers N` runs N loops through
    each window), so N workers stalled half the time read 50%, not N times that."""
    turns: list[float] = []
    pauses: dict[int, list[float]] = {}
    loops = 0
    for path in sorted(folder.glob(f"{name}-*.json")):
        data = json.loads(path.read_text())
        kept = [late for at, late in data["turns"] if any(start <= at <= end for start, end in windows)]
        turns += kept
        loops += bool(kept)
        for at, generation, paused in data["pauses"]:
            if any(start <= at <= end for start, end in windows):
                pauses.setdefault(generation, []).append(paused)
    if not turns:
        return None
    ordered = sorted(turns)
    seconds = loops * sum(end - start for start, end in windows)
    figures: dict[str, Any] = {
        "turns": len(ordered),
        "turn_p50_ms": round(1000 * ordered[len(ordered) // 2], 2),
        "turn_p99_ms": round(1000 * ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))], 2),
        "turn_max_ms": round(1000 * ordered[-1], 1),
    }
    for limit in STALL_S:
        over = [late for late in ordered if late > limit]
        figures[f"over_{limit * 1000:g}ms"] = len(over)
        figures[f"over_{limit * 1000:g}ms_share"] = round(sum(over) / seconds, 4) if seconds else None
    figures["gc"] = {f"gen{generation}": {"n": len(paused), "total_ms": round(1000 * sum(paused), 1),
                                          "max_ms": round(1000 * max(paused), 2)}
                     for generation, paused in sorted(pauses.items())}
    return figures


def describe(name: str, figures: dict[str, Any] | None) -> str:
    if figures is None:
        return f"loop ({name}): no samples in the measured windows"
    collections = ", ".join(f"{gen} {g['n']} ({g['total_ms']:g} ms, longest {g['max_ms']:g})"
                            for gen, g in figures["gc"].items()) or "none"
    return (f"loop ({name}): turn p50 {figures['turn_p50_ms']:g} ms, p99 {figures['turn_p99_ms']:g} ms, longest "
            f"{figures['turn_max_ms']:g} ms; turns over 5 ms {figures['over_5ms']} "
            f"({100 * (figures['over_5ms_share'] or 0):.1f}% of the time), over 20 ms {figures['over_20ms']} "
            f"({100 * (figures['over_20ms_share'] or 0):.1f}%); collections: {collections}")
