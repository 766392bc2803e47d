"""Measuring the matcher honestly: cross-validation by phrase group, and the threshold table.

The training corpus holds several variants of each hand-written phrase (with 亲, typos, an order
number...); its third column names the phrase. Folds split by that group, so a message is never
judged by a model that saw a variant of it: the figures stay close to what unseen wording gets.
Used by `main.py intents calibrate` (to fit the blend and the confidence curve) and by
`bench/classify.py`.
"""

from __future__ import annotations

import hashlib
import itertools
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.intent_areas import Precedence
from bot.intent_calibration import Blend, Record, fit
from bot.intents import CALIBRATION_FILE, TRAINING_FILE, UNKNOWN, IntentMatcher

FOLDS = 5
# The calibration is fitted on the cross-validated records of several shuffles of the groups into folds,
# pooled: with one shuffle, which groups shared a fold moves the curve, and with it the shop files'
# figures at threshold 0.6 (15 fits: 85.7-87.8% right, 2.9-3.7% confidently wrong, the same ranking);
# three pooled narrowed that to 86.2-87.6 and 3.1-3.6 (5 fits), not more: the rest is the curve's
# own sampling (docs/intents.md "Fifth round, second pass").
CALIBRATION_SEEDS = (13, 14, 15)
THRESHOLDS = (0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
FINE_THRESHOLDS = tuple(t / 100 for t in range(30, 100, 5))  # the trade-off's curve (`accuracy_at`)


@dataclass(frozen=True, slots=True)
class Row:
    text: str
    intent: str
    group: str


def read_rows(path: Path) -> list[Row]:
    """Rows of a labelled TSV (text, intent[, group]; a first line `text<TAB>intent...` is a header);
    a row without a group is its own group."""
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        cols = line.split("\t")
        if n == 1 and cols[:2] == ["text", "intent"]:
            continue
        if len(cols) >= 2 and cols[0].strip():
            rows.append(Row(cols[0], cols[1], cols[2] if len(cols) > 2 else f"line{n}"))
    return rows


def shop_split(rows: Sequence[Row], count: int, start: int = 0) -> tuple[list[Row], list[Row]]:
    """One shop's rows as (learned, measured): `count` rows from `start` on (wrapping round to the
    first), and every other row. Never a row in both: what was learned is not measured."""
    rows = list(rows)
    if not 0 <= start < max(1, len(rows)):
        raise ValueError(f"start {start}: the rows are numbered 0 to {len(rows) - 1}")
    rows = rows[start:] + rows[:start]
    return rows[:count], rows[count:]


def split_starts(total: int, splits: int, start: int = 0) -> list[int]:
    """`splits` first lines spread evenly over `total` rows from `start` on: one split of a shop file
    moves its figures by a few points (which 200 were learned), so a mechanism is judged on several."""
    if splits < 1:
        raise ValueError(f"splits {splits}: at least 1")
    return list(dict.fromkeys((start + k * total // splits) % total for k in range(splits))) if total else [0]


def data_hash(yaml_path: Path) -> str:
    """Hash of what a calibration was fitted on: the intents file and the training corpus."""
    digest = hashlib.sha256(yaml_path.read_bytes())
    training = yaml_path.parent / TRAINING_FILE
    if training.exists():
        digest.update(training.read_bytes())
    return digest.hexdigest()[:24]


def _root_group(group: str) -> str:
    """Two-request messages ("combo:a#1+b#2") share a fold with their first phrase."""
    return group.removeprefix("combo:").split("+")[0]


def cross_validate(
    yaml_path: Path, precedence: Precedence, rows: Sequence[Row], folds: int = FOLDS, seed: int = 13
) -> list[Record]:
    """Per message with words, the signals of a matcher trained on the other folds."""
    groups = sorted({_root_group(r.group) for r in rows})
    random.Random(seed).shuffle(groups)
    fold_of = {g: i % folds for i, g in enumerate(groups)}
    records = []
    for k in range(folds):
        train = [(r.text, r.intent) for r in rows if fold_of[_root_group(r.group)] != k]
        matcher = IntentMatcher.from_yaml(yaml_path, precedence, training=train, model_cache=None)
        for r in rows:
            if fold_of[_root_group(r.group)] == k:
                signals = matcher.signals(r.text)
                if signals is not None:
                    records.append(Record(*signals, gold=r.intent))
    return records


def calibrate(yaml_path: Path, precedence: Precedence) -> tuple[Blend, list[Outcome]]:
    """Fit the blend and the confidence curve on cross-validation (`CALIBRATION_SEEDS` shuffles of the
    folds, pooled) and save them beside the yaml; also the cross-validated outcomes per threshold
    with them (every message counted once per shuffle)."""
    rows = read_rows(yaml_path.parent / TRAINING_FILE)
    intents = IntentMatcher.from_yaml(yaml_path, precedence, training=[], model_cache=None).intents
    records = [r for seed in CALIBRATION_SEEDS for r in cross_validate(yaml_path, precedence, rows, seed=seed)]
    blend = fit(precedence, intents, records, data_hash(yaml_path))
    blend.save(yaml_path.parent / CALIBRATION_FILE)
    return blend, threshold_table(score(blend, precedence, intents, records))


def score(
    blend: Blend, precedence: Precedence, intents: Sequence[str], records: Iterable[Record]
) -> list[tuple[str, float, str]]:
    """(intent, calibrated confidence, gold) of each record under `blend`."""
    scored = []
    for r in records:
        intent, probability, agree = blend.combine(precedence, intents, r.log_scores, r.rule_intent, r.rule_confidence,
                                                   r.short)
        chars = None if intent == UNKNOWN else r.chars  # as `IntentMatcher._classify` refines
        scored.append((intent, blend.calibrate(probability, agree, chars), r.gold))
    return scored


@dataclass(frozen=True, slots=True)
class Outcome:
    threshold: float
    accuracy: float  # decision == gold (asking about an `unknown` message counts as right)
    confidently_wrong: float  # acted on another intent than gold
    ask_rate: float  # decision unknown


def threshold_table(
    scored: Iterable[tuple[str, float, str]], thresholds: Sequence[float] = THRESHOLDS
) -> list[Outcome]:
    """Outcomes per threshold for (intent, confidence, gold) triples."""
    scored = list(scored)
    n = len(scored) or 1
    table = []
    for t in thresholds:
        decisions = [(intent if intent != UNKNOWN and confidence >= t and confidence > 0 else UNKNOWN, gold)
                     for intent, confidence, gold in scored]
        right = sum(d == g for d, g in decisions)
        wrong = sum(d != g and d != UNKNOWN for d, g in decisions)
        asked = sum(d == UNKNOWN for d, _ in decisions)
        table.append(Outcome(t, right / n, wrong / n, asked / n))
    return table


def ranked_right(scored: Iterable[tuple[str, float, str]]) -> float:
    """The share of messages whose intent (asked about or not) is the gold one: the most any threshold
    can decide rightly, besides `unknown` messages asked about."""
    scored = list(scored)
    return sum(intent == gold for intent, _, gold in scored) / (len(scored) or 1)


def accuracy_at(table: Sequence[Outcome], confidently_wrong: float) -> float:
    """The best accuracy the thresholds of `table` reach with at most `confidently_wrong` (linear
    between the two thresholds around it; outside them, the nearest end's accuracy: below the fewest
    mistakes any threshold makes, that of the strictest threshold, which makes more than asked for).

    A change that only makes confidence higher or lower moves along this curve: at the default
    threshold it gains accuracy and confident mistakes together (or loses both), which one threshold's
    figures cannot tell from understanding more. Comparing accuracies at the same rate of confident
    mistakes can (bench/classify.py prints learning's gain both ways; docs/intents.md, "Fourth round
    of learning")."""
    best: dict[float, float] = {}
    for o in table:
        best[o.confidently_wrong] = max(o.accuracy, best.get(o.confidently_wrong, 0.0))
    if not best:
        raise ValueError("an empty table")
    points, top = [], 0.0
    for wrong, accuracy in sorted(best.items()):  # the best accuracy with at most this many mistakes
        top = max(top, accuracy)
        points.append((wrong, top))
    if confidently_wrong <= points[0][0]:
        return points[0][1]
    for (w0, a0), (w1, a1) in itertools.pairwise(points):
        if confidently_wrong <= w1:
            return a0 + (a1 - a0) * (confidently_wrong - w0) / (w1 - w0)
    return points[-1][1]


def format_table(table: Sequence[Outcome]) -> str:
    lines = ["threshold  accuracy  confidently-wrong  ask-rate"]
    lines += [f"{o.threshold:9.2f}  {o.accuracy:8.1%}  {o.confidently_wrong:17.1%}  {o.ask_rate:8.1%}" for o in table]
    return "\n".join(lines)
