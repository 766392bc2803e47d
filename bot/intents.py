"""Intent matcher: which of the shop's intents (docs/rules.md R-ANSWER-4) a customer message is about.

No model is downloaded and nothing leaves the process: the shop's own phrases in
`scripts_zh/intents.yaml` are the model, so staff can fix a miss by adding an example. Two signals:
- keywords (specific phrases, "*" gaps allowed: 钱*退): when keywords of several intents occur, the
  precedence of R-ANSWER-5 (declared by the areas, bot/intent_areas.py) decides: human > complaint >
  after_sales.* > logistics.* > other business intents > goodbye > thanks > greeting > unknown. Weak
  keywords (question forms such as 有优惠吗 that attach to any topic) count only when no strong one
  occurs. Greeting/thanks/goodbye keywords yield when the rest of the message clearly matches a
  business example ("在吗 发个实物图 看看" is a product question). Within after_sales.*, a status keyword
  (处理了吗, 退货*收到) makes a message about a return, exchange, damage or missing item
  `after_sales.progress`; about money it stays `after_sales.refund` (R-ANSWER-4: "退款什么时候到账" is
  refund);
- similarity to the example phrases (TF-IDF cosine over jieba words and character pairs, best
  example per intent), which generalises to wordings no keyword foresaw.

Beside the rules, a learned model (bot/intent_model.py: naive Bayes over character n-grams, trained
at start-up on the examples and the training corpus `scripts_zh/intents_train.tsv`; the shop's
learned examples fit a correction on top, bot/intent_adapt.py) covers what no keyword foresaw:
symptoms, counts, pinyin, typos; its prior is the typical shop's mix of intents (`traffic_share` in
intents.yaml). The two are combined and the confidence calibrated as
bot/intent_calibration.py describes; `decision` is the intent the bot acts on: the intent when its
confidence reaches the threshold, otherwise `unknown` (the bot asks). Text that matches nothing is
`unknown` with confidence 0.

Order and case numbers are cut out before classifying (their digits are not words). A message that
is only a case number is `after_sales.progress` (0.6: a case number is asked about for its
progress); one that is only an order number (or an order number with words that match nothing) is
`logistics.track` with 0.45, below the default threshold, so the dispatcher asks what the customer
wants while already holding the order number.
"""

from __future__ import annotations

import contextlib
import copy
import logging
import math
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.extract import compile_order_patterns, split_numbers
from bot.file_stamp import file_stamp
from bot.intent_adapt import Example, ShopCorrection, fit_settings, fitting, trusting
from bot.intent_areas import Precedence
from bot.intent_cache import FitCache, key_of, load_jieba_dictionary
from bot.intent_calibration import SHORT_MESSAGE, Blend
from bot.intent_index import Analyzer, ExampleIndex, Hit, KeywordSpotter, negated_spans, unnegated
from bot.intent_model import MODEL_VERSION, NaiveBayes, ngrams
from bot.intent_shop import ShopFit, ShopNeighbours, vote_settings
from bot.jieba_import import jieba

log = logging.getLogger("csbot.intents")
UNKNOWN = "unknown"
DEFAULT_MODEL_CACHE = Path(__file__).resolve().parent.parent / "data" / "cache"
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when built in: 10x faster
DEFAULT_THRESHOLD = 0.6  # Settings.confidence_threshold's default
TRAINING_FILE = "intents_train.tsv"  # beside intents.yaml: text TAB intent TAB group, with a header
CALIBRATION_FILE = "intents_calibration.json"  # written by `main.py intents calibrate`
LEARNED_CONFIDENCE = 0.95  # a message worded exactly like a learned example
DECISION_CACHE_SIZE = 8192
OFFSETS_STEP = 20  # learned examples classified (about 1 ms each) between two yields of `calibrating`

_SIM_FLOOR = 0.3  # below this best similarity, nothing fits
_OVERRIDE_SIM = 0.45  # the rest of a greeting/thanks/goodbye message this similar to a business
_OVERRIDE_MIN_CHARS = 3  # example, with this many different characters, makes it that intent
_STRONG_BASE = 0.7  # confidence of a keyword decision, + up to 0.25 as examples agree
_WEAK_BASE = 0.6
_FULL_SUPPORT_SIM = 0.6  # example similarity that counts as full agreement with the keyword
_CONTESTED_PENALTY = 0.1  # several intents of the winning tier had keywords
_CASE_ONLY_CONFIDENCE = 0.6
# A refusal with fewer than _THIN_REST characters besides it (particles apart) where no strong keyword speaks: the
# model's word on one or two characters is no evidence (naive Bayes is surest on the fewest n-grams:
# 不要打电话给我 left 给我, a refund at 0.83), so below the default threshold: the bot asks.
_THIN_REST = 3
_THIN_REFUSAL_CONFIDENCE = 0.45
_PARTICLES = frozenset("了啦吧呢啊哈哦呀嘛哇噢的")
_ORDER_ONLY_CONFIDENCE = 0.45
PRIOR_WEIGHT = 2.0  # naive Bayes units per unit of log share (0.5 in the blend's logits at temperature 4)
SHOP_VETO = 1.0  # logit units (docs/intents.md: 1 and 2 measured alike; infinite: a shop never vetoes)


#: Words this process gave jieba's dictionary (`add_jieba_words`).
_JIEBA_WORDS_ADDED: set[str] = set()


def add_jieba_words(words: Iterable[str]) -> None:
    """Give jieba each word once per process. `jieba.add_word` adds the word's frequency to the
    dictionary's total every time: a matcher's keyword pieces repeat (补发 six times), and a second matcher
    built in one process (a test process, a tool building two) added them all again, so it cut texts a
    little differently from a process that built one (a worker, its classifier process), and the child's
    confidences differed from its worker's (tests/test_classifier_process.py). Once per word also changes
    a single build's cuts: 8 of 14,445 corpus and shop texts are cut otherwise, confidences moved by up to
    0.05, no intent or decision changed (docs/intents.md)."""
    for word in words:
        if word not in _JIEBA_WORDS_ADDED:
            jieba.add_word(word)
            _JIEBA_WORDS_ADDED.add(word)


def warm_up_jieba() -> None:
    """Load jieba's dictionary now (idempotent, quiet), not on the first customer message. jieba keeps
    its cache file in our cache directory, not in /tmp where another user could plant it or keep ours
    from being read."""
    jieba.setLogLevel(logging.WARNING)
    if jieba.dt.tmp_dir is None and not jieba.dt.initialized:
        with contextlib.suppress(OSError):  # unwritable: jieba's default place
            DEFAULT_MODEL_CACHE.mkdir(parents=True, exist_ok=True)
            jieba.dt.tmp_dir = str(DEFAULT_MODEL_CACHE)
    load_jieba_dictionary()  # jieba's own cache file, read about 3x faster (bot/intent_cache.py)
    jieba.initialize()


@dataclass(frozen=True, slots=True)
class IntentMatch:
    intent: str
    confidence: float
    order_no: str | None
    case_no: str | None
    #: What the bot acts on: `intent` when `confidence` reaches the threshold, else `unknown` (it asks).
    decision: str = UNKNOWN

    def as_json(self, text: str) -> dict[str, Any]:
        return {
            "text": text,
            "intent": self.intent,
            "confidence": round(self.confidence, 3),
            "decision": self.decision,
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
        precedence: Precedence,
        extra_words: Sequence[str] = (),
        order_patterns: Sequence[str] | None = None,
        training: Sequence[tuple[str, str]] = (),
        blend: Blend | None = None,
        threshold: float = DEFAULT_THRESHOLD,
        model_cache: Path | None = None,
        cache_size: int = DECISION_CACHE_SIZE,
        traffic_share: Mapping[str, float] | None = None,
    ) -> None:
        warm_up_jieba()
        #: The process that built it: a `serve` worker's matcher is built before the fork (bot/worker_preload.py).
        self.built_by = os.getpid()
        self.intents: tuple[str, ...] = tuple(dict.fromkeys([*keywords, *weak_keywords, *examples]))
        self.precedence = precedence  # the areas' intents (bot/intent_areas.py)
        self._analyzer = Analyzer(synonyms)
        strong, weak = self._canon_keywords(keywords), self._canon_keywords(weak_keywords)
        pieces = (p for kws in (strong, weak) for ks in kws.values() for k in ks for p in k.split("*"))
        add_jieba_words(word for word in [*extra_words, *pieces] if len(word) > 1 and not word.isascii())
        self._keywords = KeywordSpotter(strong, weak)
        self._index = ExampleIndex(
            (intent, self._analyzer.features(unnegated(self._analyzer.canon(text))))
            for intent, texts in examples.items()
            for text in texts
        )
        self._order_patterns = compile_order_patterns(order_patterns)
        self.blend = blend or Blend()
        self.threshold = threshold
        self._example_counts = {intent: len(texts) for intent, texts in examples.items()}
        self._learned_texts: dict[str, str] = {}  # canonical text of a learned example -> its intent
        labelled = [(text, intent) for intent, texts in examples.items() for text in texts]
        labelled += training
        self._fits = FitCache(model_cache)
        self._model = self._trained_model(labelled, synonyms)
        self._prior = _log_prior(self._model.intents, traffic_share or {})
        #: What a shop's correction depends on besides its examples (the general matcher's logits for them).
        self._general_key = key_of(self._model_key, sorted(keywords.items()), sorted(weak_keywords.items()),
                                   sorted(examples.items()), sorted(extra_words), self.blend, self._prior,
                                   _stable(precedence))
        self._shop = ShopNeighbours(self._model.document_frequency, self._model.documents)
        #: The shop's learned examples: (canonical text, intent) -> whether a case number came with it.
        self._learned: dict[tuple[str, str], bool] = {}
        #: Learned examples as the correction fits them (their offsets cost a classification each).
        self._examples: dict[tuple[str, str, bool], Example] = {}
        self._correction: ShopCorrection | None = None  # fitted on `_learned` (bot/intent_adapt.py)
        self._lessons = 0  # calls of `learn`: a fit begun before the latest one is not installed
        # Customers repeat themselves (你好, 在吗, 转人工, the same question with another order number):
        # the decision depends only on the canonical words, so it is remembered for recent ones,
        # and most often with the very same words: those skip number extraction and normalisation too.
        # `cache_size=0` remembers nothing (settings.intent_cache_size; benchmarks measure first sight).
        self._cache_size = cache_size
        self._install_caches()

    def _install_caches(self) -> None:
        size = self._cache_size
        self._decide_cached = lru_cache(maxsize=size)(self._decide) if size else self._decide
        self.classify = lru_cache(maxsize=size)(self._classify) if size else self._classify  # type: ignore[method-assign]

    def fork(self) -> IntentMatcher:
        """A matcher of its own for one runtime, sharing what `shared` built: its threshold and its
        learned examples are its own (the general model is never changed by learning)."""
        twin = copy.copy(self)
        twin._shop = self._shop.copy()
        twin._learned_texts = dict(self._learned_texts)
        twin._learned = dict(self._learned)
        twin._examples = dict(self._examples)
        twin._install_caches()
        return twin

    def _trained_model(self, labelled: list[tuple[str, str]], synonyms: Mapping[str, str]) -> NaiveBayes:
        """The model fitted on `labelled`, from the fit cache when the same data was fitted before
        (bot/intent_cache.py)."""
        patterns = [p.pattern for p in self._order_patterns]
        key = self._model_key = key_of(MODEL_VERSION, self.intents, sorted(synonyms.items()), patterns, labelled)
        model = self._fits.load("model", key, NaiveBayes)
        if model is None:
            model = NaiveBayes(self.intents)
            model.fit((self._ngrams(text), intent) for text, intent in labelled)
            self._fits.save("model", key, model)
        return model

    def _canon_keywords(self, keywords: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
        """Keywords in the messages' canonical form; "*" gaps are kept."""
        canon = {
            intent: ["*".join(self._analyzer.canon(piece) for piece in k.split("*")) for k in ks]
            for intent, ks in keywords.items()
        }
        return {intent: [k for k in ks if k.strip("*")] for intent, ks in canon.items()}

    @classmethod
    def from_yaml(
        cls, path: Path, precedence: Precedence, order_patterns: Sequence[str] | None = None,
        threshold: float = DEFAULT_THRESHOLD,
        training: Sequence[tuple[str, str]] | None = None, model_cache: Path | None = DEFAULT_MODEL_CACHE,
        cache_size: int = DECISION_CACHE_SIZE,
    ) -> IntentMatcher:
        """The matcher of `path`; the training corpus and calibration beside it are used when present
        (`training` replaces the corpus: cross-validation trains on part of it)."""
        path = Path(path)
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER) or {}
        intents = {name: spec or {} for name, spec in (data.get("intents") or {}).items()}

        def field(key: str) -> dict[str, list[str]]:
            return {name: [str(v) for v in spec.get(key) or []] for name, spec in intents.items()}

        return cls(
            synonyms={str(k): str(v) for k, v in (data.get("synonyms") or {}).items()},
            keywords=field("keywords"),
            weak_keywords=field("weak_keywords"),
            examples=field("examples"),
            precedence=precedence,
            extra_words=[str(w) for w in data.get("words") or []],
            order_patterns=order_patterns,
            training=read_training(path.parent / TRAINING_FILE) if training is None else training,
            blend=Blend.load(path.parent / CALIBRATION_FILE) if (path.parent / CALIBRATION_FILE).exists() else None,
            threshold=threshold,
            model_cache=model_cache,
            cache_size=cache_size,
            traffic_share={str(k): float(v) for k, v in (data.get("traffic_share") or {}).items()},
        )

    def learn(self, examples: Iterable[tuple[str, str]], forget: Iterable[tuple[str, str]] = (),
              calibrate: bool = True) -> int:
        """Add labelled messages (the shop's learned examples), after forgetting `forget` (earlier
        labels of relabelled messages); returns how many were added.

        The shop's examples fit a correction on top of the general matcher (bot/intent_adapt.py), are
        kept whole for the neighbour vote (bot/intent_shop.py), and a message whose words are exactly
        those of a learned example gets that example's intent (a person said so) with
        LEARNED_CONFIDENCE. `calibrate` refits the correction and the vote's confidence on all
        learned examples (skip it for all chunks but the last of a big import, or step through
        `calibrating`). Intents this matcher does not know are skipped. Remembered decisions are
        forgotten."""
        intents = self._model.intents
        self._lessons += 1
        for text, intent in forget:
            if intent in intents:
                canon = self._canon_text(text)
                self._shop.remove(_features(canon), intent)
                self._learned.pop((canon, intent), None)
                for has_case in (False, True):
                    self._examples.pop((canon, intent, has_case), None)
                if self._learned_texts.get(canon) == intent:
                    del self._learned_texts[canon]
        count = 0
        for text, intent in examples:
            if intent in intents:
                _, case_no, rest = split_numbers(text, self._order_patterns)
                canon = self._analyzer.canon(rest)
                self._shop.add(_features(canon), intent)
                self._learned[(canon, intent)] = case_no is not None
                self._learned_texts[canon] = intent
                count += 1
        if calibrate:
            for _ in self.calibrating():
                pass
        self.forget_decisions()
        return count

    def _learned_example(self, canon: str, intent: str, has_case: bool) -> Example:
        """A learned example with the general matcher's logits for it (the correction's offset)."""
        known = self._examples.get((canon, intent, has_case))
        if known is not None:
            return known
        feats = _features(canon)
        rule_intent, rule_confidence = self._decide(canon, has_case)
        logits = self.blend.logits(self.precedence, self._model.intents, self._log_scores(feats), rule_intent,
                                   rule_confidence, _short(canon))
        example = self._examples[(canon, intent, has_case)] = Example(tuple(feats), logits,
                                                                      self._model.intents.index(intent))
        return example

    def shop_fit_key(self) -> str:
        """The key the fit of the examples learned now is kept under (bot/intent_cache.py)."""
        return key_of(self._general_key, fit_settings(), vote_settings(), list(self._learned.items()))

    def calibrating(self) -> Iterator[None]:
        """Refit the correction and the neighbour vote's confidence on the learned examples in steps
        (bot/intent_adapt.py, bot/intent_shop.py): a worker on the event loop awaits between the
        steps. The new correction replaces the old one when it is complete, unless more was learned
        meanwhile (the refit that follows that learning installs its own)."""
        lessons = self._lessons
        learned = list(self._learned.items())
        key = self.shop_fit_key()
        fit = self._fits.load("shop", key, ShopFit) if learned else None
        if fit is None:
            curve = yield from self._shop.fitting_curve()
            correction = None
            if learned:
                examples = []
                for n, ((canon, intent), has_case) in enumerate(learned, start=1):
                    examples.append(self._learned_example(canon, intent, has_case))
                    if n % OFFSETS_STEP == 0:
                        yield
                for correction in fitting(examples, len(self._model.intents)):
                    if correction is None:
                        yield
                for trust in trusting(examples, len(self._model.intents)):
                    if trust is None:
                        yield
                    elif correction is not None:
                        correction = correction.trusted(trust)
            fit = ShopFit(correction, curve)
            if learned and lessons == self._lessons:  # else examples learned meanwhile took part in the votes
                self._fits.save("shop", key, fit)
        if lessons == self._lessons:
            self._shop.use_curve(fit.vote_curve)
            self._correction = fit.correction or None
            self.forget_decisions()

    def forget_decisions(self) -> None:
        """Drop every remembered decision (after learning; benchmarks measure first sight)."""
        for cached in (self.classify, self._decide_cached):
            if hasattr(cached, "cache_clear"):  # absent with cache_size=0: nothing is remembered
                cached.cache_clear()

    def example_counts(self) -> dict[str, int]:
        """Examples per intent written in intents.yaml."""
        return dict(self._example_counts)

    def signals(self, text: str) -> tuple[Sequence[float], str, float, bool, int] | None:
        """The model's log-likelihoods, the rules' intent and score, whether the message is short, and
        its characters (None when no words remain)."""
        _, case_no, rest = split_numbers(text, self._order_patterns)
        canon = self._analyzer.canon(rest)
        if not canon:
            return None
        rule_intent, rule_confidence = self._decide_cached(canon, case_no is not None)
        return self._log_scores(_features(canon)), rule_intent, rule_confidence, _short(canon), _chars(canon)

    def _log_scores(self, feats: set[str]) -> list[float]:
        """The model's log-likelihoods plus the log prior of the shop's traffic (`traffic_share`)."""
        return self._model.log_scores(feats, self._prior)

    def _canon_text(self, text: str) -> str:
        return self._analyzer.canon(split_numbers(text, self._order_patterns)[2])

    def _ngrams(self, text: str) -> set[str]:
        return _features(self._canon_text(text))

    def _decision(self, intent: str, confidence: float) -> str:
        return intent if confidence >= self.threshold and confidence > 0 else UNKNOWN
    @classmethod
    def shared(
        cls, path: Path, precedence: Precedence, order_patterns: Sequence[str] | None = None,
        cache_size: int = DECISION_CACHE_SIZE,
    ) -> IntentMatcher:
        """The matcher of `path` as it is now, built once per process (`from_yaml` takes about half a
        second, and a process may open many runtimes: tests, commands).

        Keyed by the size and modification time of intents.yaml and of the training corpus and
        calibration beside it, so an edited file gets a new matcher (also in a `serve` worker forked
        with the matcher built before, bot/worker_preload.py). Sharing is safe because nobody changes
        this matcher: a runtime teaches and tunes its own `fork()`.
        """
        path = Path(path).resolve()
        files = tuple(file_stamp(file) for file in (path, path.parent / TRAINING_FILE, path.parent / CALIBRATION_FILE))
        return _shared_matcher(str(path), files, precedence,
                               tuple(order_patterns) if order_patterns is not None else None, cache_size)

    def _classify(self, text: str) -> IntentMatch:
        if not text or text.isspace():
            return IntentMatch(UNKNOWN, 0.0, None, None)
        order_no, case_no, rest = split_numbers(text, self._order_patterns)
        canon = self._analyzer.canon(rest)
        intent, confidence = UNKNOWN, 0.0
        if canon and canon in self._learned_texts:
            intent, confidence = self._learned_texts[canon], LEARNED_CONFIDENCE
        elif canon:
            rule_intent, rule_confidence = self._decide_cached(canon, case_no is not None)
            asked_for = unnegated(canon)  # canon itself when nothing is refused
            feats = ngrams(asked_for)
            scores = self._model.log_scores(feats, self._prior)
            chars = _chars(canon)
            logits = self.blend.logits(self.precedence, self._model.intents, scores, rule_intent, rule_confidence,
                                       chars <= SHORT_MESSAGE)
            precedence_confidence = rule_confidence
            general, correction = None, self._correction  # the general matcher's intent, which it may overturn
            if correction is not None:
                general = Blend.decide(self.precedence, self._model.intents, logits, rule_intent, rule_confidence)[0]
                base, logits = logits, correction.logits(feats, logits)
                if self._shop_disagrees(base, logits, rule_intent):
                    precedence_confidence = 0.0  # the rules' intent still counts, but does not override
            intent, probability, agree = Blend.decide(self.precedence, self._model.intents, logits, rule_intent,
                                                      precedence_confidence)
            confidence = self.blend.calibrate(probability, agree, None if intent == UNKNOWN else chars)
            if correction is not None and intent != general:  # as far as the shop's own folds trust an overturn
                confidence = min(confidence, correction.overturn_trust)
            if asked_for is not canon and _thin(asked_for) and not (intent == rule_intent
                                                                   and rule_confidence >= _STRONG_BASE):
                confidence = min(confidence, _THIN_REFUSAL_CONFIDENCE)
            if intent == UNKNOWN and rule_intent == UNKNOWN and rule_confidence == 0.0:
                confidence = 0.0  # nothing the shop serves: let the numbers below speak
            if len(self._shop):
                intent, confidence = self._with_neighbours(feats, intent, confidence)
        if intent == UNKNOWN and confidence == 0.0:
            if case_no and self.precedence.case_number:
                intent, confidence = self.precedence.case_number, _CASE_ONLY_CONFIDENCE
            elif order_no and self.precedence.order_number:
                intent, confidence = self.precedence.order_number, _ORDER_ONLY_CONFIDENCE
        return IntentMatch(intent, confidence, order_no, case_no, self._decision(intent, confidence))

    def _shop_disagrees(self, base: Sequence[float], corrected: Sequence[float], rule_intent: str) -> bool:
        """Whether the shop's correction speaks against the rules' intent (by SHOP_VETO against the
        corrected winner): then a keyword's precedence (R-ANSWER-5) does not override the winner.

        A shop's customers may use a keyword of a higher-precedence intent for something else (人工修改
        地址 is an address change, not a request for a person); once the shop taught that, its
        correction lowers that intent for such messages, and a precedence that ignored it would undo
        what the shop taught."""
        intents = self._model.intents
        if rule_intent not in intents:
            return False
        r = intents.index(rule_intent)
        t = max(range(len(corrected)), key=corrected.__getitem__)
        return (corrected[r] - base[r]) - (corrected[t] - base[t]) < -SHOP_VETO

    def _with_neighbours(self, feats: set[str], intent: str, confidence: float) -> tuple[str, float]:
        """The decision once the shop's learned examples voted (bot/intent_shop.py).

        When the vote agrees, the surer of the two confidences (they are not independent: the model
        learned the same examples). When it differs, each side is right only if the other is wrong:
        the surer side wins with p(1 - q) / (p(1 - q) + q(1 - p)), so two near-equal opinions make
        the bot ask."""
        vote = self._shop.vote(feats)
        if vote is None:
            return intent, confidence
        voted, strength = vote
        voted_confidence = self._shop.confidence(strength)
        if voted == intent:
            return intent, max(confidence, voted_confidence)
        p, q = max(voted_confidence, confidence), min(voted_confidence, confidence)
        both = p * (1 - q) + q * (1 - p)
        winner = voted if voted_confidence > confidence else intent
        return winner, p * (1 - q) / both if both else 0.0

    def _decide(self, canon: str, has_case: bool) -> tuple[str, float]:
        hits = self._keywords.find(canon)
        # "不是要退货", "不用转人工了 谢谢", "别打电话": a keyword in what a cue negates is what the customer
        # does NOT want, so it does not count, nor do those words for the examples' similarity (the rest
        # decides, bot/intent_index.py `negated_spans`). A keyword that begins with the cue (不要机器人,
        # 不想退*换) is a request of its own and counts.
        spans = negated_spans(canon)
        if spans:
            hits = [h for h in hits if not any(cue < h.start < end for cue, _, end in spans)]
            canon = unnegated(canon, spans)
        strong, weak = _longest(hits)
        precedence = self.precedence
        if strong and all(i in precedence.social for i in strong):
            # 你好 今天能发吗: a greeting/thanks/goodbye keyword does not silence a business question
            business = {i: n for i, n in weak.items() if precedence.is_business(i)}
            if business:
                strong, weak = {}, business
        if has_case and precedence.case_number:  # a case number is itself a strong signal (R-ANSWER-6)
            strong.setdefault(precedence.case_number, 2)
        if strong or weak:
            sims = self._similarities(canon, among=strong or weak)  # only the candidates' are looked at
            winner, contested = _by_precedence(precedence, strong or weak, sims)
            confidence = self._keyword_confidence(bool(strong), sims.get(winner, 0.0), contested)
            if winner not in precedence.social:
                return winner, confidence
            # 在吗/谢谢/拜拜 around a question without keywords: is the rest business?
            chars = list(canon)
            for h in hits:
                chars[h.start : h.end] = " " * (h.end - h.start)
            rest = "".join(chars)
            if len(set(rest) - {" "}) < _OVERRIDE_MIN_CHARS:
                return winner, confidence
            best, s1 = _best_business(precedence, self._similarities(rest))
            if s1 < _OVERRIDE_SIM:
                return winner, confidence
            sims = {best: s1}
        else:
            sims = self._similarities(canon)
        ranked = sorted(sims.items(), key=lambda kv: kv[1], reverse=True)
        best, s1 = ranked[0] if ranked else (UNKNOWN, 0.0)
        s2 = ranked[1][1] if len(ranked) > 1 else 0.0
        if s1 < _SIM_FLOOR:
            return UNKNOWN, 0.0
        return best, min(1.0, s1 + 0.15) * (1.0 - 0.5 * (s2 / s1) ** 2)

    def _similarities(self, canon: str, among: Iterable[str] | None = None) -> dict[str, float]:
        return self._index.scores(self._analyzer.features(canon), among) if canon.strip() else {}

    @staticmethod
    def _keyword_confidence(strong: bool, support_sim: float, contested: bool) -> float:
        support = min(1.0, support_sim / _FULL_SUPPORT_SIM)
        base = _STRONG_BASE if strong else _WEAK_BASE
        return base + 0.25 * support - (_CONTESTED_PENALTY if contested else 0.0)


def _log_prior(intents: Sequence[str], share: Mapping[str, float]) -> list[float]:
    """Per intent, PRIOR_WEIGHT x (log share - mean log share) of the shares given; 0 where none is.

    The naive Bayes model alone has a uniform prior: a broad intent such as product.consult (any
    question about any product: its n-grams spread thin) lost borderline messages to narrow ones
    (damaged, promotion, referral) though customers ask product questions most. A shop's own mix is
    learned on top (bot/intent_adapt.py's biases)."""
    logs = {i: math.log(share[i]) for i in intents if share.get(i, 0) > 0}
    if not logs:
        return [0.0] * len(intents)
    mean = sum(logs.values()) / len(logs)
    return [PRIOR_WEIGHT * (logs[i] - mean) if i in logs else 0.0 for i in intents]


def _stable(precedence: Precedence) -> tuple[Any, ...]:
    """The precedence as data whose repr is the same in every process (a frozenset's is not)."""
    p = precedence
    return (p.exact, p.families, sorted(p.social), p.case_number, p.order_number, p.status,
            sorted(p.status_yields_to))


def _features(canon: str) -> set[str]:
    """The model's n-grams of what the customer asks for: what a cue refuses is cut out first
    (bot/intent_index.py `unnegated`). Kept as marked n-grams ("!打电话") they learned the label of the
    rest of the training message they sat in, and decided a message that was all refusal, confidently
    and wrongly (docs/intents.md, "Negation: what is refused is no evidence (neg1)")."""
    return ngrams(unnegated(canon))


def _thin(asked_for: str) -> bool:
    """Whether a message's words besides what it refuses are too few to act on (`_THIN_REST`)."""
    return sum(1 for c in asked_for if not c.isspace() and c not in _PARTICLES) < _THIN_REST


def _short(canon: str) -> bool:
    return _chars(canon) <= SHORT_MESSAGE


def _chars(canon: str) -> int:
    return len(canon) - canon.count(" ")


def _longest(hits: Iterable[Hit]) -> tuple[dict[str, int], dict[str, int]]:
    """Intent -> length of its longest keyword among `hits`, for the strong and the weak ones."""
    strong: dict[str, int] = {}
    weak: dict[str, int] = {}
    for h in hits:
        found = weak if h.weak else strong
        found[h.intent] = max(found.get(h.intent, 0), h.length)
    return strong, weak


def _best_business(precedence: Precedence, sims: Mapping[str, float]) -> tuple[str, float]:
    business = [(i, s) for i, s in sims.items() if precedence.is_business(i)]
    return max(business, key=lambda kv: kv[1], default=(UNKNOWN, 0.0))


def _by_precedence(precedence: Precedence, hits: Mapping[str, int], sims: Mapping[str, float]) -> tuple[str, bool]:
    """The keyword-hit intent that wins by the precedence of R-ANSWER-5, and whether its tier was contested."""
    if len(hits) == 1 and precedence.status not in hits:  # most messages: one intent, nothing to rank
        return next(iter(hits)), False
    rank = precedence.rank
    top = min(rank(i) for i in hits)
    tied = [i for i in hits if rank(i) == top]
    status = precedence.status
    if status in tied:
        money = precedence.status_yields_to.intersection(tied)
        if not money:
            return status, False  # the status of a return/exchange/... case
        if len(money) == 1:  # 退回去的货你们签收了 怎么还没退款: the case is asked about for its money
            return next(iter(money)), True
    winner = max(tied, key=lambda i: sims.get(i, 0.0) + 0.05 * hits[i])
    return winner, len(tied) > 1


def read_training(path: Path) -> list[tuple[str, str]]:
    """(text, intent) rows of a training corpus file; none when the shop has no such file."""
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()[1:]
    return [(cols[0], cols[1]) for cols in (line.split("\t") for line in lines) if len(cols) >= 2]
@lru_cache(maxsize=4)
def _shared_matcher(
    path: str, files: tuple[tuple[int, int] | None, ...], precedence: Precedence,
    order_patterns: tuple[str, ...] | None, cache_size: int,
) -> IntentMatcher:
    return IntentMatcher.from_yaml(Path(path), precedence, order_patterns, cache_size=cache_size)



def precedence_of(extensions: Iterable[Any]) -> Precedence:
    """The precedence the areas' `Extension.intents` declare (bot/extension.py)."""
    return Precedence.of(e.intents for e in extensions if getattr(e, "intents", None) is not None)

