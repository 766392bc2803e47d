"""Areas declare their intents and precedence (issue 11; docs/rules.md R-ANSWER-5/6, bot/intent_areas.py):
the matcher knows no area's intent names, it reads them from the extensions."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.intent_areas import BUSINESS_RANK, AreaIntents, Precedence
from bot.intents import IntentMatcher, precedence_of
from handlers import EXTENSIONS

YAML = Path(__file__).resolve().parents[1] / "scripts_zh" / "intents.yaml"


def test_the_project_areas_declare_the_order_of_r_answer_5() -> None:
    precedence = precedence_of(EXTENSIONS)
    order = ["human", "complaint", "after_sales.damaged", "logistics.track", "invoice", "goodbye", "thanks",
             "greeting", "unknown"]
    assert [precedence.rank(i) for i in order] == sorted(precedence.rank(i) for i in order)
    assert precedence.rank("invoice") == BUSINESS_RANK  # nobody ranked it: a plain business intent
    assert precedence.social == {"greeting", "thanks", "goodbye"}
    assert (precedence.case_number, precedence.order_number) == ("after_sales.progress", "logistics.track")


def test_an_intent_declared_by_two_areas_is_refused() -> None:
    with pytest.raises(ValueError, match="complaint"):
        Precedence.of([AreaIntents(ranks={"complaint": 1}), AreaIntents(ranks={"complaint": 0})])
    with pytest.raises(ValueError, match="order_number"):
        Precedence.of([AreaIntents(order_number="logistics.track"), AreaIntents(order_number="shipping.when")])


def test_the_matcher_follows_what_the_areas_declare() -> None:
    """The same message decided under the project's areas, then with an area that ranks invoices
    above complaints and with no social intents at all."""
    text = "发票一直不给开 我要投诉"
    project = precedence_of(EXTENSIONS)
    assert IntentMatcher.from_yaml(YAML, project, cache_size=0).classify(text).intent == "complaint"
    declared = [e.intents for e in EXTENSIONS if e.intents is not None]
    invoices_first = Precedence.of([*declared, AreaIntents(ranks={"invoice": -1})])
    assert IntentMatcher.from_yaml(YAML, invoices_first, cache_size=0).classify(text).intent == "invoice"


def test_bare_numbers_go_where_the_area_says() -> None:
    """R-ANSWER-6 roles come from the declaration: without them a bare order number is just unknown."""
    declared = [e.intents for e in EXTENSIONS if e.intents is not None]
    without = Precedence.of(d for d in declared if d.order_number is None)
    project = IntentMatcher.from_yaml(YAML, precedence_of(EXTENSIONS), cache_size=0).classify("E2026112200123")
    bare = IntentMatcher.from_yaml(YAML, without, cache_size=0).classify("E2026112200123")
    assert project.intent == "logistics.track"
    assert bare.intent == "unknown"
