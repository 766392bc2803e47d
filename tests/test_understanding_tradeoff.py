"""Judging learning on the trade-off, not at one threshold (bot/intent_eval.py `accuracy_at`,
`ranked_right`; bench/classify.py's shop summary): a change that only makes confidence higher or
lower moves along the curve of accuracy against confident mistakes, and must show no gain there."""

import pytest

from bot.intent_eval import FINE_THRESHOLDS, Outcome, accuracy_at, ranked_right, threshold_table

# Ten messages: the intent each was ranked first, its confidence, and the right intent.
SCORED = [("a", 0.95, "a"), ("a", 0.9, "a"), ("b", 0.85, "b"), ("b", 0.75, "a"), ("c", 0.7, "c"),
          ("c", 0.65, "b"), ("a", 0.55, "a"), ("b", 0.5, "c"), ("c", 0.45, "c"), ("unknown", 0.2, "unknown")]


def test_ranked_right_counts_the_first_intent_whatever_the_confidence() -> None:
    assert ranked_right(SCORED) == pytest.approx(0.7)
    assert ranked_right([]) == 0.0


def test_accuracy_at_a_rate_of_confident_mistakes_lies_between_two_thresholds() -> None:
    table = [Outcome(0.8, 0.4, 0.0, 0.6), Outcome(0.7, 0.5, 0.1, 0.4), Outcome(0.6, 0.6, 0.2, 0.2)]
    assert accuracy_at(table, 0.1) == pytest.approx(0.5)
    assert accuracy_at(table, 0.15) == pytest.approx(0.55)  # halfway between 0.7's and 0.6's
    assert accuracy_at(table, 0.0) == pytest.approx(0.4)
    assert accuracy_at(table, 0.5) == pytest.approx(0.6)  # past the loosest threshold: its accuracy
    with pytest.raises(ValueError):
        accuracy_at([], 0.1)


def test_confidence_raised_alike_for_right_and_wrong_gains_nothing_at_the_same_mistakes() -> None:
    """Raising every confidence (what learning's correction mostly did, docs/intents.md) gains
    accuracy at the default threshold together with confident mistakes; at the rate of mistakes it
    reaches, the same messages at their old confidences with a threshold of their own are as accurate
    (here more: a lower threshold decides two more right ones before its next mistake)."""
    raised = [(i, min(1.0, c + 0.1), g) for i, c, g in SCORED]
    before, after = (threshold_table(s, FINE_THRESHOLDS) for s in (SCORED, raised))
    b, a = (next(o for o in t if o.threshold == 0.6) for t in (before, after))
    assert a.accuracy > b.accuracy and a.confidently_wrong > b.confidently_wrong
    assert a.accuracy - accuracy_at(before, a.confidently_wrong) <= 0  # a threshold of its own did as well


def test_a_better_ranking_gains_at_the_same_mistakes() -> None:
    """A mistake turned right (the shop's wording decided it) shows as a gain on the curve too."""
    fixed = [(g if (i, c) == ("b", 0.75) else i, c, g) for i, c, g in SCORED]
    before, after = (threshold_table(s, FINE_THRESHOLDS) for s in (SCORED, fixed))
    a = next(o for o in after if o.threshold == 0.6)
    assert a.accuracy - accuracy_at(before, a.confidently_wrong) > 0.05


def test_of_thresholds_with_the_same_mistakes_the_more_accurate_counts() -> None:
    table = [Outcome(0.9, 0.3, 0.0, 0.7), Outcome(0.8, 0.45, 0.1, 0.45), Outcome(0.7, 0.5, 0.1, 0.4),
             Outcome(0.6, 0.48, 0.2, 0.32)]
    assert accuracy_at(table, 0.1) == pytest.approx(0.5)
    assert accuracy_at(table, 0.2) == pytest.approx(0.5)  # more mistakes never buy less
