"""Intent decisions on labelled messages: accuracy, confidently-wrong and ask rate per threshold, and
latency per message seen for the first time.

Every customer message is classified before anything else happens, inside a 20-second answer
budget shared with the network and the agents, so classification must stay well under a
millisecond; and the threshold must trade questions for wrong answers, which the table shows.

Run from the repository root:
    .venv/bin/python bench/classify.py [--holdout PATH] [--cv] [--shop PATH... [--learn N] [--splits N]] [--rounds N]
        [--learned N] [--baseline ROOT]
`--holdout` (default tests/data/holdout_independent.tsv: messages written by another author without
looking at the training corpus; never trained on) is a TSV with a header, text TAB intent. `--cv`
also prints the table for 5-fold cross-validation of the training corpus by phrase group (about a
minute). `--shop` takes shops' labelled messages (same format, one file per shop): the first N (default 200;
`--start K`: from line K+1 on, the rest wrapping round; `--splits S`: from S starting lines spread over
the file, each learned into its own database, then a summary of mean and worst) are learned as that shop's examples with
`main.py intents learn` (into a temporary SQLite database), and the table for the rest is printed
before and after, as a worker's matcher decides with the
stored examples loaded. Latency is timed on the load corpus (bench/corpus.tsv) with every cache cleared
before each message: no message is ever answered from a cache keyed by its own text; printed as
wall-clock time, as the classifying thread's CPU time (what a message costs the bot, apart from
waiting for a core on a busy machine), and per message as the least CPU time of its rounds (the
steadiest figure to compare two versions with on a shared machine). `--learned N` times it with N
learned examples generated from the yaml's phrases (bench/startup.py), as a shop's worker holds
them. `--baseline ROOT` also times every message, in turn, with the matcher of another checkout (a
worktree of main, in a process of its own) and prints both sides' least CPU per message and their
ratios: the two meet the same minutes of a machine whose speed drifts.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from anywhere, without installing the project

from bot.cli import main as cli_main  # noqa: E402
from bot.commands import Command  # noqa: E402
from bot.config import load_settings  # noqa: E402
from bot.intent_eval import (  # noqa: E402
    FINE_THRESHOLDS,
    Outcome,
    accuracy_at,
    cross_validate,
    format_table,
    ranked_right,
    read_rows,
    score,
    shop_split,
    split_starts,
    threshold_table,
)
from bot.intents import DEFAULT_THRESHOLD, TRAINING_FILE, IntentMatcher, precedence_of, warm_up_jieba  # noqa: E402
from bot.runtime import Runtime  # noqa: E402
from handlers import EXTENSIONS  # noqa: E402

YAML = ROOT / "scripts_zh" / "intents.yaml"
DEFAULT_HOLDOUT = ROOT / "tests" / "data" / "holdout_independent.tsv"
REGRESSION_SET = ROOT / "tests" / "data" / "intents_holdout.tsv"  # older set the rules were tuned on
CORPUS = ROOT / "bench" / "corpus.tsv"  # the load corpus (text<TAB>intent<TAB>path): latency is timed on it


def _first_sight(matcher: IntentMatcher, texts: list[str], rounds: int) -> tuple[list[int], list[int]]:
    """Wall-clock and CPU nanoseconds per message (CPU: this thread's, so a busy machine's waiting
    for a core is not counted)."""
    wall, cpu = [], []
    for _ in range(rounds):
        for text in texts:
            matcher.forget_decisions()
            c0, t0 = time.thread_time_ns(), time.perf_counter_ns()
            matcher.classify(text)
            wall.append(time.perf_counter_ns() - t0)
            cpu.append(time.thread_time_ns() - c0)
    return wall, cpu


# One side of `--baseline`: a checkout's matcher in a process of its own, timing the texts it is sent
# one by one (a line of JSON in, the classifying thread's CPU nanoseconds out).
_SIDE = """
import json, sys, time
from pathlib import Path
root = Path(sys.argv[1])
sys.path.insert(0, str(root))
from bot.intents import IntentMatcher, precedence_of
from handlers import EXTENSIONS
matcher = IntentMatcher.from_yaml(root / "scripts_zh" / "intents.yaml", precedence_of(EXTENSIONS), cache_size=0)
if int(sys.argv[2]):
    from bench.startup import generated_examples
    matcher.learn(generated_examples(int(sys.argv[2]), "classify"))
print("ready", flush=True)
for line in sys.stdin:
    text = json.loads(line)
    started = time.thread_time_ns()
    matcher.classify(text)
    print(time.thread_time_ns() - started, flush=True)
"""


class _Side:
    """A checkout's matcher in a child process (`_SIDE`), timing one text at a time."""

    def __init__(self, root: Path, learned: int) -> None:
        self.root = root.resolve()
        self._process = subprocess.Popen(
            [sys.executable, "-c", _SIDE, str(self.root), str(learned)], cwd=self.root,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, encoding="utf-8",
        )
        if self._readline().strip() != "ready":
            raise SystemExit(f"{root}: its matcher did not start (exit {self._process.wait()})")

    def _readline(self) -> str:
        assert self._process.stdout is not None
        return self._process.stdout.readline()

    def time(self, text: str) -> int:
        assert self._process.stdin is not None
        self._process.stdin.write(json.dumps(text) + "\n")
        self._process.stdin.flush()
        return int(self._readline())

    def close(self) -> None:
        assert self._process.stdin is not None
        self._process.stdin.close()
        self._process.wait()


def _paired(baseline: Path, texts: list[str], rounds: int, learned: int) -> None:
    """First sight of every message timed by this checkout's matcher and by `baseline`'s, one right
    after the other (which goes first alternates), so both meet the same minute of a machine whose
    speed drifts 2x within minutes; per message the least CPU time of its rounds on each side.

    Each side is a process of its own, started alike (a matcher timed in this process measured about
    10% faster than the same code in a child; and two matchers in one process share jieba's
    dictionary, which each changes by adding its words); neither keeps a decision cache."""
    sides = [_Side(baseline, learned), _Side(ROOT, learned)]
    least = [[math.inf] * len(texts) for _ in sides]
    try:
        for r in range(rounds):
            for i, text in enumerate(texts):
                for s in (0, 1) if (r + i) % 2 else (1, 0):
                    least[s][i] = min(least[s][i], sides[s].time(text))
    finally:
        for side in sides:
            side.close()
    base, new = least
    label = f"per message, the least CPU time of its {rounds} rounds, timed in turn with"
    _report(f"{label} the other: {sides[0].root} (baseline)", base)
    _report(f"{label} the other: {sides[1].root} (this checkout)", new)
    ratios = sorted(n / b for n, b in zip(new, base, strict=True))
    print(f"this checkout / baseline: the sums {sum(new) / sum(base):.3f}, the medians "
          f"{sorted(new)[len(new) // 2] / sorted(base)[len(base) // 2]:.3f}, the p99s "
          f"{sorted(new)[int(len(new) * 0.99)] / sorted(base)[int(len(base) * 0.99)]:.3f}; "
          f"per message median {ratios[len(ratios) // 2]:.3f}")


def _report(label: str, samples: list[int]) -> None:
    samples = sorted(samples)
    p50, p99 = samples[len(samples) // 2] / 1000, samples[int(len(samples) * 0.99)] / 1000
    print(f"{label}: p50 {p50:.0f} us, p99 {p99:.0f} us, mean {statistics.fmean(samples) / 1000:.0f} us, "
          f"max {samples[-1] / 1000:.0f} us")


Scored = list[tuple[str, float, str]]  # (intent, confidence, gold) per measured message


def _shop(path: Path, count: int, start: int = 0) -> tuple[Scored, Scored]:
    """The shop's other messages before and after learning `count` labelled ones from line `start` on
    (0: the first), through the path a shop uses: `main.py intents learn` (PII stripped, stored in a
    database) into a fresh SQLite database, then the runtime's matcher as a worker loads it (learned
    examples included). Returns each measured message's (intent, confidence, gold), before and after."""
    learned, rest = shop_split(read_rows(path), count, start)
    with tempfile.TemporaryDirectory(prefix="classify-shop-") as tmp:
        os.environ["DATABASE_URL"] = f"sqlite://{Path(tmp) / 'shop.sqlite3'}"
        os.environ.pop("REDIS_URL", None)  # this process alone: the in-memory store
        command = Command(load_settings(), EXTENSIONS)
        scored: list[Scored] = []

        async def measure(runtime: Runtime) -> int:
            runtime.matcher.forget_decisions()
            classify = runtime.matcher.classify
            scored.append([(m.intent, m.confidence, r.intent) for r in rest for m in [classify(r.text)]])
            return 0

        command.run(measure)
        labelled = Path(tmp) / "learn.tsv"
        labelled.write_text("".join(f"{r.text}\t{r.intent}\n" for r in learned), encoding="utf-8")
        started = time.perf_counter()
        if cli_main(["intents", "learn", str(labelled)]) != 0:
            raise SystemExit(f"{path}: `intents learn` refused {count} rows from line {start + 1}")
        took = time.perf_counter() - started
        command.run(measure)
    before, after = (threshold_table(s) for s in scored)
    print(f"\n{path}: {len(rest)} messages besides the {len(learned)} from line {start + 1}, before learning:")
    print(format_table(before))
    print(f"`intents learn` of {len(learned)} took {took:.2f} s (with opening the runtime); after learning:")
    print(format_table(after))
    b, a = (next(o for o in table if o.threshold == DEFAULT_THRESHOLD) for table in (before, after))
    print(f"at {b.threshold}: accuracy {b.accuracy:.1%} -> {a.accuracy:.1%} "
          f"({(a.accuracy - b.accuracy) * 100:+.1f} points), confidently wrong "
          f"{b.confidently_wrong:.1%} -> {a.confidently_wrong:.1%}, asks {b.ask_rate:.1%} -> {a.ask_rate:.1%}")
    return scored[0], scored[1]


def _at_default(scored: Scored) -> Outcome:
    return threshold_table(scored, (DEFAULT_THRESHOLD,))[0]


def _equal_wrong_gain(before: Scored, after: Scored) -> tuple[float, float]:
    """What learning gained at the default threshold, and what it gained at the same rate of confident
    mistakes (the accuracy before learning taken at the rate after learning, by a threshold of its own):
    a gain that confidence alone bought moves along the trade-off and shows in the first only."""
    b, a = _at_default(before), _at_default(after)
    return a.accuracy - b.accuracy, a.accuracy - accuracy_at(threshold_table(before, FINE_THRESHOLDS),
                                                             a.confidently_wrong)


def _shops(paths: list[Path], count: int, start: int, splits: int) -> None:
    """Every shop file on `splits` splits, then a summary at the default threshold: per shop the mean
    over its splits and its worst split, and over the shops the mean and the worst (what a mechanism
    must be judged on: one shop's one split moves by a few points)."""
    results: dict[Path, list[tuple[Scored, Scored]]] = {}
    for path in paths:
        results[path] = [_shop(path, count, s) for s in split_starts(len(read_rows(path)), splits, start)]
    print(f"\nat {DEFAULT_THRESHOLD}, learning {count} from {splits} split(s) per shop: accuracy / confidently wrong "
          "before -> after (gain; worst split's gain, worst split's confidently wrong after; the gain at the same "
          "confidently wrong, its splits pooled)")
    rows = []
    for path, scored in results.items():
        pairs = [(_at_default(b), _at_default(a)) for b, a in scored]
        ba, aa = (statistics.fmean(pair[i].accuracy for pair in pairs) for i in (0, 1))
        bw, aw = (statistics.fmean(pair[i].confidently_wrong for pair in pairs) for i in (0, 1))
        worst_gain = min(a.accuracy - b.accuracy for b, a in pairs)
        worst_wrong = max(a.confidently_wrong for _, a in pairs)
        _, equal = _equal_wrong_gain([m for b, _ in scored for m in b], [m for _, a in scored for m in a])
        rows.append((ba, bw, aa, aw))
        print(f"  {path.stem:20s} {ba:6.1%} / {bw:4.1%} -> {aa:6.1%} / {aw:4.1%} ({(aa - ba) * 100:+.1f}; "
              f"worst {worst_gain * 100:+.1f}, {worst_wrong:.1%}; {equal * 100:+.1f} at the same)")
    if len(rows) > 1:
        gains = [aa - ba for ba, _, aa, _ in rows]
        print(f"  {'mean of ' + str(len(rows)):20s} {statistics.fmean(r[0] for r in rows):6.1%} / "
              f"{statistics.fmean(r[1] for r in rows):4.1%} -> {statistics.fmean(r[2] for r in rows):6.1%} / "
              f"{statistics.fmean(r[3] for r in rows):4.1%} ({statistics.fmean(gains) * 100:+.1f}); worst shop: "
              f"gain {min(gains) * 100:+.1f}, accuracy {min(r[2] for r in rows):.1%}, "
              f"confidently wrong {max(r[3] for r in rows):.1%}; confidently wrong up on "
              f"{sum(r[3] > r[1] for r in rows)} of {len(rows)}")
        before = [m for scored in results.values() for b, _ in scored for m in b]
        after = [m for scored in results.values() for _, a in scored for m in a]
        gain, equal = _equal_wrong_gain(before, after)
        print(f"  all {len(before)} measured messages pooled: ranked first right {ranked_right(before):.1%} -> "
              f"{ranked_right(after):.1%}; at {DEFAULT_THRESHOLD} {gain * 100:+.1f} points, at the same "
              f"confidently wrong {equal * 100:+.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--holdout", type=Path, default=DEFAULT_HOLDOUT)
    parser.add_argument("--cv", action="store_true", help="also cross-validate the training corpus")
    parser.add_argument("--shop", type=Path, nargs="+",
                        help="shops' labelled messages (one file per shop): learn N of each, measure the rest")
    parser.add_argument("--learn", type=int, default=200, help="how many of --shop to learn")
    parser.add_argument("--start", type=int, default=0, help="learn --shop's lines from this one on (0: the first)")
    parser.add_argument("--splits", type=int, default=1,
                        help="learn from this many starting lines spread over each --shop file (from --start on)")
    parser.add_argument("--rounds", type=int, default=3, help="latency rounds over the messages")
    parser.add_argument("--learned", type=int, default=0,
                        help="time first sight with this many learned examples (generated from templates)")
    parser.add_argument("--baseline", type=Path,
                        help="also time first sight in turn with another checkout's matcher (its worktree)")
    args = parser.parse_args()
    if args.start < 0:
        parser.error(f"--start {args.start}: a line number counted from 0")
    if args.splits < 1:
        parser.error(f"--splits {args.splits}: at least 1")
    for shop in args.shop or ():
        if args.start >= (lines := len(read_rows(shop))):
            parser.error(f"--start {args.start}: {shop} has {lines} messages (--start 0 to {lines - 1})")

    started = time.perf_counter()
    warm_up_jieba()
    jieba_s = time.perf_counter() - started
    precedence = precedence_of(EXTENSIONS)
    matcher = IntentMatcher.from_yaml(YAML, precedence)
    print(f"start-up: jieba {jieba_s:.2f} s, matcher {time.perf_counter() - started - jieba_s:.2f} s "
          "(model from the cache when the data did not change)")

    texts: list[str] = []
    if not args.holdout.exists():
        print(f"\n{args.holdout} not found: using {REGRESSION_SET.name} (the rules were tuned on it)")
        args.holdout = REGRESSION_SET
    if args.holdout.exists():
        rows = read_rows(args.holdout)
        texts = [r.text for r in rows]
        scored = []
        for r in rows:
            match = matcher.classify(r.text)
            scored.append((match.intent, match.confidence, r.intent))
        print(f"\n{args.holdout} ({len(rows)} messages), decision = intent when confidence >= threshold:")
        print(format_table(threshold_table(scored)))

    if args.cv:
        training = read_rows(YAML.parent / TRAINING_FILE)
        records = cross_validate(YAML, precedence, training)
        scored = score(matcher.blend, precedence, matcher.intents, records)
        print(f"\ncross-validation of {TRAINING_FILE} by phrase group ({len(records)} messages):")
        print(format_table(threshold_table(scored)))
        texts = texts or [r.text for r in training]

    if args.shop:
        _shops(args.shop, args.learn, args.start, args.splits)

    if CORPUS.exists():
        texts = [line.split("\t")[0] for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    if args.learned:
        from bench.startup import generated_examples

        matcher = matcher.fork()
        matcher.learn(generated_examples(args.learned, "classify"))
        print(f"\nfirst sight with {args.learned} learned examples generated from the yaml's phrases "
              "(bench/startup.py): the neighbour vote and the correction included")
    if texts:
        print()
        wall, cpu = _first_sight(matcher, texts, args.rounds)
        _report(f"{len(texts)} messages x {args.rounds} rounds, first sight (caches cleared), wall clock", wall)
        _report("the same, CPU time of the classifying thread", cpu)
        fastest = [min(cpu[i::len(texts)]) for i in range(len(texts))]
        _report(f"per message, the least CPU time of its {args.rounds} rounds (what other load on a shared "
                "machine adds least to)", fastest)
        if args.baseline:
            print()
            _paired(args.baseline, texts, args.rounds, args.learned)


if __name__ == "__main__":
    main()
