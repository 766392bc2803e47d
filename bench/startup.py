"""Start-up and learning with a shop's 1,000 learned examples, timed from outside the process.

A worker that restarts (a deploy, a crash, one more worker) serves nobody until its matcher holds
the shop's learned examples; a shop that imports its chat log must not stall the customers' messages
meanwhile (docs/intents.md, "Start-up and learning"). Measured here:

1. learning: `intents learn FILE` of N examples (the CLI, a process of its own: wall time from the
   command's start to its exit), and the same number of other examples taught in a running
   worker's runtime (bot/learned.py `teach`, what the console and the CLI call), with the event
   loop's longest stall meanwhile (a task that asks to wake every millisecond records how late it
   woke);
2. start-up: `main.py serve` from the process's start until `/healthz` answers (aiohttp binds the
   port only after the runtime, the matcher and the learned examples are loaded), on a database
   with no learned examples, with the N examples and their fit on disk (bot/intent_cache.py: what
   every restart after the first finds), and with the fit removed (the first start after the
   examples changed: the correction is fitted during start-up). Runs alternate between the three.

The examples are generated from the shop's own templates (the example phrases of
`scripts_zh/intents.yaml`, labelled with their intent, dressed with openers, closers and invented
product names; never shop chat lines), salted per run so no fit from an earlier run is found. The
run removes only its own fits from the shared cache directory (data/cache), whatever happens.

Run from the repository root:
    .venv/bin/python bench/startup.py [--examples 1000] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from anywhere, without installing the project

from bench.webhook import cpu_seconds, free_port  # noqa: E402  (CPU from /proc, which load disturbs less)
from bot.app import freeze_loaded_heap  # noqa: E402
from bot.intent_cache import FitCache  # noqa: E402
from bot.intents import DEFAULT_MODEL_CACHE, UNKNOWN  # noqa: E402

if TYPE_CHECKING:
    from bot.learned import LearnedExamples

YAML = ROOT / "scripts_zh" / "intents.yaml"
MAIN = ROOT / "main.py"
OPENERS = ("", "", "亲 ", "在吗 ", "你好 ", "请问 ", "老板 ", "客服 ")
CLOSERS = ("", "", " 谢谢", " 急", " 麻烦看下", "?", " 在线等", "~")
PRODUCTS = ("保温杯", "蓝牙音箱", "收纳盒", "台灯", "颈枕", "雨伞", "背包", "拖鞋", "围巾", "水杯", "充电宝", "坐垫")
START_TIMEOUT_S = 60.0
POLL_S = 0.01


def generated_examples(count: int, salt: str, skip: int = 0) -> list[tuple[str, str]]:
    """`count` distinct (text, intent) pairs from the yaml's example phrases (after the first `skip`)."""
    data = yaml.safe_load(YAML.read_text(encoding="utf-8"))
    phrases = [(str(text), intent) for intent, spec in (data.get("intents") or {}).items() if intent != UNKNOWN
               for text in (spec or {}).get("examples") or []]
    rng = random.Random(salt)
    seen: dict[str, str] = {}
    while len(seen) < count + skip:
        text, intent = rng.choice(phrases)
        product = f"{rng.choice(PRODUCTS)}{salt}{rng.randint(1, 99)}"
        dressed = f"{rng.choice(OPENERS)}{product} {text}{rng.choice(CLOSERS)}" if rng.random() < 0.5 else \
            f"{rng.choice(OPENERS)}{text}{rng.choice(CLOSERS)}"
        seen.setdefault(dressed, intent)
    return list(seen.items())[skip:]


def child_env(database: Path, port: int | None = None) -> dict[str, str]:
    # the embedded store; bytecode written as a deployment has it (a shell with PYTHONDONTWRITEBYTECODE
    # in a fresh checkout made every timed process compile the project's ~210 modules again)
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "PYTHONDONTWRITEBYTECODE")}
    env.update(DATABASE_URL=f"sqlite://{database}", PYTHONPATH=str(ROOT), LOG_LEVEL="WARNING")
    if port is not None:
        env.update(BOT_HOST="127.0.0.1", BOT_PORT=str(port))
    return env


def learn_by_cli(database: Path, examples: list[tuple[str, str]], directory: Path) -> tuple[float, float]:
    """Wall seconds of `main.py intents learn FILE` (process start to exit), and its CPU seconds."""
    path = directory / "learn.tsv"
    path.write_text("".join(f"{t}\t{i}\n" for t, i in examples), encoding="utf-8")
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, str(MAIN), "intents", "learn", str(path)], cwd=ROOT,
                          env=child_env(database), capture_output=True, text=True, check=False)
    took = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"`intents learn` failed:\n{done.stdout}\n{done.stderr}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return took, after.ru_utime + after.ru_stime - cpu.ru_utime - cpu.ru_stime


def learn_in_worker(database: Path, examples: list[tuple[str, str]], fits: set[str]) -> tuple[float, ...]:
    """Teach `examples` in a runtime as a worker holds it: (seconds, CPU seconds of this process, the
    event loop's longest stall and the 99th percentile of its wake-up lateness, and the longest
    stall counted in the loop thread's CPU time: what a quiet machine would see, on a loaded one
    the wall-clock stalls include waiting for a core). The key of the fit it keeps goes to `fits`."""
    from bot.learned import Labelled

    result: list[float] = []

    async def teach(service: LearnedExamples) -> int:
        lateness: list[float] = []
        busy: list[float] = []  # the loop thread's CPU between two wake-ups of the ticker
        stop = asyncio.Event()

        async def ticker() -> None:
            while not stop.is_set():
                asked, cpu = time.perf_counter(), time.thread_time()
                await asyncio.sleep(0.001)
                lateness.append(time.perf_counter() - asked - 0.001)
                busy.append(time.thread_time() - cpu)

        freeze_loaded_heap()  # as a serving worker does once its runtime is open
        watch = asyncio.create_task(ticker())
        await asyncio.sleep(0.01)
        started, cpu = time.perf_counter(), time.process_time()
        await service.teach([Labelled(t, i) for t, i in examples], source="import")
        took, cpu = time.perf_counter() - started, time.process_time() - cpu
        fits.add(service.matcher.shop_fit_key())
        stop.set()
        await watch
        lateness.sort()
        result.extend([took, cpu, lateness[-1], lateness[int(len(lateness) * 0.99)], max(busy)])
        return 0

    with_learned_examples(database, teach)
    return tuple(result)


def with_learned_examples(database: Path, action: Callable[[LearnedExamples], Awaitable[int]]) -> None:
    """Run `action` in this process with a runtime on `database` (its learned examples loaded, as a
    worker starts)."""
    os.environ.update(child_env(database))
    os.environ.pop("REDIS_URL", None)
    from bot.commands import Command
    from bot.config import load_settings
    from handlers import EXTENSIONS
    from handlers.teaching.service import LEARNED

    Command(load_settings(), EXTENSIONS).run_with(LEARNED, action)


def fit_key_of(database: Path) -> str:
    """The key a worker starting on `database` keeps its shop fit under (fitted here if not kept)."""
    keys: list[str] = []

    async def read(service: LearnedExamples) -> int:
        keys.append(service.matcher.shop_fit_key())
        return 0

    with_learned_examples(database, read)
    return keys[0]


def time_to_healthz(database: Path, log: Path) -> tuple[float, float]:
    """Seconds from starting `main.py serve` until `/healthz` answers 200, and the server's CPU seconds
    by then; the server is then stopped. Its output goes to `log` (a pipe nobody reads while polling
    could fill and stall it)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/healthz"
    started = time.perf_counter()
    with log.open("w", encoding="utf-8") as output:
        process = subprocess.Popen([sys.executable, str(MAIN), "serve"], cwd=ROOT, env=child_env(database, port),
                                   stdout=output, stderr=subprocess.STDOUT)
    try:
        while time.perf_counter() - started < START_TIMEOUT_S:
            if process.poll() is not None:
                tail = log.read_text(encoding="utf-8", errors="replace")[-2000:]
                raise SystemExit(f"`serve` exited with {process.returncode}: {tail}")
            try:
                with urllib.request.urlopen(url, timeout=1) as answer:
                    if answer.status == 200:
                        return time.perf_counter() - started, cpu_seconds(process.pid)
            except OSError:
                time.sleep(POLL_S)
        raise SystemExit(f"`serve` did not answer {url} within {START_TIMEOUT_S} s")
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=1000, help="learned examples (each way of learning)")
    parser.add_argument("--runs", type=int, default=3, help="start-ups of each kind, alternating")
    args = parser.parse_args()
    salt = f"{os.getpid() % 1000}"
    print(f"load average at start {os.getloadavg()[0]:.1f} ({os.cpu_count()} cores): figures are indicative")
    first = generated_examples(args.examples, salt)
    second = generated_examples(args.examples, salt, skip=args.examples)
    cache = FitCache(DEFAULT_MODEL_CACHE)
    fits: set[str] = set()  # this run's shop fits (salted: they help nobody after it)
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        directory = Path(tmp)
        log = directory / "serve.log"
        empty, shop, taught = (directory / f"{name}.sqlite3" for name in ("empty", "shop", "taught"))
        try:
            cli_s, cli_cpu = learn_by_cli(shop, first, directory)
            print(f"`intents learn` of {len(first)} generated examples (a process of its own, start to exit): "
                  f"{cli_s:.2f} s, CPU {cli_cpu:.2f} s")
            took, cpu, stall, p99, busy = learn_in_worker(taught, second, fits)
            print(f"{len(second)} other ones taught in a running runtime (bot/learned.py teach): {took:.2f} s, "
                  f"CPU {cpu:.2f} s; the event loop's longest stall {stall * 1000:.1f} ms (99th percentile of "
                  f"wake-up lateness {p99 * 1000:.1f} ms), in the loop thread's CPU time {busy * 1000:.1f} ms")
            shop_fit = fit_key_of(shop)  # what `serve` on the shop's database loads (kept by the CLI)
            fits.add(shop_fit)
            names = ["no learned examples", f"{len(first)} learned, fit on disk", f"{len(first)} learned, fit removed"]
            kinds: dict[str, list[tuple[float, float]]] = {name: [] for name in names}
            evicted = 0
            time_to_healthz(empty, log)  # creates the empty database's schema (not timed)
            for _ in range(args.runs):
                kinds[names[0]].append(time_to_healthz(empty, log))
                if cache.holds("shop", shop_fit):
                    kinds[names[1]].append(time_to_healthz(shop, log))
                else:  # other fits written meanwhile pushed it out of the newest kept (bot/intent_cache.py)
                    evicted += 1
                cache.remove("shop", shop_fit)
                kinds[names[2]].append(time_to_healthz(shop, log))  # fits again, and keeps it for the next
        finally:
            for key in fits:
                cache.remove("shop", key)
        print(f"\n`main.py serve` start to /healthz answering, {args.runs} runs each:")
        if evicted:
            print(f"  ({evicted} '{names[1]}' runs not timed: the fit was pushed out of the cache by others' fits)")
        print(f"load average at the end {os.getloadavg()[0]:.1f}")
        for name, runs in kinds.items():
            if not runs:
                continue
            wall, cpu = [w for w, _ in runs], [c for _, c in runs]
            print(f"  {name:32s} wall median {statistics.median(wall):.2f} s (min {min(wall):.2f}, max "
                  f"{max(wall):.2f}); the server's CPU median {statistics.median(cpu):.2f} s (min {min(cpu):.2f})")


if __name__ == "__main__":
    main()
