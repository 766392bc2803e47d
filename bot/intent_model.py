"""The learned half of the intent matcher: a naive Bayes model over character n-grams.

Keywords catch what staff foresaw; customers write symptoms (充不进电), counts (买了三个只到两个),
pinyin and typos no keyword list can hold. A character n-gram model learns those from labelled
messages (the training corpus `scripts_zh/intents_train.tsv`, the examples in `intents.yaml` and
the shop's learned examples) and needs no word segmentation, so typos cost only a few n-grams.

Naive Bayes because it learns by counting: training on thousands of messages takes a fraction of a
second at start-up, and a learned example is added to the counts in place (no retraining), which
is what lets every worker pick up an agent's correction at once. Scores are kept sparse: each
n-gram holds only the intents it was seen with, `log(1 + count / alpha)`, and each intent one
normaliser, so a message costs one dictionary look-up per n-gram.

Negation: n-grams right after 不是/不用/不需要/无需 (the same cues as the keyword rules) are marked,
so "不是要退货" does not count as evidence for a return.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence

_NEGATION = re.compile(r"(?:(?<!是)不是|不用|不需要|无需|用不着|没打算|不打算)(?:要|想|说|申请)?")
_NEGATED_SPAN = 4  # characters after a negation cue whose n-grams are marked
_MAX_N = 3
MODEL_VERSION = 1  # bump when the features or the fitting change: cached models are keyed by it
ALPHA = 0.5  # additive smoothing (cross-validated: 0.1-1 score alike, 0.5 asks least for the same errors)


def ngrams(canon: str) -> set[str]:
    """Character 1- to 3-grams of each chunk, with chunk boundaries ("^", "$") as characters."""
    feats: set[str] = set()
    for match in re.finditer(r"\S+", canon):
        chunk = match.group()
        negated = _negated_positions(chunk)
        padded = f"^{chunk}$"
        for n in range(1, _MAX_N + 1):
            for i in range(len(padded) - n + 1):
                gram = padded[i : i + n]
                if gram in ("^", "$"):
                    continue
                # position i in `padded` is character i-1 of the chunk
                feats.add("!" + gram if (i - 1) in negated else gram)
    return feats


def _negated_positions(chunk: str) -> set[int]:
    positions: set[int] = set()
    for m in _NEGATION.finditer(chunk):
        positions.update(range(m.end(), min(len(chunk), m.end() + _NEGATED_SPAN)))
    return positions


class NaiveBayes:
    """Multinomial naive Bayes over binary n-gram presence, with a uniform prior over intents."""

    def __init__(self, intents: Sequence[str], alpha: float = ALPHA) -> None:
        self.intents = tuple(intents)
        self._index = {intent: i for i, intent in enumerate(self.intents)}
        self._alpha = alpha
        self._counts: dict[str, dict[int, int]] = defaultdict(dict)
        self._weights: dict[str, dict[int, float]] = {}
        self._totals = [0] * len(self.intents)
        self._norms = [0.0] * len(self.intents)

    def fit(self, examples: Iterable[tuple[set[str], str]]) -> None:
        for feats, intent in examples:
            self._count(feats, intent)
        self._weights = {
            f: {c: math.log1p(n / self._alpha) for c, n in by_class.items()} for f, by_class in self._counts.items()
        }
        self._renormalise()

    def add(self, feats: set[str], intent: str, weight: int = 1) -> None:
        """Learn one more example in place, counted `weight` times."""
        c = self._count(feats, intent, weight)
        for f in feats:
            self._weights.setdefault(f, {})[c] = math.log1p(self._counts[f][c] / self._alpha)
        self._renormalise()

    def remove(self, feats: set[str], intent: str, weight: int = 1) -> None:
        """Forget an example learned before with this weight (an agent relabelled it)."""
        c = self._index[intent]
        for f in feats:
            by_class = self._counts.get(f)
            if not by_class or c not in by_class:
                continue
            by_class[c] = max(0, by_class[c] - weight)
            self._totals[c] -= weight
            if by_class[c]:
                self._weights[f][c] = math.log1p(by_class[c] / self._alpha)
            else:
                del by_class[c], self._weights[f][c]
                if not by_class:
                    del self._counts[f], self._weights[f]
        self._renormalise()

    def _count(self, feats: set[str], intent: str, weight: int = 1) -> int:
        c = self._index[intent]
        for f in feats:
            by_class = self._counts[f]
            by_class[c] = by_class.get(c, 0) + weight
        self._totals[c] += len(feats) * weight
        return c

    def _renormalise(self) -> None:
        vocabulary = len(self._counts)
        self._norms = [math.log(total + self._alpha * vocabulary) for total in self._totals]

    def log_scores(self, feats: Iterable[str]) -> list[float]:
        """Per intent, the log-likelihood of the message's known n-grams (up to a shared constant)."""
        scores = [0.0] * len(self.intents)
        known = 0
        weights = self._weights
        for f in feats:
            by_class = weights.get(f)
            if by_class is None:
                continue
            known += 1
            for c, w in by_class.items():
                scores[c] += w
        return [s - known * norm for s, norm in zip(scores, self._norms, strict=True)]
