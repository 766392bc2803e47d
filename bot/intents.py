"""Intent matcher: which of the shop's intents (docs/rules.md R-ANSWER-4) a customer message is about.

No model is downloaded and nothing leaves the process: the shop's own phrases in
`scripts_zh/intents.yaml` are the model, so staff can fix a miss by adding an example. Two signals:
- keywords (specific phrases, "*" gaps allowed: 钱*退): when keywords of several intents occur,
  the precedence of R-ANSWER-5 decides: human > complaint > after_sales.* > logistics.* > other
  business intents > goodbye > thanks > greeting > unknown. Weak keywords (question forms such as
  有优惠吗 that attach to any topic) count only when no strong one occurs. Greeting/thanks/goodbye
  keywords yield when the rest of the message clearly matches a business example ("在吗 发个实物图
  看看" is a product question). Within after_sales.*, a status keyword (处理了吗, 退货*收到) makes a
  message about a return, exchange, damage or missing item `after_sales.progress`; about money it
  stays `after_sales.refund` (R-ANSWER-4: "退款什么时候到账" is refund);
- similarity to the example phrases (TF-IDF cosine over jieba words and character pairs, best
  example per intent), which generalises to wordings no keyword foresaw.

Confidence: a keyword decision scores 0.7-0.95 (weak keywords 0.6-0.85, 0.1 less when several
intents of the winning tier had keywords); a similarity decision scores from the best similarity
and its margin over the runner-up intent, so vague or off-topic text stays below the dispatcher's
0.5. Small talk like the `unknown` examples is `unknown` with that same kind of confidence; text
that matches nothing is `unknown` with confidence 0.

Order and case numbers are cut out before classifying (their digits are not words). A message that
is only a case number is `after_sales.progress` (0.6: a case number is asked about for its
progress); one that is only an order number (or an order number with words that match nothing) is
`logistics.track` with 0.45, below the default threshold, so the dispatcher asks what the customer
wants while already holding the order number.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jieba
import yaml

from bot.extract import compile_order_patterns, split_numbers
from bot.intent_index import Analyzer, ExampleIndex, Hit, KeywordSpotter

UNKNOWN = "unknown"
DECISION_CACHE_SIZE = 8192
_PROGRESS = "after_sales.progress"
_REFUND = "after_sales.refund"
_TRACK = "logistics.track"
_SOCIAL_RANKS = {"goodbye": 5, "thanks": 6, "greeting": 7}
_BUSINESS_RANK = 4  # ranks below this number are business intents

_SIM_FLOOR = 0.3  # below this best similarity, nothing fits
_OVERRIDE_SIM = 0.45  # the rest of a greeting/thanks/goodbye message this similar to a business
_OVERRIDE_MIN_CHARS = 3  # example, with this many different characters, makes it that intent
_STRONG_BASE = 0.7  # confidence of a keyword decision, + up to 0.25 as examples agree
_WEAK_BASE = 0.6
_FULL_SUPPORT_SIM = 0.6  # example similarity that counts as full agreement with the keyword
_CONTESTED_PENALTY = 0.1  # several intents of the winning tier had keywords
# "不是要退货", "不用转人工", "不需要换货": a keyword right after such a negation is what the
# customer does NOT want, so it does not count (the rest of the message decides). Plain 不要/不想
# are not here: 不想要了 and 不要退款 帮我补发 carry their own keywords.
_NEGATED = re.compile(r"(?:(?<!是)不是|不用|不需要|无需|用不着|没打算|不打算|没说)(?:要|想|说|申请)?$")
_NEGATION_WINDOW = 5  # characters before a keyword searched for a negation
_CASE_ONLY_CONFIDENCE = 0.6
_ORDER_ONLY_CONFIDENCE = 0.45


def _rank(intent: str) -> int:
    """Precedence rank (docs/rules.md R-ANSWER-5), lower wins."""
    if intent == "human":
        return 0
    if intent == "complaint":
        return 1
    if intent.startswith("after_sales."):
        return 2
    if intent.startswith("logistics."):
        return 3
    if intent == UNKNOWN:
        return 8
    return _SOCIAL_RANKS.get(intent, _BUSINESS_RANK)


def warm_up_jieba() -> None:
    """Load jieba's dictionary now (idempotent, quiet), not on the first customer message."""
    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()


@dataclass(frozen=True, slots=True)
class IntentMatch:
    intent: str
    confidence: float
    order_no: str | None
    case_no: str | None

    def as_json(self, text: str) -> dict[str, Any]:
        return {
            "text": text,
            "intent": self.intent,
            "confidence": round(self.confidence, 3),
            "order_no": self.order_no,
            "case_no": self.case_no,
        }


class IntentMatcher:
    """Classifies messages against one intents.yaml: build once at start-up, then classify."""

    def __init__(
        self,
        synonyms: Mapping[str, str],
        keywords: Mapping[str, Sequence[str]],
        weak_keywords: Mapping[str, Sequence[str]],
        examples: Mapping[str, Sequence[str]],
        extra_words: Sequence[str] = (),
        order_patterns: Sequence[str] | None = None,
    ) -> None:
        warm_up_jieba()
        self.intents: tuple[str, ...] = tuple(dict.fromkeys([*keywords, *weak_keywords, *examples]))
        self._analyzer = Analyzer(synonyms)
        strong, weak = self._canon_keywords(keywords), self._canon_keywords(weak_keywords)
        pieces = (p for kws in (strong, weak) for ks in kws.values() for k in ks for p in k.split("*"))
        for word in [*extra_words, *pieces]:
            if len(word) > 1 and not word.isascii():
                jieba.add_word(word)
        self._keywords = KeywordSpotter(strong, weak)
        self._index = ExampleIndex(
            (intent, self._analyzer.features(self._analyzer.canon(text)))
            for intent, texts in examples.items()
            for text in texts
        )
        self._order_patterns = compile_order_patterns(order_patterns)
        # Customers repeat themselves (你好, 在吗, 转人工, the same question with another order number):
        # the decision depends only on the canonical words, so it is remembered for recent ones.
        self._decide_cached = lru_cache(maxsize=DECISION_CACHE_SIZE)(self._decide)
        # and most often with the very same words: those skip number extraction and normalisation too.
        self.classify = lru_cache(maxsize=DECISION_CACHE_SIZE)(self._classify)  # type: ignore[method-assign]

    def _canon_keywords(self, keywords: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
        """Keywords in the messages' canonical form; "*" gaps are kept."""
        canon = {
            intent: ["*".join(self._analyzer.canon(piece) for piece in k.split("*")) for k in ks]
            for intent, ks in keywords.items()
        }
        return {intent: [k for k in ks if k.strip("*")] for intent, ks in canon.items()}

    @classmethod
    def from_yaml(cls, path: Path, order_patterns: Sequence[str] | None = None) -> IntentMatcher:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        intents = {name: spec or {} for name, spec in (data.get("intents") or {}).items()}

        def field(key: str) -> dict[str, list[str]]:
            return {name: [str(v) for v in spec.get(key) or []] for name, spec in intents.items()}

        return cls(
            synonyms={str(k): str(v) for k, v in (data.get("synonyms") or {}).items()},
            keywords=field("keywords"),
            weak_keywords=field("weak_keywords"),
            examples=field("examples"),
            extra_words=[str(w) for w in data.get("words") or []],
            order_patterns=order_patterns,
        )

    @classmethod
    def shared(cls, path: Path, order_patterns: Sequence[str] | None = None) -> IntentMatcher:
        """The matcher of `path` as it is now, built once per process (`from_yaml` takes about half a
        second, and a process may open many runtimes: tests, commands).

        Keyed by the file's size and modification time, so an edited intents.yaml gets a new matcher.
        Sharing is safe because a matcher never changes after it is built; a feature that teaches it
        new phrases builds a new one.
        """
        stat = Path(path).stat()
        return _shared_matcher(str(Path(path).resolve()), stat.st_mtime_ns, stat.st_size,
                               tuple(order_patterns) if order_patterns is not None else None)

    def _classify(self, text: str) -> IntentMatch:
        if not text or text.isspace():
            return IntentMatch(UNKNOWN, 0.0, None, None)
        order_no, case_no, rest = split_numbers(text, self._order_patterns)
        canon = self._analyzer.canon(rest)
        intent, confidence = self._decide_cached(canon, case_no is not None) if canon else (UNKNOWN, 0.0)
        if intent == UNKNOWN and confidence == 0.0:
            if case_no:
                intent, confidence = _PROGRESS, _CASE_ONLY_CONFIDENCE
            elif order_no:
                intent, confidence = _TRACK, _ORDER_ONLY_CONFIDENCE
        return IntentMatch(intent, confidence, order_no, case_no)

    def _decide(self, canon: str, has_case: bool) -> tuple[str, float]:
        hits = [h for h in self._keywords.find(canon) if not _negated(canon, h.start)]
        strong = _longest(h for h in hits if not h.weak)
        weak = _longest(h for h in hits if h.weak)
        if strong and all(i in _SOCIAL_RANKS for i in strong):
            # 你好 今天能发吗: a greeting/thanks/goodbye keyword does not silence a business question
            business = {i: n for i, n in weak.items() if _rank(i) <= _BUSINESS_RANK}
            if business:
                strong, weak = {}, business
        if has_case:  # a case number is itself a strong after-sales progress signal
            strong.setdefault(_PROGRESS, 2)
        sims = self._similarities(canon)
        if strong or weak:
            winner, contested = _by_precedence(strong or weak, sims)
            confidence = self._keyword_confidence(bool(strong), sims.get(winner, 0.0), contested)
            if winner not in _SOCIAL_RANKS:
                return winner, confidence
            # 在吗/谢谢/拜拜 around a question without keywords: is the rest business?
            chars = list(canon)
            for h in hits:
                chars[h.start : h.end] = " " * (h.end - h.start)
            rest = "".join(chars)
            if len(set(rest) - {" "}) < _OVERRIDE_MIN_CHARS:
                return winner, confidence
            best, s1 = _best_business(self._similarities(rest))
            if s1 < _OVERRIDE_SIM:
                return winner, confidence
            sims = {best: s1}
        ranked = sorted(sims.items(), key=lambda kv: kv[1], reverse=True)
        best, s1 = ranked[0] if ranked else (UNKNOWN, 0.0)
        s2 = ranked[1][1] if len(ranked) > 1 else 0.0
        if s1 < _SIM_FLOOR:
            return UNKNOWN, 0.0
        return best, min(1.0, s1 + 0.15) * (1.0 - 0.5 * (s2 / s1) ** 2)

    def _similarities(self, canon: str) -> dict[str, float]:
        return self._index.scores(self._analyzer.features(canon)) if canon.strip() else {}

    @staticmethod
    def _keyword_confidence(strong: bool, support_sim: float, contested: bool) -> float:
        support = min(1.0, support_sim / _FULL_SUPPORT_SIM)
        base = _STRONG_BASE if strong else _WEAK_BASE
        return base + 0.25 * support - (_CONTESTED_PENALTY if contested else 0.0)


def _negated(canon: str, start: int) -> bool:
    return start > 1 and _NEGATED.search(canon, max(0, start - _NEGATION_WINDOW), start) is not None


def _longest(hits: Iterable[Hit]) -> dict[str, int]:
    """Intent -> length of its longest keyword among `hits`."""
    found: dict[str, int] = {}
    for h in hits:
        found[h.intent] = max(found.get(h.intent, 0), h.length)
    return found


def _best_business(sims: Mapping[str, float]) -> tuple[str, float]:
    business = [(i, s) for i, s in sims.items() if _rank(i) <= _BUSINESS_RANK]
    return max(business, key=lambda kv: kv[1], default=(UNKNOWN, 0.0))


def _by_precedence(hits: Mapping[str, int], sims: Mapping[str, float]) -> tuple[str, bool]:
    """The keyword-hit intent that wins by the precedence of R-ANSWER-5, and whether its tier was contested."""
    top = min(_rank(i) for i in hits)
    tied = [i for i in hits if _rank(i) == top]
    if _PROGRESS in tied and _REFUND not in tied:
        return _PROGRESS, False  # the status of a return/exchange/... case; money stays refund
    winner = max(tied, key=lambda i: sims.get(i, 0.0) + 0.05 * hits[i])
    return winner, len(tied) > 1


@lru_cache(maxsize=4)
def _shared_matcher(path: str, mtime_ns: int, size: int, order_patterns: tuple[str, ...] | None) -> IntentMatcher:
    return IntentMatcher.from_yaml(Path(path), order_patterns)
