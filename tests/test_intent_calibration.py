"""The confidence's refinement by message length (bot/intent_calibration.py): fitted, saved, applied."""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path

from bot.intent_calibration import Blend, fit_length
from bot.intents import IntentMatcher


def test_fit_length_finds_that_long_messages_are_right_less_often() -> None:
    """On decisions whose curve share is right for short messages but whose long messages are right
    only half as often, the fitted refinement keeps the slope near 1 and gives length a clearly
    negative weight; on decisions where length does not matter, the weight stays near 0."""
    rnd = random.Random(7)
    shares = [rnd.uniform(0.5, 0.99) for _ in range(4000)]
    lengths = [rnd.choice((4, 40)) for _ in shares]
    penalised = [(s, n, rnd.random() < (s if n < 10 else s / 2)) for s, n in zip(shares, lengths, strict=True)]
    _, slope, per_length = fit_length(penalised)
    assert per_length < -0.4 and 0.5 < slope < 1.5
    fair = [(s, n, rnd.random() < s) for s, n in zip(shares, lengths, strict=True)]
    _, slope, per_length = fit_length(fair)
    assert abs(per_length) < 0.15 and 0.7 < slope < 1.3


def test_the_shipped_calibration_trusts_a_long_message_less(matcher: IntentMatcher) -> None:
    """At the same probability and agreement, a 40-character message gets a lower confidence than a
    6-character one; without the refinement both get the curve's share."""
    blend = matcher.blend
    assert len(blend.length_refinement) == 3, "run `python main.py intents calibrate`"
    for agree in (True, False):
        assert blend.calibrate(0.95, agree, 40) < blend.calibrate(0.95, agree, 6) - 0.02
        plain = dataclasses.replace(blend, length_refinement=())
        assert plain.calibrate(0.95, agree, 40) == plain.calibrate(0.95, agree, 6)


def test_a_calibration_file_without_the_refinement_still_loads(tmp_path: Path, matcher: IntentMatcher) -> None:
    """A file written before the refinement existed gives the curve's share as is; one saved with it
    round-trips to the same confidences."""
    path = tmp_path / "calibration.json"
    matcher.blend.save(path)
    again = Blend.load(path)
    assert again.calibrate(0.9, True, 25) == matcher.blend.calibrate(0.9, True, 25)
    old = dataclasses.replace(matcher.blend, length_refinement=())
    old.save(path)
    text = path.read_text(encoding="utf-8").replace('"length_refinement": [],', "")
    assert "length_refinement" not in text
    path.write_text(text, encoding="utf-8")
    loaded = Blend.load(path)
    assert loaded.length_refinement == ()
    assert loaded.calibrate(0.9, True, 25) == old.calibrate(0.9, True, 25)


def length_weighted(matcher: IntentMatcher, per_length: float) -> IntentMatcher:
    """A fork of `matcher` whose confidence weighs the message's length by `per_length` alone."""
    twin = matcher.fork()
    twin.blend = dataclasses.replace(matcher.blend, length_refinement=(0.0, 1.0, per_length))
    return twin


def test_classify_applies_the_length_to_its_confidence(matcher: IntentMatcher) -> None:
    """classify passes the message's length to the calibration: two matchers that differ only in the
    length's weight give the same decision, with a lower confidence where length weighs against it."""
    neutral, against = length_weighted(matcher, 0.0), length_weighted(matcher, -3.0)
    text = "快递到现在还没到 能帮我查一下到哪了吗"
    plain, penalised = neutral.classify(text), against.classify(text)
    assert plain.intent == penalised.intent != "unknown"
    assert penalised.confidence < plain.confidence - 0.05


def test_a_decision_naming_no_intent_keeps_the_curves_share(matcher: IntentMatcher) -> None:
    """The length refinement is fitted on decisions naming an intent, so an `unknown` decision is not
    refined: a length weight that lowers a named intent's confidence leaves an unknown one as it was."""
    neutral, against = length_weighted(matcher, 0.0), length_weighted(matcher, -3.0)
    text = "今天天气真不错我们出去玩吧你觉得呢朋友们"
    plain, penalised = neutral.classify(text), against.classify(text)
    assert plain.intent == penalised.intent == "unknown" and plain.confidence > 0
    assert penalised.confidence == plain.confidence
