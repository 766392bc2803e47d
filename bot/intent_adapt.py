"""What a shop's learned examples correct: a linear model fitted on top of the general matcher.

The general matcher (rules + naive Bayes, bot/intent_calibration.py's blend) is trained on generic
messages; a shop's customers keep writing about the same products and the same worries in their
own words (罐子瘪了, 喂食器连不上wifi), and the general matcher keeps missing them the same way. Adding
the shop's examples to the naive Bayes counts drowns them in the corpus, and weighting them more
lets the shop's product names (which occur under every intent) pull any message to whatever intent
they were last seen with.

So the shop's examples fit a *correction*: a multinomial logistic regression over the shop's
vocabulary whose starting point (offset) is the general matcher's own logits for each example.
Fitting learns only where the general matcher is wrong on this shop, and discriminatively: a word
seen under many intents (a product name) gets no weight, a word that marks one intent in this shop
(瘪 → damaged) gets it. The vocabulary is the n-grams (bot/intent_model.py) occurring in at least
MIN_DF learned examples: a word seen once says nothing about the shop's *other* phrasings (the
neighbour vote, bot/intent_shop.py, handles near rewordings). The per-intent biases are the shop's
intent mix. L2 regularisation keeps the correction small where the examples are few.

How far to trust an *overturn* (the corrected winner is not the general matcher's) is measured on
the shop's own examples (`trusting`): the correction is fitted again without a third of them, and
the share of the held-out examples it overturns rightly, shrunk towards "trust it" by a few
pseudo-overturns, caps the confidence of every overturn (`ShopCorrection.overturn_trust`). A shop
whose examples only teach a word the corpus never knew (喵币 → membership) overturns rightly in its
own folds and keeps its confidence; the trust is one for the whole shop, though, so the same lesson
in a shop whose other examples overturn at a coin toss is capped with them (docs/intents.md, "The
overturn trust, reviewed"). On the development shop files, whose 200 examples mostly re-weigh
words the general matcher already reads, overturns were right about half the time (docs/intents.md,
"Learning from a shop, third round"), their cap falls below the threshold and the bot asks, showing
the shop's guess in the console, instead of acting on a coin toss. Two limits: the overturn counted
in the folds is the correction changing the logits' winner, while the bot's decision also weighs the
rules' precedence (bot/intents.py); and a learned example close enough to the message to vote
(bot/intent_shop.py) may lift a capped overturn back, as it lifts any decision it agrees with.

Plain stochastic gradient descent in Python: about a thousand examples fit in about a second
(docs/intents.md has the figures);
`fitting` yields between chunks so a worker on the event loop keeps serving. The fitted model is
immutable: a matcher swaps in a new one.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import repeat

# Chosen on corpus folds, the independent holdout used as a shop and a shop set written for it
# (docs/intents.md); 4 to 16 epochs and L2 0.001 to 0.05 scored alike, a rate of 1.0 overfits.
FIT_VERSION = 3  # bump when the fitting changes: corrections kept on disk are keyed by `fit_settings()`
MIN_DF = 2  # learned examples a feature must occur in to be part of the shop's vocabulary
EPOCHS = 6
LEARNING_RATE = 0.3  # of the first epoch, divided by the epoch's number after
L2 = 0.003  # weight decay per update, relative to the first epoch's rate
STEP = 64  # examples between two yields of `fitting`
_MIN_GRADIENT = 0.01  # a class this close to its target is left alone
_PRUNE = 0.02  # weights smaller than this are dropped after fitting (they change no decision)
TRUST_FOLDS = 3  # folds of the learned examples the overturn trust is measured on
TRUST_SAMPLE = 300  # examples at most in those folds (each fold is a fit of its own: time)
TRUST_PRIOR = 2  # pseudo-overturns, all right, added to the measured ones (few measured: trust)


def fit_settings() -> tuple[float, ...]:
    """Everything besides the examples that a fitted correction depends on (its cache key)."""
    return (FIT_VERSION, MIN_DF, EPOCHS, LEARNING_RATE, L2, _MIN_GRADIENT, _PRUNE, TRUST_FOLDS, TRUST_SAMPLE,
            TRUST_PRIOR)


@dataclass(frozen=True, slots=True)
class Example:
    """One learned example: its n-grams, the general matcher's logits for it, and its intent's index."""

    feats: Sequence[str]
    offset: Sequence[float]
    gold: int


class ShopCorrection:
    """Sparse weights per feature and intent, plus a bias per intent, added to the blend's logits, and
    the highest confidence an overturn of the general matcher's intent may have (`trusting`)."""

    def __init__(self, intents: int, weights: dict[str, dict[int, float]] | None = None,
                 bias: Sequence[float] | None = None, overturn_trust: float = 1.0) -> None:
        self.intents = intents
        self.weights = weights or {}
        self.bias = list(bias) if bias is not None else [0.0] * intents
        self.overturn_trust = overturn_trust

    def trusted(self, overturn_trust: float) -> ShopCorrection:
        """The same correction with the overturn trust measured for it."""
        return ShopCorrection(self.intents, self.weights, self.bias, overturn_trust)

    def __bool__(self) -> bool:
        return bool(self.weights) or any(self.bias)

    def logits(self, feats: set[str], logits: Sequence[float]) -> list[float]:
        """`logits` corrected for this shop."""
        out = [z + b for z, b in zip(logits, self.bias, strict=True)]
        weights = self.weights
        for f in feats:
            row = weights.get(f)
            if row is not None:
                for c, w in row.items():
                    out[c] += w
        return out


def fitting(examples: Sequence[Example], intents: int, seed: int = 0) -> Iterator[ShopCorrection | None]:
    """Fit a correction on `examples`: yields None every STEP examples, then the fitted correction."""
    df = Counter(f for e in examples for f in set(e.feats))
    rows: dict[str, list[float]] = {f: [0.0] * intents for f, n in df.items() if n >= MIN_DF}
    touches = [(row, df[f]) for f, row in rows.items()]  # updates a row gets per epoch, at most
    bias = [0.0] * intents
    data = [([rows[f] for f in e.feats if f in rows], e.offset, e.gold) for e in examples]
    order = list(range(len(data)))
    rng = random.Random(seed)
    step = 0
    for epoch in range(EPOCHS):
        rng.shuffle(order)
        rate = LEARNING_RATE / (1 + epoch)
        for i in order:
            feature_rows, offset, gold = data[i]
            summed = map(sum, zip(*feature_rows, strict=True)) if feature_rows else repeat(0.0)
            z = [o + b + w for o, b, w in zip(offset, bias, summed, strict=False)]  # repeat() has no end
            top = max(z)
            exp = [math.exp(a - top) for a in z]
            total = sum(exp)
            for c, e in enumerate(exp):
                g = e / total - (c == gold)
                if -_MIN_GRADIENT < g < _MIN_GRADIENT:
                    continue
                bias[c] -= rate * g
                for row in feature_rows:
                    row[c] -= rate * g
            step += 1
            if step % STEP == 0:
                yield None
        # weight decay, applied once per epoch as if at each of the row's updates
        decay = 1 - L2 * rate / LEARNING_RATE
        for row, n in (*touches, (bias, len(data))):
            shrink = decay**n
            row[:] = [w * shrink for w in row]
    weights = {}
    for f, row in rows.items():
        kept = {c: w for c, w in enumerate(row) if abs(w) >= _PRUNE}
        if kept:
            weights[f] = kept
    yield ShopCorrection(intents, weights, bias)


def trusting(examples: Sequence[Example], intents: int, seed: int = 0) -> Iterator[float | None]:
    """The share of overturns a correction fitted on the shop's examples gets right, measured on them:
    TRUST_FOLDS folds (of TRUST_SAMPLE examples at most), each held out from a fit on the others.
    An example is overturned when the fold's corrected winner is not the general matcher's (the
    highest of its offset); the share is (right + TRUST_PRIOR) / (overturned + TRUST_PRIOR), so a shop
    with fewer than TRUST_FOLDS examples or no overturn keeps full trust, and a few wrong overturns
    do not take it far below. Yields None between fitting steps, then the share.

    The folds are drawn from the examples in a canonical order (by intent, then words): workers hold
    the same examples in different orders (taught here or published by another worker, loaded by id
    at a restart, relabelled), and folds taken by position gave one shop's 200 examples a trust of
    0.40 to 0.67 by their order alone, on both sides of the threshold. Sorted by intent, every fold
    also holds a third of each intent's examples."""
    sample = []
    for n, e in enumerate(examples, start=1):
        sample.append(Example(tuple(sorted(e.feats)), tuple(e.offset), e.gold))
        if n % STEP == 0:
            yield None
    sample.sort(key=lambda e: (e.gold, e.feats, e.offset))
    if len(sample) > TRUST_SAMPLE:
        sample = [sample[k] for k in sorted(random.Random(seed).sample(range(len(sample)), TRUST_SAMPLE))]
    overturned = right = 0
    for fold in range(TRUST_FOLDS if len(sample) >= TRUST_FOLDS else 0):
        held = sample[fold::TRUST_FOLDS]
        rest = [e for k, e in enumerate(sample) if k % TRUST_FOLDS != fold]
        correction = None
        for correction in fitting(rest, intents, seed):
            if correction is None:
                yield None
        assert correction is not None
        for e in held:
            corrected = correction.logits(set(e.feats), e.offset)
            top = max(range(intents), key=corrected.__getitem__)
            if top != max(range(intents), key=e.offset.__getitem__):
                overturned += 1
                right += top == e.gold
    yield (right + TRUST_PRIOR) / (overturned + TRUST_PRIOR)
