"""The bench's loop watch (bench/loop_watch.py) reports each server's stalls as a share of its loops' time."""

from __future__ import annotations

import json
from pathlib import Path

from bench import loop_watch


def write_loop(folder: Path, pid: int, turns: list[tuple[float, float]]) -> None:
    (folder / f"bot-{pid}.json").write_text(json.dumps({"turns": turns, "pauses": [[100.5, 0, 0.002]]}))


def test_the_share_of_time_in_long_turns_is_of_every_workers_loop(tmp_path: Path) -> None:
    # Each of two workers waits 0.1 s five times within the one-second window: half its time stalled.
    stalled = [(100.0 + n / 5, 0.1) for n in range(1, 6)]
    for pid in (11, 12):
        write_loop(tmp_path, pid, [*stalled, (99.0, 0.5), (102.0, 0.5)])  # outside the window: left out
    figures = loop_watch.summary(tmp_path, "bot", [(100.0, 101.0)])
    assert figures is not None
    assert figures["turns"] == 10 and figures["over_20ms"] == 10
    assert figures["over_20ms_share"] == 0.5 and figures["over_5ms_share"] == 0.5
    assert figures["gc"] == {"gen0": {"n": 2, "total_ms": 4.0, "max_ms": 2.0}}


def test_a_worker_without_turns_in_the_windows_does_not_dilute_the_share(tmp_path: Path) -> None:
    write_loop(tmp_path, 11, [(100.5, 0.25)])
    write_loop(tmp_path, 12, [(102.0, 0.25)])  # only after the window (it started late or the turn ran past it)
    figures = loop_watch.summary(tmp_path, "bot", [(100.0, 101.0)])
    assert figures is not None and figures["over_5ms_share"] == 0.25
    assert loop_watch.summary(tmp_path, "bot", [(90.0, 91.0)]) is None
