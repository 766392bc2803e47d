"""Text analysis and the two scorers behind the intent matcher.

Customers write short, informal, misspelt Chinese, so no single signal is enough:
- `Analyzer` turns a message into a canonical form (lower-case, dialect and typo synonyms replaced,
  punctuation dropped) and then into sparse features: jieba words plus character pairs. Character
  pairs survive typos and segmentation mistakes that would break word matching.
- `KeywordSpotter` finds the shop's keyword phrases, "*" gaps allowed (钱*退); a keyword lying
  inside a longer keyword does not count, so "真人实拍" (product photos) does not fire "真人" (a
  human agent).
- `ExampleIndex` scores a message against every example phrase by TF-IDF cosine (a nearest
  neighbour per intent), through an inverted index so only examples sharing a feature are touched.

Everything is built once at load; per message the work is a few regex passes, one jieba cut and a
few dictionary look-ups, all linear in the message length.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from typing import NamedTuple

import jieba

_NON_WORD = re.compile(r"[\W_]+")
_LONG_DIGITS = re.compile(r"\d{7,}")  # phone numbers and the like: no intent, only noise
_WORD_WEIGHT = 1.0
_PAIR_WEIGHT = 0.7
_PAIR = "\x01"  # prefix keeping character-pair features apart from two-character words
_MAX_GAP = 6  # characters a "*" in a keyword may stand for ("钱*退" matches 钱怎么还没退)


def _alternation(phrases: Iterable[str], gaps: bool = False) -> str:
    """Regex alternation, longest phrase first; Latin/digit phrases only match as whole words.

    With `gaps`, "*" in a phrase stands for up to _MAX_GAP characters within one chunk.
    """
    parts = []
    for phrase in sorted(set(phrases), key=lambda p: len(p.replace("*", "")), reverse=True):
        if gaps:
            piece = f"[^ ]{{0,{_MAX_GAP}}}?".join(map(re.escape, phrase.split("*")))
        else:
            piece = re.escape(phrase)
        if phrase.isascii() and phrase.isalnum():
            piece = rf"(?<![a-z0-9]){piece}(?![a-z0-9])"
        parts.append(piece)
    return "|".join(parts)


class Analyzer:
    """Canonical text and features; the same analysis for examples and messages."""

    def __init__(self, synonyms: Mapping[str, str]) -> None:
        self._synonyms = {k.lower(): v.lower() for k, v in synonyms.items()}
        self._synonym_re = re.compile(_alternation(self._synonyms)) if self._synonyms else None

    def canon(self, text: str) -> str:
        """Lower-case, long digit runs dropped, synonyms replaced (two passes, for chained
        variants), punctuation as spaces."""
        text = _LONG_DIGITS.sub("", text.lower())
        if self._synonym_re is not None:
            for _ in range(2):
                text = self._synonym_re.sub(lambda m: self._synonyms[m.group(0)], text)
        return _NON_WORD.sub(" ", text).strip()

    @staticmethod
    def features(canon: str) -> Counter[str]:
        """Counts of jieba words and of adjacent character pairs within each chunk."""
        feats: Counter[str] = Counter(w for w in jieba.cut(canon, HMM=False) if not w.isspace())
        for chunk in canon.split():
            feats.update(_PAIR + chunk[i : i + 2] for i in range(len(chunk) - 1))
        return feats


class Hit(NamedTuple):
    """One keyword occurrence; `length` counts the keyword's literal characters."""

    start: int
    end: int
    intent: str
    length: int
    weak: bool


class KeywordSpotter:
    """The shop's keywords found in canonical text.

    A keyword may hold "*" gaps ("退货*收到" matches 退货你们收到了吗). Weak keywords (question forms
    that attach to any topic, like 有优惠吗 in 会员有什么优惠) are flagged for the caller to use only
    when no strong keyword occurs. Keywords are bucketed by first character: one dict look-up per
    character of the message.
    """

    def __init__(self, strong: Mapping[str, Iterable[str]], weak: Mapping[str, Iterable[str]]) -> None:
        buckets: dict[str, list[tuple[int, re.Pattern[str], str, bool]]] = defaultdict(list)
        for is_weak, keywords in ((False, strong), (True, weak)):
            for intent, words in keywords.items():
                for word in {w.lower() for w in words}:
                    pattern = re.compile(_alternation([word], gaps=True))
                    buckets[word[0]].append((len(word.replace("*", "")), pattern, intent, is_weak))
        self._buckets = {c: sorted(b, key=lambda x: -x[0]) for c, b in buckets.items()}

    def find(self, canon: str) -> list[Hit]:
        """The longest keyword at each position, minus those lying inside another one.

        A weak keyword never hides a strong one. Partly overlapping keywords both count (有没有人工
        is 有没有人 and 人工); the precedence rules decide between them.
        """
        found = []
        for pos, char in enumerate(canon):
            for length, pattern, intent, is_weak in self._buckets.get(char, ()):
                m = pattern.match(canon, pos)
                if m:
                    found.append(Hit(pos, m.end(), intent, length, is_weak))
                    break
        kept = []
        reach_any = reach_strong = -1  # furthest end of the hits starting further left
        for hit in found:  # in start order, one hit per start
            if hit.end > (reach_any if hit.weak else reach_strong):
                kept.append(hit)
            reach_any = max(reach_any, hit.end)
            if not hit.weak:
                reach_strong = max(reach_strong, hit.end)
        return kept


class ExampleIndex:
    """Nearest-example TF-IDF cosine per intent over an inverted index."""

    def __init__(self, examples: Iterable[tuple[str, Counter[str]]]) -> None:
        docs = [(intent, feats) for intent, feats in examples if feats]
        df: Counter[str] = Counter(f for _, feats in docs for f in feats)
        n = len(docs)
        self._idf = {f: math.log(1 + (n - d + 0.5) / (d + 0.5)) for f, d in df.items()}
        self._unseen_idf = math.log(1 + (n + 0.5) / 0.5)  # novel words make a message less similar
        self._intent_of = [intent for intent, _ in docs]
        postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for doc_id, (_, feats) in enumerate(docs):
            vec = self._weigh(feats)
            for f, w in vec.items():
                postings[f].append((doc_id, w))
        self._postings = dict(postings)

    def _weigh(self, feats: Counter[str]) -> dict[str, float]:
        """Unit-length vector: (1 + log tf) * idf * kind weight; unseen features only add length."""
        vec = {}
        for f, tf in feats.items():
            kind = _PAIR_WEIGHT if f[0] == _PAIR else _WORD_WEIGHT
            vec[f] = (1 + math.log(tf)) * self._idf.get(f, self._unseen_idf) * kind
        norm = math.sqrt(sum(w * w for w in vec.values())) or 1.0
        return {f: w / norm for f, w in vec.items() if f in self._idf}

    def scores(self, feats: Counter[str]) -> dict[str, float]:
        """Best cosine similarity per intent (intents sharing no feature are absent)."""
        dots: dict[int, float] = defaultdict(float)
        for f, qw in self._weigh(feats).items():
            for doc_id, dw in self._postings[f]:
                dots[doc_id] += qw * dw
        best: dict[str, float] = {}
        intent_of = self._intent_of
        for doc_id, dot in dots.items():
            intent = intent_of[doc_id]
            if dot > best.get(intent, 0.0):
                best[intent] = dot
        return best
