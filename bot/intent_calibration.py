"""How the keyword rules and the learned model are combined, and what the confidence means.

The combination is a softmax over the model's per-intent log-likelihoods (divided by a
temperature), plus a bonus for the intent the keyword rules chose, in proportion to the rules' own
score. Business rules get one weight and social ones (greeting/thanks/goodbye: what the areas
declare social, bot/intent_areas.py) another (much smaller), so
"你好 我地址填错了能改吗" is decided by its business part; in a short message (SHORT_MESSAGE
characters or fewer: "你好", "谢谢亲") nothing else competes, so a greeting/thanks/goodbye rule
weighs as much as a business one. When a strong keyword (rule score 0.7 or
more) names an intent of a higher precedence than the model's business winner (the areas' ranks,
docs/rules.md R-ANSWER-5: human > complaint > after_sales.* > logistics.*), it wins over the
model: "东西碎了，快递到哪查" is about the damage.

The confidence printed and compared with the threshold is the softmax probability mapped through
an isotonic curve to the share of decisions that were right at that probability in
cross-validation: 0.8 means "right about 80% of the time on messages the model was not trained
on". Decisions where the rules and the model agree are right far more often than those where they
differ, so each case has its own curve.

`fit` chooses the weights and the curve from cross-validated records (`python main.py intents
calibrate` writes them to `scripts_zh/intents_calibration.json` with a hash of the data they were
fitted on; docs/intents.md).
"""

from __future__ import annotations

import bisect
import json
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from bot.intent_areas import BUSINESS_RANK, Precedence

_PRECEDENCE_CONFIDENCE = 0.7  # a rule score from a strong keyword
SHORT_MESSAGE = 6  # characters (spaces apart) of a message too short to hold more than its keyword
# The temperature also sets how sharp the general matcher's logits are where a shop's correction
# starts (bot/intent_adapt.py): at 2.0, which cross-validation of the corpus found as good as 4.0
# (within 0.2 points), learning 200 of a shop's messages gained 0.7 points less on the shop sets.
_TEMPERATURES = (4.0,)
_RULE_WEIGHTS = (2.0, 4.0, 8.0)
_SOCIAL_RULE_WEIGHTS = (0.0, 1.0, 2.0)


@dataclass(frozen=True, slots=True)
class Record:
    """One held-out message: the model's log-likelihoods, the rules' choice, and the right answer."""

    log_scores: Sequence[float]
    rule_intent: str
    rule_confidence: float
    short: bool
    gold: str


@dataclass(frozen=True)
class Blend:
    temperature: float = 4.0
    rule_weight: float = 4.0
    social_rule_weight: float = 1.0
    #: (softmax probability, share right) points, both increasing, for decisions where the rules
    #: agree with the winner and for the others; empty = probability as is.
    agree_curve: tuple[tuple[float, float], ...] = ()
    other_curve: tuple[tuple[float, float], ...] = ()
    data_hash: str = ""

    def combine(
        self, precedence: Precedence, intents: Sequence[str], log_scores: Sequence[float], rule_intent: str,
        rule_confidence: float, short: bool = False,
    ) -> tuple[str, float, bool]:
        """The winning intent, its softmax probability, and whether the rules chose it too."""
        return self.decide(precedence, intents,
                           self.logits(precedence, intents, log_scores, rule_intent, rule_confidence, short),
                           rule_intent, rule_confidence)

    def logits(
        self, precedence: Precedence, intents: Sequence[str], log_scores: Sequence[float], rule_intent: str,
        rule_confidence: float, short: bool = False,
    ) -> list[float]:
        """Per intent, the model's log-likelihood over the temperature plus the rules' bonus."""
        logits = [s / self.temperature for s in log_scores]
        if rule_confidence > 0 and rule_intent in intents:
            social = rule_intent in precedence.social and not short
            weight = self.social_rule_weight if social else self.rule_weight
            logits[intents.index(rule_intent)] += weight * rule_confidence
        return logits

    @staticmethod
    def decide(
        precedence: Precedence, intents: Sequence[str], logits: Sequence[float], rule_intent: str,
        rule_confidence: float,
    ) -> tuple[str, float, bool]:
        """The softmax's winner (a strong keyword of a higher precedence overrides it), its probability,
        and whether the rules and the model agree on it.

        A winner the precedence forced on the model is not an agreement: on other shops' messages
        such decisions, where the model gives the keyword's intent little probability ("快递小哥说
        车坏了" → damaged), were right about one time in eight, so they take the curve of the
        decisions where rules and model differ, at their low probability, and the bot asks."""
        top = max(range(len(logits)), key=logits.__getitem__)
        rank = precedence.rank
        agree = intents[top] == rule_intent
        if (rule_confidence >= _PRECEDENCE_CONFIDENCE and rank(rule_intent) < min(BUSINESS_RANK, rank(intents[top]))
                and rule_intent in intents):
            top = intents.index(rule_intent)
        total = sum(math.exp(x - logits[top]) for x in logits)
        return intents[top], 1.0 / total, agree

    def calibrate(self, probability: float, agree: bool) -> float:
        """Share of right decisions expected at this probability (piecewise linear on the curve)."""
        curve = self.agree_curve if agree else self.other_curve
        if not curve:
            return probability
        xs = [x for x, _ in curve]
        i = bisect.bisect_left(xs, probability)
        if i == 0:
            return curve[0][1]
        if i == len(xs):
            return curve[-1][1]
        (x0, y0), (x1, y1) = curve[i - 1], curve[i]
        return y0 + (y1 - y0) * (probability - x0) / (x1 - x0) if x1 > x0 else y1

    def save(self, path: Path) -> None:
        data = asdict(self)
        for name in ("agree_curve", "other_curve"):
            data[name] = [[round(x, 6), round(y, 4)] for x, y in data[name]]
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> Blend:
        data = json.loads(path.read_text(encoding="utf-8"))
        for name in ("agree_curve", "other_curve"):
            data[name] = tuple((float(x), float(y)) for x, y in data.get(name) or ())
        return cls(**data)


def fit(precedence: Precedence, intents: Sequence[str], records: Sequence[Record], data_hash: str = "") -> Blend:
    """The weights with the most right answers on `records`, then the isotonic confidence curve."""
    best: tuple[float, Blend] | None = None
    for temperature in _TEMPERATURES:
        for rule_weight in _RULE_WEIGHTS:
            for social in _SOCIAL_RULE_WEIGHTS:
                blend = Blend(temperature, rule_weight, social)
                right = sum(blend.combine(precedence, intents, r.log_scores, r.rule_intent, r.rule_confidence,
                                          r.short)[0] == r.gold for r in records)
                if best is None or right > best[0]:
                    best = (right, blend)
    assert best is not None, "no records to fit on"
    blend = best[1]
    points: dict[bool, list[tuple[float, float]]] = {True: [], False: []}
    for r in records:
        intent, probability, agree = blend.combine(precedence, intents, r.log_scores, r.rule_intent, r.rule_confidence,
                                                   r.short)
        points[agree].append((probability, 1.0 if intent == r.gold else 0.0))
    return Blend(blend.temperature, blend.rule_weight, blend.social_rule_weight, isotonic(points[True]),
                 isotonic(points[False]), data_hash)


def isotonic(points: Sequence[tuple[float, float]], bins: int = 20) -> tuple[tuple[float, float], ...]:
    """Pool-adjacent-violators over equal-count bins: a non-decreasing (x, mean y) curve."""
    points = sorted(points)
    if not points:
        return ()
    size = max(1, len(points) // bins)
    blocks = []  # [sum x, sum y, count]
    for start in range(0, len(points), size):
        chunk = points[start : start + size]
        blocks.append([sum(x for x, _ in chunk), sum(y for _, y in chunk), len(chunk)])
        while len(blocks) > 1 and blocks[-2][1] / blocks[-2][2] >= blocks[-1][1] / blocks[-1][2]:
            sx, sy, n = blocks.pop()
            blocks[-1] = [blocks[-1][0] + sx, blocks[-1][1] + sy, blocks[-1][2] + n]
    return tuple((sx / n, sy / n) for sx, sy, n in blocks)
