"""The shop's own examples as nearest neighbours: what a shop taught wins when a message is close.

A shop's customers repeat its products, its jargon and its phrasings, so one learned example says
more about the next message than hundreds of generic ones. The naive Bayes model (bot/intent_model.py)
adds a learned example to its counts, where it is drowned by the corpus; here every learned example
is also kept whole, and a new message is compared with them by cosine similarity over the same
character n-grams, each weighted by its rarity in the written corpus (inverse document frequency).
A product name or shop jargon the corpus never saw is therefore the strongest evidence there is,
and generic words (吗, 了, 亲) count little.

The vote: the learned examples at least FLOOR similar, the closest K, each voting for its intent
with similarity squared. Its confidence is measured on the shop's own examples: leave-one-out
(each example classified by the others) gives, per vote strength, the share of votes that were
right, smoothed into a non-decreasing curve (bot/intent_calibration.py `isotonic`). A shop whose
messages repeat gets confident votes; a shop whose examples are all different gets timid ones.
Until MIN_EXAMPLES are learned there is no curve and the vote only counts when its neighbour is
nearly the same message.
"""

from __future__ import annotations

import itertools
import math
import random
from collections import defaultdict
from collections.abc import Generator, Mapping
from dataclasses import dataclass

from bot.intent_adapt import ShopCorrection
from bot.intent_calibration import isotonic

FLOOR = 0.55  # similarity below which a learned example is not a neighbour (a near rewording)
K = 5  # neighbours that vote
MIN_EXAMPLES = 30  # learned examples needed before the vote is calibrated on them
NEAR_DUPLICATE = 0.85  # without a curve: the similarity at which a neighbour's intent is trusted
NEAR_DUPLICATE_CONFIDENCE = 0.8
LOO_SAMPLE = 200  # examples classified leave-one-out to fit the curve (the rest cost time only)
_CURVE_BINS = 10
# Leave-one-out votes between two yields of `fitting_curve`: with a thousand learned examples sharing
# product names a vote walks hundreds of them (a few ms), and a worker's event loop must not stall.
CALIBRATE_STEP = 5
PRIOR_WEIGHT = 2  # pseudo-votes, half right, added to each bin of the curve
Curve = tuple[tuple[float, float], ...]
# Bump when the vote or its curve's fit changes in code (how similarity, strength or the leave-one-out
# sample are computed) or ShopFit's fields change: a fit kept on disk by the older code is then refitted.
SHOP_FIT_VERSION = 2


def vote_settings() -> tuple[float, ...]:
    """Everything besides the examples that the vote's curve depends on (part of the fit cache's key)."""
    return (SHOP_FIT_VERSION, FLOOR, K, MIN_EXAMPLES, LOO_SAMPLE, _CURVE_BINS, PRIOR_WEIGHT)


@dataclass(frozen=True, slots=True)
class ShopFit:
    """What a shop's learned examples fit, kept on disk together (bot/intent_cache.py): the correction
    (bot/intent_adapt.py; None without examples) and the vote's confidence curve. A worker starting
    with examples fitted before loads both and classifies none of them."""

    correction: ShopCorrection | None
    vote_curve: Curve


class ShopNeighbours:
    """Learned examples kept whole, with an inverted index over their n-grams."""

    def __init__(self, document_frequency: Mapping[str, int], documents: int) -> None:
        self._df = document_frequency
        self._log_n = math.log(documents + 1)
        self._examples: dict[int, tuple[dict[str, float], float, str]] = {}  # id -> weights, norm, intent
        self._postings: dict[str, set[int]] = defaultdict(set)
        self._ids: dict[tuple[frozenset[str], str], int] = {}
        self._next = 0
        self._curve: Curve = ()

    def copy(self) -> ShopNeighbours:
        """Another set with the same examples and the same (shared, never changed) corpus frequencies."""
        twin = ShopNeighbours(self._df, 0)
        twin._log_n = self._log_n
        twin._examples = dict(self._examples)
        twin._postings = defaultdict(set, {f: set(ids) for f, ids in self._postings.items()})
        twin._ids = dict(self._ids)
        twin._next, twin._curve = self._next, self._curve
        return twin

    def __len__(self) -> int:
        return len(self._examples)

    def _weight(self, feature: str) -> float:
        return self._log_n - math.log(self._df.get(feature, 0) + 1) + 1.0

    def _vector(self, feats: set[str]) -> tuple[dict[str, float], float]:
        weights = {f: self._weight(f) for f in feats}
        return weights, math.sqrt(sum(w * w for w in weights.values())) or 1.0

    def add(self, feats: set[str], intent: str) -> None:
        key = (frozenset(feats), intent)
        if not feats or key in self._ids:
            return
        self._ids[key] = n = self._next
        self._next += 1
        weights, norm = self._vector(feats)
        self._examples[n] = (weights, norm, intent)
        for f in feats:
            self._postings[f].add(n)

    def remove(self, feats: set[str], intent: str) -> None:
        n = self._ids.pop((frozenset(feats), intent), None)
        if n is None:
            return
        del self._examples[n]
        for f in feats:
            self._postings[f].discard(n)
            if not self._postings[f]:
                del self._postings[f]

    def vote(self, feats: set[str], exclude: int | None = None) -> tuple[str, float] | None:
        """The neighbours' intent and the vote's strength (0-1: top similarity times its share)."""
        if not self._examples or not feats:
            return None
        q_weights, q_norm = self._vector(feats)
        examples = self._examples
        # an n-gram weighs the same in the message and in an example, so their dot product is the sum
        # of its squared weight over the n-grams they share (a set intersection: C, not Python)
        squared = {f: w * w for f, w in q_weights.items()}.__getitem__
        keys = q_weights.keys()
        sims = sorted(
            (sim, n) for n in self._candidates(q_weights, q_norm) if n != exclude
            for weights, norm, _ in [examples[n]]
            for sim in [sum(map(squared, keys & weights.keys())) / (q_norm * norm)]
            if sim >= FLOOR
        )[::-1][:K]
        scores: dict[str, float] = defaultdict(float)
        best: dict[str, float] = {}
        for sim, n in sims:
            intent = examples[n][2]
            scores[intent] += sim * sim
            best.setdefault(intent, sim)
        if not scores:
            return None
        intent = max(scores, key=scores.__getitem__)
        return intent, best[intent] * scores[intent] / sum(scores.values())

    def _candidates(self, q_weights: dict[str, float], q_norm: float) -> set[int]:
        """The examples that may be FLOOR similar: those sharing one of the message's rarer n-grams.

        The common n-grams (longest postings) left out weigh so little together that an example
        sharing only them has a cosine below FLOOR (Cauchy-Schwarz: at most their share of the
        message's length), so their long postings are never walked: a shop's thousand examples
        cost a few look-ups, not a pass over all of them."""
        postings = self._postings
        order = sorted(q_weights, key=lambda f: len(postings.get(f, ())))
        limit, left_out = (FLOOR * q_norm) ** 2, 0.0
        cut = len(order)
        while cut and left_out + q_weights[order[cut - 1]] ** 2 < limit:
            cut -= 1
            left_out += q_weights[order[cut]] ** 2
        return set().union(*(postings.get(f, ()) for f in order[:cut]))

    def confidence(self, strength: float) -> float:
        """The share of right votes expected at this strength, measured on the shop's own examples."""
        if not self._curve:
            return NEAR_DUPLICATE_CONFIDENCE if strength >= NEAR_DUPLICATE else 0.0
        curve = self._curve
        if strength <= curve[0][0]:
            return curve[0][1]
        for (x0, y0), (x1, y1) in itertools.pairwise(curve):
            if strength <= x1:
                return y0 + (y1 - y0) * (strength - x0) / (x1 - x0) if x1 > x0 else y1
        return curve[-1][1]

    @property
    def curve(self) -> Curve:
        """The vote's confidence curve in use (to keep on disk)."""
        return self._curve

    def use_curve(self, curve: Curve) -> None:
        """A curve fitted on the same examples (loaded from disk, or by `fitting_curve`)."""
        self._curve = curve

    def calibrate(self) -> None:
        """Fit the confidence curve by leave-one-out over (a sample of) the learned examples and use it."""
        steps = self.fitting_curve()
        while True:
            try:
                next(steps)
            except StopIteration as done:
                self._curve = done.value
                return

    def fitting_curve(self) -> Generator[None, None, Curve]:
        """The confidence curve `calibrate` fits, in steps: yields every CALIBRATE_STEP examples, so a
        caller on the event loop can let other work run (examples removed meanwhile are skipped), and
        returns the curve without using it: examples learned meanwhile may make it stale, and only the
        caller knows whether they did (bot/intents.py `calibrating`)."""
        if len(self._examples) < MIN_EXAMPLES:
            return ()
        ids = sorted(self._examples)
        if len(ids) > LOO_SAMPLE:
            ids = random.Random(len(ids)).sample(ids, LOO_SAMPLE)
        points = []
        for step, n in enumerate(ids, start=1):
            example = self._examples.get(n)
            if example is not None:
                result = self.vote(set(example[0]), exclude=n)
                if result is not None:
                    points.append((result[1], 1.0 if result[0] == example[2] else 0.0))
            if step % CALIBRATE_STEP == 0:
                yield
        # each bin's share shrunk towards even odds by PRIOR_WEIGHT pseudo-votes: a bin of ten right
        # votes out of ten says "usually", not "always"
        size = max(1, len(points) // _CURVE_BINS)
        return tuple((x, (y * size + 0.5 * PRIOR_WEIGHT) / (size + PRIOR_WEIGHT))
                     for x, y in isotonic(points, bins=_CURVE_BINS))
