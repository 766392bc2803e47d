"""The bench's CPU sampler (bench/cpu_profile.py) charges CPU to the functions that spent it, C calls included."""

from __future__ import annotations

import hashlib
import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from bench import cpu_profile


def python_work(seconds: float) -> None:
    started = time.process_time()
    while time.process_time() - started < seconds:
        sum(range(200))


#: CPU seconds of Python work the first test spends beside one long C call (kept small: every xdist
#: worker that runs it pays it)
PYTHON_S = 0.08


def c_work(data: bytes) -> float:
    """One call into C (no bytecode runs inside it); its CPU seconds."""
    started = time.process_time()
    hashlib.sha256(data).digest()
    return time.process_time() - started


def measure(folder: str) -> tuple[float, float, float]:
    """The sampler around Python work and one long C call: their shares and the C call's CPU seconds. Run in
    a process of its own: the profile timer counts every thread's CPU, and a pytest worker keeps threads of
    earlier tests (database and executor threads) whose CPU would be charged to whatever the main thread runs
    (in loaded suite runs the C call's share came out 40-50% high)."""
    data = b"x" * 40_000_000
    sampler = cpu_profile.Sampler()
    sampler.start()
    try:
        python_work(PYTHON_S)
        c_seconds = c_work(data)  # tens of signals merged into one sample
    finally:
        sampler.stop()
    cpu_profile.dump(sampler, Path(folder) / "bot-1.json")
    figures = cpu_profile.summary(Path(folder), "bot")
    assert figures is not None
    shares = figures["inclusive"]
    here = f"{Path(__file__).parent.name}/{Path(__file__).name}"
    return shares[f"{here}:python_work"], shares[f"{here}:c_work"], c_seconds


def test_cpu_is_charged_to_the_function_that_spent_it_and_one_long_c_call_counts_whole(tmp_path: Path) -> None:
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as child:
        python_share, c_share, c_seconds = child.submit(measure, str(tmp_path)).result()
    assert python_share + c_share > 0.9
    assert abs(c_share / python_share - c_seconds / PYTHON_S) < 0.35 * c_seconds / PYTHON_S


def test_the_summary_adds_every_process_of_a_name_and_the_description_skips_frames_in_every_sample(
        tmp_path: Path) -> None:
    (tmp_path / "bot-1.json").write_text('[[["run", "handle", "classify"], 600], [["run", "handle"], 200]]')
    (tmp_path / "bot-2.json").write_text('[[["run", "write"], 200]]')
    (tmp_path / "ceiling-3.json").write_text('[[["run", "echo"], 500]]')
    figures = cpu_profile.summary(tmp_path, "bot")
    assert figures == {"cpu_s": 0.001,
                       "inclusive": {"run": 1.0, "handle": 0.8, "classify": 0.6, "write": 0.2},
                       "own": {"classify": 0.6, "handle": 0.2, "write": 0.2}}
    text = cpu_profile.describe("bot", figures)
    assert "run" not in text.replace("bot:", "") and "80.0% / 20.0%  handle" in text
    assert cpu_profile.summary(tmp_path, "werobot") is None
