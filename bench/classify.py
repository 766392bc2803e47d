"""Latency of IntentMatcher.classify, per message, at first sight.

Every customer message is classified before anything else happens, inside a 20-second answer
budget shared with the network and the agents, so classification must stay well under a
millisecond. Run: `.venv/bin/python bench/classify.py [rounds]` from the repository root; it
prints load time and p50/p99/max per classification over the load corpus (bench/corpus.tsv, real
customer wording), with the matcher's memory of recent messages off (`cache_size=0`): every
classification is a first sight, as for a message the shop has not seen lately.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from anywhere, without installing the project

from bot.intents import IntentMatcher, warm_up_jieba  # noqa: E402

CORPUS = ROOT / "bench" / "corpus.tsv"  # text<TAB>intent<TAB>path, no header


def _texts() -> list[str]:
    lines = CORPUS.read_text(encoding="utf-8").splitlines()
    return [line.split("\t")[0] for line in lines if line.strip()]


def _timed(matcher: IntentMatcher, texts: list[str]) -> list[int]:
    samples = []
    for text in texts:
        t0 = time.perf_counter_ns()
        matcher.classify(text)
        samples.append(time.perf_counter_ns() - t0)
    return samples


def _report(label: str, samples: list[int]) -> None:
    samples = sorted(samples)
    p50, p99 = samples[len(samples) // 2] / 1000, samples[int(len(samples) * 0.99)] / 1000
    print(f"{label}: p50 {p50:.1f} us, p99 {p99:.1f} us, mean {statistics.fmean(samples) / 1000:.1f} us, "
          f"max {samples[-1] / 1000:.1f} us")


def main(rounds: int = 20) -> None:
    started = time.perf_counter()
    warm_up_jieba()
    matcher = IntentMatcher.from_yaml(ROOT / "scripts_zh" / "intents.yaml", cache_size=0)
    print(f"load (jieba + yaml + index): {time.perf_counter() - started:.2f} s")
    texts = _texts()
    _timed(matcher, texts)  # jieba's and re's own caches warm, as in a server that has been up a while
    samples = [sample for _ in range(rounds) for sample in _timed(matcher, texts)]
    _report(f"{len(texts)} corpus messages x {rounds} rounds, first sight (no message cache)", samples)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
