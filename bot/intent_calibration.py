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

At the same probability a long message is right less often than a short one: it carries more than
one request, or wording the model never saw, and its many n-grams make the naive Bayes
overconfident. So the curve's share is refined by a logistic regression on its log-odds and the
message's length, log(1 + characters), fitted on the same cross-validated records (`fit_length`):
three numbers, the only run-time cost a logarithm. On the independent holdout and ten unseen-shop
files it raised accuracy at 3% confidently wrong by 0.6-0.8 points and lowered confidently wrong at
threshold 0.6 (docs/intents.md "Confidence and message length"); the margin between the top two,
the rule score, whether a keyword fired and the share of known n-grams added nothing the holdout
and the shops agreed on, so they are not used.

`fit` chooses the weights and the curve from cross-validated records (`python main.py intents
calibrate` writes them to `scripts_zh/intents_calibration.json` with a hash of the data they were
fitted on; docs/intents.md).
"""

from __future__ import annotations

import bisect
import json
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from bot.intent_areas import BUSINESS_RANK, Precedence

_PRECEDENCE_CONFIDENCE = 0.7  # a rule score from a strong keyword
SHORT_MESSAGE = 6  # characters (spaces apart) of a message too short to hold more than its keyword
# The temperature also sets how sharp the general matcher's logits are where a shop's correction
# starts (bot/intent_adapt.py): at 2.0, which cross-validation of the corpus found as good as 4.0
# (within 0.2 points), learning 200 of a shop's messages gained 0.7 points less on the shop sets.
_TEMPERATURES = (4.0,)
# The rules' weight is chosen on cross-validation of the corpus, whose wording the rules were written
# beside: there 8.0 and 4.0 come within a few messages of each other and the choice flipped with small
# data changes, while on the twelve shop sets 8.0 ranked 0.9 points fewer messages first right (the
# holdout: within 0.3 points) (docs/intents.md "Unseen shops: the training corpus, third round").
_RULE_WEIGHTS = (2.0, 4.0)
_SOCIAL_RULE_WEIGHTS = (0.0, 1.0, 2.0)
_UNKNOWN = "unknown"  # the intent of a message the bot asks about (bot/intents.py UNKNOWN)
_EDGE = 1e-4  # shares of 0 or 1 are kept this far inside, so their log-odds stay finite


@dataclass(frozen=True, slots=True)
class Record:
    """One held-out message: the model's log-likelihoods, the rules' choice, and the right answer."""

    log_scores: Sequence[float]
    rule_intent: str
    rule_confidence: float
    short: bool
    chars: int  # characters of the message, spaces apart
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
    #: (intercept, weight of the curve's log-odds, weight of log(1 + characters)); empty = the curve's
    #: share as is.
    length_refinement: tuple[float, ...] = ()
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

    def calibrate(self, probability: float, agree: bool, chars: int | None) -> float:
        """Share of right decisions expected at this probability for a message of `chars` characters;
        `None` for a decision naming no intent (unknown), which keeps the curve's share: the length
        refinement is fitted on decisions naming one."""
        share = self._on_curve(probability, agree)
        if not self.length_refinement or chars is None:
            return share
        intercept, slope, per_length = self.length_refinement
        return _sigmoid(intercept + slope * _log_odds(share) + per_length * math.log1p(chars))

    def _on_curve(self, probability: float, agree: bool) -> float:
        """The curve's share of right decisions at this probability (piecewise linear)."""
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
        data["length_refinement"] = [round(w, 4) for w in data["length_refinement"]]
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> Blend:
        data = json.loads(path.read_text(encoding="utf-8"))
        for name in ("agree_curve", "other_curve"):
            data[name] = tuple((float(x), float(y)) for x, y in data.get(name) or ())
        data["length_refinement"] = tuple(float(w) for w in data.get("length_refinement") or ())
        return cls(**data)


def fit(precedence: Precedence, intents: Sequence[str], records: Sequence[Record], data_hash: str = "") -> Blend:
    """The weights with the most right answers on `records`, then the isotonic confidence curves and
    their refinement by the message's length."""
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
    decided = [(*blend.combine(precedence, intents, r.log_scores, r.rule_intent, r.rule_confidence, r.short), r)
               for r in records]
    points: dict[bool, list[tuple[float, float]]] = {True: [], False: []}
    for intent, probability, agree, r in decided:
        points[agree].append((probability, 1.0 if intent == r.gold else 0.0))
    curved = replace(blend, agree_curve=isotonic(points[True]), other_curve=isotonic(points[False]),
                     data_hash=data_hash)
    acted = [(curved.calibrate(probability, agree, r.chars), r.chars, intent == r.gold)
             for intent, probability, agree, r in decided if intent != _UNKNOWN]
    return replace(curved, length_refinement=fit_length(acted))


def fit_length(acted: Sequence[tuple[float, int, bool]], rounds: int = 25) -> tuple[float, float, float]:
    """Logistic regression of right (the third item) on the curve's log-odds and log(1 + characters),
    by Newton's method: (intercept, slope, per_length). Decisions the bot would act on only."""
    rows = [((1.0, _log_odds(share), math.log1p(chars)), 1.0 if right else 0.0) for share, chars, right in acted]
    w = [0.0, 1.0, 0.0]  # the curve as is
    for _ in range(rounds):
        gradient = [0.0] * 3
        hessian = [[0.0] * 3 for _ in range(3)]
        for x, y in rows:
            p = _sigmoid(sum(a * b for a, b in zip(w, x, strict=True)))
            for i in range(3):
                gradient[i] += (p - y) * x[i]
                for j in range(3):
                    hessian[i][j] += p * (1 - p) * x[i] * x[j]
        step = _solve(hessian, gradient)
        w = [a - b for a, b in zip(w, step, strict=True)]
        if max(abs(s) for s in step) < 1e-6:
            break
    return w[0], w[1], w[2]


def _solve(matrix: list[list[float]], vector: list[float]) -> list[float]:
    """x with matrix @ x = vector (Gauss-Jordan with partial pivoting; the matrix is small)."""
    n = len(vector)
    rows = [[*row, v] for row, v in zip(matrix, vector, strict=True)]
    for c in range(n):
        pivot = max(range(c, n), key=lambda r: abs(rows[r][c]))
        rows[c], rows[pivot] = rows[pivot], rows[c]
        for r in range(n):
            if r != c:
                factor = rows[r][c] / rows[c][c]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[c], strict=True)]
    return [rows[i][n] / rows[i][i] for i in range(n)]


def _log_odds(share: float) -> float:
    share = min(max(share, _EDGE), 1 - _EDGE)
    return math.log(share / (1 - share))


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


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
