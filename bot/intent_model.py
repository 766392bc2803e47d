"""The learned half of the intent matcher: a naive Bayes model over character n-grams.

Keywords catch what staff foresaw; customers write symptoms (充不进电), counts (买了三个只到两个),
pinyin and typos no keyword list can hold. A character n-gram model learns those from labelled
messages (the training corpus `scripts_zh/intents_train.tsv` and the examples in `intents.yaml`; a
shop's learned examples correct it from outside, bot/intent_adapt.py) and needs no word
segmentation, so typos cost only a few n-grams.

Naive Bayes because it learns by counting: training on thousands of messages takes a fraction of a
second at start-up. Each n-gram holds `log(1 + count / alpha)` for the intents it was seen with (as a
row over all intents), and each intent one normaliser, so a message costs one dictionary look-up
per n-gram.

Negation: the matcher cuts what a customer refuses out of the text before taking its n-grams
(bot/intent_index.py `unnegated`): "不是要退货 是换货" is read as "是换货", "无需发票" as nothing.

Pinyin: customers type "kuaidi dao na le" or pick the wrong character of the same sound (再吗 for
在吗). Every message also yields pairs of adjacent syllables: Chinese characters through a table of
their (toneless, most common) pinyin (bot/data/pinyin.txt), Latin words that split wholly into
pinyin syllables as themselves (and no character n-grams, which would only say "Latin letters").
"huan huo" and 换货 then share the feature "huan|huo".
"""

from __future__ import annotations

import array
import math
import operator
import re
import struct
from collections import defaultdict
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

_MAX_N = 3
MODEL_VERSION = 14  # bump when the features or the fitting change: cached models are keyed by it
ALPHA = 0.5  # additive smoothing (cross-validated: 0.1-1 score alike, 0.5 asks least for the same errors)
_FIELD_BITS = 64  # a packed row's field per intent (NaiveBayes): an unsigned 64-bit integer
_FIELD_BYTES = _FIELD_BITS // 8
_FIELD_MASK = (1 << _FIELD_BITS) - 1
_FLOAT_BITS = 53  # significant bits of a double
_WEIGHT_BITS = 56  # bits a packed weight may take: 2**8 of them add up in a field
PINYIN_TABLE = Path(__file__).resolve().parent / "data" / "pinyin.txt"
_MAX_SYLLABLE = 6  # letters in the longest pinyin syllable (zhuang)
_LATIN = re.compile(r"[a-z]")
_TOKEN = re.compile(r"[a-z]+|\S")


@lru_cache(maxsize=1)
def _pinyin() -> tuple[dict[str, str], frozenset[str]]:
    """Character -> syllable, and the set of syllables."""
    table: dict[str, str] = {}
    for line in PINYIN_TABLE.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            syllable, chars = line.split(" ", 1)
            table.update(dict.fromkeys(chars, syllable))
    return table, frozenset(table.values())


def _split_syllables(word: str, syllables: frozenset[str]) -> list[str] | None:
    """A Latin word as pinyin syllables, or None if it is not pinyin: at each place the longest
    syllable after which the rest still splits (what a longest-first backtracking finds), in linear
    time. The backtracking it replaces took exponential time on words that split two ways ("ana" is
    a-na or an-a): 40 letters of a customer's message held a worker's loop for seconds."""
    size = len(word)
    splits = [False] * size + [True]  # splits[i]: word[i:] is syllables all through
    for start in range(size - 1, -1, -1):
        splits[start] = any(splits[start + n] and word[start:start + n] in syllables
                            for n in range(1, min(_MAX_SYLLABLE, size - start) + 1))
    if not splits[0]:
        return None
    found, start = [], 0
    while start < size:
        n = next(n for n in range(min(_MAX_SYLLABLE, size - start), 0, -1)
                 if splits[start + n] and word[start:start + n] in syllables)
        found.append(word[start:start + n])
        start += n
    return found


def spaced_pinyin(phrase: str) -> str | None:
    """`phrase` with each pinyin word cut into its syllables ("tuihuo" -> "tui huo", "shenme shihou" ->
    "shen me shi hou"), or None when that changes nothing: customers type pinyin with a space after
    each syllable as often as without, and the synonyms (scripts_zh/intents.yaml) list one way. A split
    with a one-letter syllable is not taken: it is an English word's ("coupon" is not "cou po n")."""
    syllables = _pinyin()[1]
    words = []
    for word in phrase.split(" "):
        split = _split_syllables(word, syllables) if word.isascii() and word.isalpha() else None
        words.append(" ".join(split) if split and min(map(len, split)) > 1 else word)
    spaced = " ".join(words)
    return spaced if spaced != phrase else None


def _syllable_pairs(canon: str) -> set[str]:
    table, syllables = _pinyin()
    pairs: set[str] = set()
    previous = None  # the syllable before, while the run of pinyin-able text goes on
    if _LATIN.search(canon) is None:  # most messages: characters only, each through the table
        syllable_of = table.get
        for char in canon:
            syllable = syllable_of(char)
            if syllable is not None:
                if previous:
                    pairs.add(previous + "|" + syllable)
                previous = syllable
            elif not char.isspace():
                previous = None
        return pairs
    for token in _TOKEN.findall(canon):
        if token.isascii() and token.isalpha():
            split = _split_syllables(token, syllables) if len(token) > 1 or token in syllables else None
            if split is None:
                previous = None
                continue
            for syllable in split:
                if previous:
                    pairs.add(previous + "|" + syllable)
                previous = syllable
        elif token in table:
            syllable = table[token]
            if previous:
                pairs.add(previous + "|" + syllable)
            previous = syllable
        elif not token.isspace():
            previous = None
    return pairs


def ngrams(canon: str) -> set[str]:
    """Character 1- to 3-grams of each chunk, with chunk boundaries ("^", "$") as characters, and
    pairs of adjacent pinyin syllables."""
    feats = _syllable_pairs(canon)
    syllables = _pinyin()[1]
    for chunk in canon.split():
        if chunk.isascii() and chunk.isalpha() and _split_syllables(chunk, syllables):
            continue  # pinyin: its syllable pairs stand for it, as they do for the characters
        padded = f"^{chunk}$"
        feats.update(chunk)
        feats.update([padded[i : i + 2] for i in range(len(padded) - 1)])
        feats.update([padded[i : i + 3] for i in range(len(padded) - 2)])
    return feats


class NaiveBayes:
    """Multinomial naive Bayes over binary n-gram presence, with a uniform prior over intents.

    Every n-gram keeps its weights as a row over all intents (0 where it was not seen) packed into one
    integer: intent c's weight in fixed point (`_scale_bits` fractional bits) in bits 64c to 64c + 63.
    A message's rows are summed by one `sum` of integers, which adds every column at once, and the
    columns unpacked by `struct` (docs/performance.md, "First-sight classification, third round").
    The weights, log(1 + count / alpha), are at least log 3 with ALPHA: each is an integer at 52
    fractional bits (a double holds 53 significant bits), so the sums are exact and each intent's
    score is its exact sum rounded once to a float (a float sum rounds at every step: the two
    differ in the last digits only)."""

    def __init__(self, intents: Sequence[str], alpha: float = ALPHA) -> None:
        self.intents = tuple(intents)
        self._index = {intent: i for i, intent in enumerate(self.intents)}
        self._alpha = alpha
        #: Per n-gram, its weights for every intent packed into one integer (never 0: every n-gram was
        #: seen with some intent).
        self._rows: dict[str, int] = {}
        self._scale_bits = 0  # fractional bits of the packed weights
        self._per_sum = 1  # rows that add up in a field without carrying into the next
        self._norms = [0.0] * len(self.intents)
        #: Examples each n-gram occurred in when fitted (the written corpus): how common it is.
        self.document_frequency: dict[str, int] = {}
        self.documents = 0
        self._unpack = struct.Struct(f"<{len(self.intents)}Q").unpack

    def __getstate__(self) -> dict[str, object]:
        """The rows as the n-grams, each one's row number (an array's bytes) and each different row
        once: pickle writes an integer wherever it occurs, and 34,000 n-grams share about 6,000
        different rows; loading then builds one dict, as loading a pickled dict would."""
        state = dict(self.__dict__)
        del state["_unpack"]
        numbers: dict[int, int] = {}
        order = array.array("I", [numbers.setdefault(row, len(numbers)) for row in self._rows.values()])
        state["_rows"] = (list(self._rows), order.tobytes(), list(numbers))
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        """A pickled model whose attributes are not this version's (cached by code that changed the
        layout without bumping MODEL_VERSION) raises, so the fit cache fits again (bot/intent_cache.py)
        instead of handing out a model that fails at its first message."""
        if state.keys() != vars(NaiveBayes(())).keys() - {"_unpack"}:
            raise ValueError(f"naive Bayes model of another layout: {sorted(state)}")
        ngrams, numbers, rows = state["_rows"]  # type: ignore[misc]
        state["_rows"] = dict(zip(ngrams, map(rows.__getitem__, array.array("I", numbers)), strict=True))
        self.__dict__.update(state)
        self._unpack = struct.Struct(f"<{len(self.intents)}Q").unpack

    def _as_rows(self, counts: dict[str, dict[int, int]]) -> None:
        """Each n-gram's packed row of weights, log(1 + count / alpha); n-grams with the same counts
        share one row (most were seen once or twice with one intent: 34,000 n-grams hold about
        6,000 different rows).

        The fractional bits are the fewest at which every weight is an integer, unless the largest
        weight would then take more than _WEIGHT_BITS bits (weights more than 2**3 apart in their
        binary exponent: not with ALPHA); then each is rounded at that many bits. Below
        _WEIGHT_BITS bits, at least 2**8 rows add up in a 64-bit field."""
        bits = widest = 0
        if counts:  # the weight grows with the count: the smallest needs the most fractional bits
            smallest = math.log1p(min(map(min, map(dict.values, counts.values()))) / self._alpha)
            largest = math.log1p(max(map(max, map(dict.values, counts.values()))) / self._alpha)
            bits = min(_FLOAT_BITS - math.frexp(smallest)[1], _WEIGHT_BITS - math.frexp(largest)[1])
            widest = round(math.ldexp(largest, bits))
        fixed: dict[int, int] = {}  # count -> its weight in fixed point
        pack = struct.Struct(f"<{len(self.intents)}Q").pack
        zeros = [0] * len(self.intents)
        shared: dict[tuple[tuple[int, int], ...], int] = {}
        rows = {}
        for f, by_class in counts.items():
            key = tuple(sorted(by_class.items()))
            row = shared.get(key)
            if row is None:
                fields = zeros.copy()
                for c, n in key:
                    weight = fixed.get(n)
                    if weight is None:
                        weight = fixed[n] = round(math.ldexp(math.log1p(n / self._alpha), bits))
                    fields[c] = weight
                row = shared[key] = int.from_bytes(pack(*fields), "little")
            rows[f] = row
        self._rows, self._scale_bits = rows, bits
        self._per_sum = _FIELD_MASK // widest if widest else 1

    def fit(self, examples: Iterable[tuple[set[str], str]]) -> None:
        """Fit the model to `examples`, replacing whatever an earlier `fit` learnt; an example of an
        unknown intent raises KeyError and leaves the earlier fit whole (nothing is replaced before
        every example was counted)."""
        totals = [0] * len(self.intents)
        documents = 0
        counts: dict[str, dict[int, int]] = defaultdict(dict)
        for feats, intent in examples:
            c = self._index[intent]
            for f in feats:
                by_class = counts[f]
                by_class[c] = by_class.get(c, 0) + 1
            totals[c] += len(feats)
            documents += 1
        self.documents = documents
        self.document_frequency = {f: sum(by_class.values()) for f, by_class in counts.items()}
        self._as_rows(counts)
        vocabulary = len(counts)
        self._norms = [math.log(total + self._alpha * vocabulary) for total in totals]

    def log_scores(self, feats: Iterable[str], offsets: Sequence[float] | None = None) -> list[float]:
        """Per intent, the log-likelihood of the message's known n-grams (up to a shared constant),
        plus `offsets` (the prior) when given."""
        rows = list(filter(None, map(self._rows.get, feats)))  # the known n-grams' rows
        known = len(rows)
        width = _FIELD_BYTES * len(self.intents)
        if known <= self._per_sum:
            sums: Sequence[int] = self._unpack(sum(rows).to_bytes(width, "little"))
        else:  # more rows than a field holds (a message of hundreds of characters): in parts
            sums = [0] * len(self.intents)
            for start in range(0, known, self._per_sum):
                part = sum(rows[start : start + self._per_sum]).to_bytes(width, "little")
                sums = list(map(operator.add, sums, self._unpack(part)))
        scale = math.ldexp(1.0, -self._scale_bits)
        if offsets is None:
            return [q * scale - known * norm for q, norm in zip(sums, self._norms, strict=True)]
        return [q * scale - known * norm + o for q, norm, o in zip(sums, self._norms, offsets, strict=True)]
