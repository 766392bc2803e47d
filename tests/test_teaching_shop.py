"""What a shop teaches outweighs a generic example (issue 13): the vote of its nearest learned
examples, the correction fitted on them and the shop's own mix of intents (bot/intent_shop.py,
bot/intent_adapt.py, bot/intents.py). The sentences are written for these tests (a shop selling 小蓝瓶 serum, 云朵枕
pillows and 青柠 bags)."""

from __future__ import annotations

import random

import pytest

from bot import intent_shop, intents
from bot.intent_adapt import Example, trusting
from bot.intent_cache import FitCache
from bot.intent_model import ngrams
from bot.intent_shop import MIN_EXAMPLES, NEAR_DUPLICATE_CONFIDENCE, ShopNeighbours
from bot.intents import IntentMatcher

SHOP = [
    ("小蓝瓶到了吗", "product.consult"),
    ("云朵枕补货了吗", "product.consult"),
    ("青柠包还有绿色的吗", "product.consult"),
]


def test_a_rewording_of_a_learned_example_takes_its_intent(matcher: IntentMatcher) -> None:
    before = matcher.classify("亲 小蓝瓶到货了吗")
    assert before.decision != "product.consult"  # 到了吗 reads like a parcel or a case to the corpus
    matcher.learn(SHOP)
    after = matcher.classify("亲 小蓝瓶到货了吗")
    assert (after.intent, after.decision) == ("product.consult", "product.consult")
    assert after.confidence > before.confidence


def test_what_the_shop_taught_does_not_swallow_other_intents(matcher: IntentMatcher) -> None:
    matcher.learn(SHOP)
    for text, intent in [("快递到哪了 三天没动", "logistics.track"), ("东西收到是坏的 要退货", "after_sales.damaged"),
                         ("转人工", "human")]:
        assert matcher.classify(text).decision == intent, text


def test_learning_in_one_fork_leaves_the_shared_matcher_alone(matcher: IntentMatcher) -> None:
    twin = matcher.fork()
    twin.learn(SHOP)
    assert twin.classify("亲 小蓝瓶到货了吗").decision == "product.consult"
    assert matcher.classify("亲 小蓝瓶到货了吗").decision != "product.consult"


def test_a_relabelled_example_moves_its_weight_and_its_vote(matcher: IntentMatcher) -> None:
    matcher.learn(SHOP)
    matcher.learn([("小蓝瓶到了吗", "logistics.track")], forget=[("小蓝瓶到了吗", "product.consult")])
    assert matcher.classify("小蓝瓶到了吗 亲").decision == "logistics.track"


# 喵币 is this shop's name for its loyalty points: the corpus never saw it.
POINTS = [("喵币怎么用", "membership"), ("喵币在哪领", "membership"), ("喵币能抵多少钱", "membership"),
          ("喵币过期了吗", "membership"), ("喵币可以换罐头吗", "membership")]


def test_the_shops_own_word_carries_to_its_other_phrasings(matcher: IntentMatcher) -> None:
    """The correction learns that 喵币 means membership in this shop, so messages worded unlike any
    learned example (no near neighbour) are decided by it too."""
    unseen = ["喵币攒了好多 怎么花", "喵币到底值几毛", "喵币还剩几个"]
    assert all(matcher.classify(t).decision != "membership" for t in unseen)
    matcher.learn(POINTS)
    for text in unseen:
        assert matcher._shop.vote(matcher._ngrams(text)) is None, "a near neighbour would decide it instead"
        assert matcher.classify(text).decision == "membership", text


def test_a_product_name_taught_under_many_intents_pulls_nowhere(matcher: IntentMatcher) -> None:
    """Customers name the shop's products whatever they ask: a name seen under every intent is no
    evidence for any of them, so the general matcher's decision stands."""
    matcher.learn([("喵想猫粮到哪了", "logistics.track"), ("喵想猫粮是什么肉做的", "product.consult"),
                   ("喵想猫粮袋子破了", "after_sales.damaged"), ("喵想猫粮能开发票吗", "invoice"),
                   ("喵想猫粮有优惠券吗", "promotion"), ("喵想猫粮少发了一袋", "after_sales.missing")])
    for text, intent in [("喵想猫粮我不想要了 怎么退货", "after_sales.return"),
                         ("喵想猫粮什么时候发货", "shipping.when"), ("喵想猫粮转人工", "human")]:
        assert matcher.classify(text).decision == intent, text



def test_an_overturn_is_as_sure_as_the_shops_own_folds_bear_out(matcher: IntentMatcher) -> None:
    """Where the correction overturns the general matcher's intent, its confidence is capped by the
    share of overturns its own folds got right (bot/intent_adapt.py `trusting`): 喵币 is learned
    consistently, so its overturns keep their confidence; with a trust of 0.3 the same guess is shown
    but the bot asks, and a decision the correction did not overturn is not capped."""
    text = "喵币还剩几个"
    assert matcher.fork().classify(text).intent != "membership"
    matcher.learn(POINTS)
    assert matcher._correction is not None and matcher._correction.overturn_trust == 1.0
    assert matcher.classify(text).decision == "membership"
    matcher._correction = matcher._correction.trusted(0.3)
    matcher.forget_decisions()
    doubted = matcher.classify(text)
    assert (doubted.intent, doubted.decision) == ("membership", "unknown") and doubted.confidence <= 0.3
    assert matcher.classify("快递到哪了 三天没动").decision == "logistics.track"


def _overturned_examples(golds: list[int]) -> list[Example]:
    """Examples the general matcher (offset) reads as intent 0, each with the shop word `w`."""
    return [Example(("w", f"x{k}"), (2.0, 0.0, 0.0), gold) for k, gold in enumerate(golds)]


def test_the_overturn_trust_is_measured_on_held_out_folds_of_the_shops_examples() -> None:
    def trust(examples: list[Example]) -> float:
        return [t for t in trusting(examples, 3) if t is not None][-1]

    assert trust(_overturned_examples([1] * 30)) == 1.0  # a word that always means intent 1 here
    assert trust(_overturned_examples([1, 2] * 15)) < 0.6  # half the time 1, half 2: a coin toss
    assert trust(_overturned_examples([1, 2])) == 1.0  # too few to hold any out: trusted
    assert trust([Example(("w",), (2.0, 0.0, 0.0), 0)] * 30) == 1.0  # nothing overturned


def test_the_same_examples_in_any_order_get_the_same_overturn_trust() -> None:
    """Workers hold a shop's examples in different orders (taught here or published by another
    worker, loaded by id at a restart) and each example's words in its process's set order: the
    trust, which decides whether an overturn acts or asks, must not depend on either."""
    rng = random.Random(5)
    examples = []
    for k in range(60):  # `a` always means intent 1 here, `b` half the time, `c` never what the matcher read
        word = rng.choice("abc")
        gold = {"a": 1, "b": rng.choice([1, 2]), "c": rng.choice([0, 2])}[word]
        examples.append(Example((word, f"x{k}", f"y{k % 7}"), (1.0, 0.0, 0.0), gold))
    trusts = set()
    for seed in range(4):
        shuffled = [Example(tuple(reversed(e.feats)) if seed % 2 else e.feats, e.offset, e.gold) for e in examples]
        random.Random(seed).shuffle(shuffled)
        trusts.add([t for t in trusting(shuffled, 3) if t is not None][-1])
    assert len(trusts) == 1, trusts

# --- the neighbour vote itself ---


def _neighbours(examples: list[tuple[str, str]]) -> ShopNeighbours:
    shop = ShopNeighbours({"吗": 3000, "了": 2500}, 6000)  # 吗 and 了 are everywhere in the corpus
    for text, intent in examples:
        shop.add(ngrams(text), intent)
    shop.calibrate()
    return shop


def test_the_vote_needs_a_close_neighbour() -> None:
    shop = _neighbours(SHOP)
    voted = shop.vote(ngrams("小蓝瓶到了吗亲"))
    assert voted is not None and voted[0] == "product.consult" and voted[1] > 0.6
    assert shop.vote(ngrams("发票怎么开")) is None
    assert shop.vote(ngrams("小蓝瓶")) is None or shop.vote(ngrams("小蓝瓶"))[1] < voted[1]


def test_without_enough_examples_only_a_near_duplicate_is_trusted() -> None:
    shop = _neighbours(SHOP)
    assert len(shop) < MIN_EXAMPLES
    assert shop.confidence(0.95) == NEAR_DUPLICATE_CONFIDENCE
    assert shop.confidence(0.6) == 0.0


def _variants(stem: str) -> list[str]:
    return [f"{stem}{tail}" for tail in ("", "呀", "啊亲", "么", "呢", "哈", "嘛")]


def test_the_votes_confidence_is_measured_on_the_shops_own_examples() -> None:
    """Leave-one-out: a shop whose rewordings agree gets confident votes, one whose labels
    contradict each other gets timid ones."""
    stems = ["云朵枕补货了没", "青柠包有绿色的没", "小蓝瓶能带上飞机不", "蓝莓杯能装热水不", "竹纤维毛巾掉毛不",
             "收纳盒能叠放不"]
    consistent = [(t, "product.consult") for s in stems for t in _variants(s)]
    assert len(consistent) >= MIN_EXAMPLES
    contradictory = [(t, ("product.consult", "logistics.track", "complaint")[n % 3])
                     for s in stems for n, t in enumerate(_variants(s))]
    sure, unsure = _neighbours(consistent), _neighbours(contradictory)
    strength = 0.8
    assert sure.confidence(strength) > 0.7
    assert unsure.confidence(strength) < 0.5


def test_removed_examples_no_longer_vote() -> None:
    shop = _neighbours(SHOP)
    shop.remove(ngrams("小蓝瓶到了吗"), "product.consult")
    assert shop.vote(ngrams("小蓝瓶到了吗亲")) is None
    assert len(shop) == 2


def test_the_candidates_hold_every_example_close_enough_to_vote() -> None:
    """The vote walks only the postings of a message's rarer n-grams; no example at least FLOOR
    similar may be missed (checked against the cosine with every example)."""
    from bot.intent_shop import FLOOR

    stems = ["云朵枕补货了没", "青柠包有绿色的没", "小蓝瓶能带上飞机不", "蓝莓杯能装热水不", "竹纤维毛巾掉毛不"]
    shop = _neighbours([(t, "product.consult") for s in stems for t in _variants(s)])
    found = 0
    for text in ["云朵枕补货了吗", "青柠包还有绿色吗亲", "小蓝瓶可以带上飞机吗", "毛巾掉不掉毛", "了吗", "补货",
                 "云朵枕补货了没呀亲", "竹纤维毛巾掉毛不啊"]:
        q_weights, q_norm = shop._vector(ngrams(text))
        close = {n for n, (weights, norm, _) in shop._examples.items()
                 if sum(w * w for f, w in q_weights.items() if f in weights) / (q_norm * norm) >= FLOOR}
        assert close <= shop._candidates(q_weights, q_norm), text
        found += bool(close)
    assert found >= 3  # the check is not vacuous


TURF = ["人工草皮有现货吗", "人工草皮怎么铺", "人工草坪耐晒吗", "人工草皮多少钱一平", "人工草皮有几种颜色",
        "人工草皮能剪吗"]


def test_a_shop_can_teach_that_a_precedence_keyword_means_something_else_there(
    matcher: IntentMatcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A shop selling 人工草皮 (artificial turf): 人工 is the `human` keyword, which outranks every
    business intent (R-ANSWER-5). After the shop taught a few product questions, its other questions
    about the turf are product questions, while asking for a person still is `human`."""
    unseen = ["人工草皮下雨积水吗", "人工草皮可以用在幼儿园吗"]
    assert all(matcher.classify(t).decision == "human" for t in unseen)
    vetoless = matcher.fork()
    matcher.learn([(t, "product.consult") for t in TURF])
    for text in unseen:
        assert matcher.classify(text).decision == "product.consult", text
    for text in ["转人工", "我要人工客服", "人工草皮的事找个人工跟我说"]:
        assert matcher.classify(text).decision == "human", text
    monkeypatch.setattr(intents, "SHOP_VETO", float("inf"))  # without the veto, precedence undoes the lesson
    vetoless.learn([(t, "product.consult") for t in TURF])
    assert vetoless.classify(unseen[0]).intent == "human"


def test_a_refit_overtaken_by_newer_learning_is_not_installed(matcher: IntentMatcher, tmp_path) -> None:
    """Two workers' lessons may interleave on one event loop: a refit that began before the latest
    `learn` would install a correction missing it, so only the refit after the latest lesson counts."""
    matcher._fits = FitCache(tmp_path)  # no fit kept from an earlier run: this one must be fitted
    stems = ["云朵枕补货了没", "青柠包有绿色的没", "小蓝瓶能带上飞机不", "蓝莓杯能装热水不", "竹纤维毛巾掉毛不"]
    matcher.learn([*POINTS, *((t, "product.consult") for s in stems for t in _variants(s)[:-1])])
    fitted = matcher._correction
    assert fitted is not None
    matcher.learn([(_variants(s)[-1], "product.consult") for s in stems], calibrate=False)
    refit = matcher.calibrating()
    next(refit)  # begun (a fit never made before), then suspended (the worker awaits between steps)
    matcher.learn([(t, "product.consult") for t in TURF], calibrate=False)
    for _ in refit:
        pass
    assert matcher._correction is fitted  # overtaken: the older correction stays
    for _ in matcher.calibrating():
        pass
    assert matcher._correction is not fitted
    assert matcher.classify("人工草皮下雨积水吗").decision == "product.consult"


def test_a_worker_starting_with_the_same_examples_reuses_their_fit(matcher: IntentMatcher, tmp_path) -> None:
    """Start-up with a thousand learned examples must stay short: a correction and the vote's curve
    fitted once are kept on disk under a hash of the general matcher and the examples
    (bot/intent_cache.py), so another worker, or a restart, with the same examples classifies none of
    them again and votes none of them leave-one-out."""
    taught = [*POINTS, *((t, "product.consult") for t in TURF)]
    first, second, other = matcher.fork(), matcher.fork(), matcher.fork()
    for m in (first, second, other):
        m._fits = FitCache(tmp_path)
    taught += [(f"{t}{tail}", i) for tail in (" 亲", "呀") for t, i in taught]  # enough for the vote's own curve
    first.learn(taught)
    assert first._examples and list(tmp_path.glob("intent-shop-*.pickle"))
    assert first._shop.curve, "the vote's curve was fitted"
    second._shop.fitting_curve = None  # type: ignore[method-assign]  # calling it fails the test
    second.learn(taught)
    assert not second._examples  # nothing classified: the fit came from the file
    assert second._correction is not None and second._correction.weights == first._correction.weights
    assert second._shop.curve == first._shop.curve
    assert second.classify("喵币攒了好多 怎么花").decision == first.classify("喵币攒了好多 怎么花").decision
    other.learn(taught[:-1])  # other examples: fitted anew
    assert other._examples and len(list(tmp_path.glob("intent-shop-*.pickle"))) == 2


def test_a_worker_loading_the_fit_gets_the_overturn_trust_measured_with_it(matcher: IntentMatcher, tmp_path) -> None:
    """The overturn trust is part of the fit kept on disk: a worker that loads the fit instead of
    fitting caps overturns as the worker that fitted it does."""
    taught = _generated_lessons(0, 60)
    first, second = matcher.fork(), matcher.fork()
    for m in (first, second):
        m._fits = FitCache(tmp_path)
    first.learn(taught)
    assert first._correction is not None and first._correction.overturn_trust < 1.0  # measured, not the default
    second.learn(taught)
    assert not second._examples  # the fit came from the file
    assert second._correction is not None and second._correction.overturn_trust == first._correction.overturn_trust


def _generated_lessons(first: int, count: int) -> list[tuple[str, str]]:
    """`count` labelled messages about made-up products, some labels contradicting their wording
    (so the vote's curve is neither all right nor all wrong and changes with the examples)."""
    products = ["云朵枕", "青柠包", "小蓝瓶", "蓝莓杯", "竹纤维毛巾", "收纳盒", "猫抓板", "保温壶", "雨伞架", "香薰灯"]
    asks = [("{}有现货吗", "product.consult"), ("{}发货了没", "shipping.when"), ("{}能开发票吗", "invoice"),
            ("{}坏了怎么办", "after_sales.damaged"), ("{}能用喵币换吗", "membership")]
    intents = [intent for _, intent in asks]
    lessons = []
    for n in range(first, first + count):
        ask, intent = asks[n % len(asks)]
        text = f"{ask.format(products[n // len(asks) % len(products)])}{'呀啊呢哈嘛么'[n % 6] * (1 + n // 50)}"
        lessons.append((text, intents[(n * 7) % len(intents)] if n % 4 == 0 else intent))
    return lessons


def _finish(steps) -> None:
    for _ in steps:
        pass


def test_a_refit_overtaken_by_newer_learning_keeps_and_saves_no_curve_of_other_examples(
    matcher: IntentMatcher, tmp_path
) -> None:
    """Start-up, the pub/sub listener and `teach` drive refits on one event loop, so they interleave:
    a refit overtaken by newer learning must neither save under its examples' key the vote's curve
    the newer refit fitted on more examples, nor install its own stale curve after the newer one."""
    first, second = _generated_lessons(0, 150), _generated_lessons(150, 150)

    def fresh(directory) -> IntentMatcher:
        twin = matcher.fork()
        twin._fits = FitCache(directory)
        return twin

    for steps_before in (40, 2):  # A overtaken while fitting its correction, then its curve
        taught = fresh(tmp_path / str(steps_before))
        taught.learn(first, calibrate=False)
        refit_a = taught.calibrating()
        for _ in range(steps_before):
            next(refit_a)
        taught.learn(second)  # refit B runs to its end
        newest = taught._shop.curve
        assert newest
        _finish(refit_a)
        assert taught._shop.curve == newest, "the overtaken refit installed its stale curve"
        reference = fresh(tmp_path / "reference")
        reference.learn(first)
        assert reference._shop.curve != newest  # the case is only a test if the curves differ
        restarted = fresh(tmp_path / str(steps_before))  # a restart with the first examples only
        restarted.learn(first)
        assert restarted._shop.curve == reference._shop.curve, "a curve of other examples was saved"


def test_a_fit_kept_by_an_older_vote_is_refitted(
    matcher: IntentMatcher, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fit cache's key covers the vote's code through SHOP_FIT_VERSION (bumped when the vote
    changes), so a curve fitted by an older vote is not loaded as if it were this one's."""
    taught = _generated_lessons(0, 60)
    older, newer = matcher.fork(), matcher.fork()
    for m in (older, newer):
        m._fits = FitCache(tmp_path)
    older.learn(taught)
    monkeypatch.setattr(intent_shop, "SHOP_FIT_VERSION", intent_shop.SHOP_FIT_VERSION + 1)
    newer.learn(taught)
    assert newer._examples, "refitted, not loaded"
    assert len(list(tmp_path.glob("intent-shop-*.pickle"))) == 2
