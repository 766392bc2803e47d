"""The checks every file of understanding sentences makes (tests/test_understanding*.py), written once.

Each such file holds sentences of its own round, grouped by the pattern they stand for: `PLACED`, where
the bot must act on the right intent at the default threshold, and `NEVER_WRONG`, hard wordings where
asking is acceptable but a confident *other* intent is not. A file binds the checks to its sentences
with `sentence_checks`, so a failure names the round's file and its pattern.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from bot.intents import TRAINING_FILE, IntentMatcher, read_training

CORPUS = Path(__file__).resolve().parents[1] / "scripts_zh" / TRAINING_FILE


def training_texts() -> list[str]:
    return [text for text, _ in read_training(CORPUS)]


def sentence_checks(
    placed: Sequence[tuple[str, str, str]], never_wrong: Sequence[tuple[str, str]],
) -> tuple[Callable[..., None], ...]:
    """The three tests for `placed` (pattern, text, intent) and `never_wrong` (text, intent), to be bound
    to the calling module's test names."""

    def test_sentences_are_not_training_data() -> None:
        ours = {text for _, text, _ in placed} | {text for text, _ in never_wrong}
        assert not set(training_texts()) & ours

    @pytest.mark.parametrize(("pattern", "text", "intent"), placed)
    def test_the_bot_acts_on_the_right_intent(matcher: IntentMatcher, pattern: str, text: str, intent: str) -> None:
        got = matcher.classify(text)
        assert got.decision == intent, f"{pattern}: {got}"

    @pytest.mark.parametrize(("text", "intent"), never_wrong)
    def test_a_borderline_message_is_right_or_asked(matcher: IntentMatcher, text: str, intent: str) -> None:
        got = matcher.classify(text)
        assert got.decision in (intent, "unknown"), got

    return (test_sentences_are_not_training_data, test_the_bot_acts_on_the_right_intent,
            test_a_borderline_message_is_right_or_asked)
