"""Whether two versions of the matcher decide alike: every field of `classify` and the signals behind
it, on every labelled message the repository holds, written to a file per version and compared.

A change made for speed (docs/performance.md, "First-sight classification") must not change a
decision. Run each version from its own worktree with the same hash seed (the order of a set of
n-grams, and so the order of the naive Bayes sums, follows it), then compare:

    PYTHONHASHSEED=0 .venv/bin/python bench/classify_identity.py dump /tmp/new.json
    (cd /tmp/base && PYTHONHASHSEED=0 .venv/bin/python /path/to/bench/classify_identity.py dump /tmp/base.json --root .)
    .venv/bin/python bench/classify_identity.py compare /tmp/base.json /tmp/new.json

Messages: the training corpus, both holdouts, the pets shop's development set, the load corpus and
every shop file in bench/shops/, a few inputs of their own (empty, case and order numbers, pinyin,
traditional and zero-width characters); then, per shop file, its first 200 messages learned by a fork of the
matcher and the rest classified by it (the shop's correction and neighbour vote at work). Compared:
intent, decision, order and case numbers exactly; the confidence and the rules' score within 1e-12,
the model's log-likelihoods within 1e-9 (a change of summation order moves them in the last digits).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

LEARNED = 200  # a shop's messages learned before the rest are classified
FILES = (
    "scripts_zh/intents_train.tsv",
    "tests/data/holdout_independent.tsv",
    "tests/data/intents_holdout.tsv",
    "tests/data/shop_dev_pets.tsv",
)
OWN = (
    "",
    "  ",
    "AS20261123-0001",
    "订单 123456789012345 到哪了",
    "kuaidi dao na le",
    "不是要退货 帮我补发",
    "E2026 1122 00123 退款",
    "你好 我地址填错了能改吗",
    "😀😀",
    "abc",
    "請問這個還有貨嗎",
    "退\u200b款\u00ad到哪了\ufeff",
)
CONFIDENCE_TOLERANCE = 1e-12
LOG_SCORE_TOLERANCE = 1e-9


def dump(root: Path, out: Path) -> None:
    sys.path.insert(0, str(root))  # the version under test, not the one this script came from
    from bot.intent_eval import read_rows
    from bot.intents import IntentMatcher, precedence_of
    from handlers import EXTENSIONS

    # No fit cache: each version fits its own model and shop corrections (a cached fit would hide a
    # change of the fitting, and the bench's fits would push the data directory's own fits out).
    matcher = IntentMatcher.from_yaml(
        root / "scripts_zh" / "intents.yaml", precedence_of(EXTENSIONS), cache_size=0, model_cache=None
    )
    texts = [r.text for name in FILES for r in read_rows(root / name)]
    texts += [
        line.split("\t")[0]
        for line in (root / "bench" / "corpus.tsv").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    shops = sorted((root / "bench" / "shops").glob("*.tsv"))
    texts += [r.text for shop in shops for r in read_rows(shop)]
    texts += OWN

    def fields(m: IntentMatcher, text: str) -> list[object]:
        match, signals = m.classify(text), m.signals(text)
        return [
            match.intent,
            match.decision,
            match.order_no,
            match.case_no,
            match.confidence,
            None if signals is None else [signals[1], signals[2], signals[3], list(signals[0])],
        ]

    dumped = {"general": [fields(matcher, t) for t in texts]}
    for shop in shops:
        rows = read_rows(shop)
        fork = matcher.fork()
        fork.learn([(r.text, r.intent) for r in rows[:LEARNED]], calibrate=False)
        for _ in fork.calibrating():
            pass
        dumped[shop.name] = [fields(fork, r.text) for r in rows[LEARNED:]]
    out.write_text(json.dumps(dumped, ensure_ascii=False), encoding="utf-8")
    print(f"{sum(map(len, dumped.values()))} messages written to {out}")


def _same(a: list, b: list) -> tuple[bool, float]:
    """Whether two messages' fields agree, and how far apart their log-likelihoods are."""
    if a[:4] != b[:4] or abs(a[4] - b[4]) > CONFIDENCE_TOLERANCE or (a[5] is None) != (b[5] is None):
        return False, 0.0
    if a[5] is None:
        return True, 0.0
    (rule_a, score_a, short_a, logs_a), (rule_b, score_b, short_b, logs_b) = a[5], b[5]
    apart = max((abs(x - y) for x, y in zip(logs_a, logs_b, strict=True)), default=0.0)
    same = (rule_a, short_a) == (rule_b, short_b) and abs(score_a - score_b) <= CONFIDENCE_TOLERANCE
    return same and apart <= LOG_SCORE_TOLERANCE, apart


def compare(first: Path, second: Path) -> int:
    a, b = (json.loads(p.read_text(encoding="utf-8")) for p in (first, second))
    if a.keys() != b.keys() or any(len(a[k]) != len(b[k]) for k in a):
        print("the two files hold different messages")
        return 1
    differ, widest, compared = 0, 0.0, 0
    for key in a:
        for x, y in zip(a[key], b[key], strict=True):
            same, apart = _same(x, y)
            compared += 1
            widest = max(widest, apart)
            if not same:
                differ += 1
                if differ <= 5:
                    print(f"{key}: {x[:5]} != {y[:5]}")
    print(
        f"{compared} messages compared: {differ} differ; log-likelihoods at most {widest:.2g} apart; "
        f"{'identical' if a == b else 'not bit for bit'}"
    )
    return 1 if differ else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("dump", help="classify every message and write the fields to OUT")
    d.add_argument("out", type=Path)
    d.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[1], help="the version's worktree")
    c = sub.add_parser("compare", help="compare two dumps")
    c.add_argument("first", type=Path)
    c.add_argument("second", type=Path)
    args = parser.parse_args()
    if args.command == "dump":
        dump(args.root.resolve(), args.out)
        return 0
    return compare(args.first, args.second)


if __name__ == "__main__":
    sys.exit(main())
