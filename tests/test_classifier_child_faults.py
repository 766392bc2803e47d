"""A classifier child that fails beside its worker (bot/classifier_process.py): one that answered earlier
texts and then hangs with a batch outstanding costs those customers the budget, no more, and is replaced;
one that fails outside `classify` (applying a lesson) reports one line without texts, where Python printed
its raw traceback to the worker's stderr, and is started again as after a crash. Real child processes;
the budget's, the hang's and the restart's waits on a FakeClock; faults from outside (SIGSTOP, a lesson
the child cannot apply)."""

from __future__ import annotations

import asyncio
import logging
import os
import signal

import pytest

from bot.classifier_process import ClassifierProcess, MatcherSpec
from bot.clock import FakeClock
from bot.config import PROJECT_ROOT
from bot.intent_areas import Precedence
from bot.intents import IntentMatcher
from tests.classifier_children import replaced
from tests.fakes.bot_app import eventually
from tests.test_classifier_process import alive, answers, ready

pytestmark = pytest.mark.timeout(120)

ANSWERED = ["我的快递到哪了", "发票怎么开"]
OUTSTANDING = ["不是要退货 帮我补发", "你好 我地址填错了能改吗", "订单 123456789012345 到哪了"]
#: A customer's words in a lesson the child cannot apply (three fields where it takes two).
PRIVATE = "我叫王芳，电话13800138000，住杭州市西湖区"


def a_classifier(clock: FakeClock) -> ClassifierProcess:
    spec = MatcherSpec(PROJECT_ROOT / "scripts_zh" / "intents.yaml", Precedence(), None, 0)
    matcher = IntentMatcher.shared(spec.intents_yaml, spec.precedence, cache_size=0).fork()
    return ClassifierProcess(matcher, spec, clock)


async def test_a_child_that_answered_and_then_hangs_costs_its_outstanding_texts_the_budget(
        caplog: pytest.LogCaptureFixture) -> None:
    clock = FakeClock()
    classifier = a_classifier(clock)
    await classifier.start()
    hung = None
    try:
        await ready(classifier)
        own = classifier.matcher.classify
        assert await answers(classifier, ANSWERED) == [own(text) for text in ANSWERED]
        assert classifier.fallbacks == 0  # the child answered those
        hung = classifier.pid
        assert hung is not None
        os.kill(hung, signal.SIGSTOP)
        found = [classifier.classify(text) for text in OUTSTANDING]  # one batch, written in the next turn
        assert all(isinstance(f, asyncio.Future) for f in found)
        await asyncio.sleep(0)
        budget = classifier.budget_s + classifier.per_text_s * len(OUTSTANDING)
        await clock.advance(budget * 0.9)
        assert not any(f.done() for f in found)  # within its budget the child is waited for
        await clock.advance(budget * 0.1)
        assert [f.result() for f in found] == [own(text) for text in OUTSTANDING]  # type: ignore[union-attr]
        assert classifier.fallbacks == len(OUTSTANDING)
        assert classifier.classify(ANSWERED[0]) == own(ANSWERED[0])  # behind: classified here at once
        await clock.advance(classifier.hang_s)  # nothing answered since: killed
        await replaced(classifier, clock, hung)
        assert not alive(hung) and classifier.starts == 2
        assert any("answered nothing" in record.getMessage() for record in caplog.records)
        found_again = classifier.classify(OUTSTANDING[0])
        assert isinstance(found_again, asyncio.Future)
        assert await asyncio.wait_for(found_again, 30) == own(OUTSTANDING[0])  # the new child answers
    finally:
        if hung is not None and alive(hung):
            os.kill(hung, signal.SIGKILL)
        await classifier.close()


async def test_a_child_failing_outside_classify_reports_one_line_without_texts_and_is_started_again(
        capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="csbot.classifier")
    clock = FakeClock()
    classifier = a_classifier(clock)
    await classifier.start()
    try:
        await ready(classifier)
        failed = classifier.pid
        assert failed is not None
        capfd.readouterr()
        classifier.learned([(PRIVATE, "logistics.track", "import")], [])  # type: ignore[list-item]

        async def ended() -> bool:
            return classifier.pid != failed and not classifier.ready

        await eventually(ended, "the child's end noticed", seconds=30)
        assert classifier.classify(PRIVATE) == classifier.matcher.classify(PRIVATE)  # the worker answers meanwhile
        await clock.advance(classifier.restart_s)  # started again, as after a crash
        assert classifier.starts == 2

        async def second_failed() -> bool:  # its replay of the same lesson fails the same way
            return sum("failed:" in record.getMessage() for record in caplog.records) == 2

        await eventually(second_failed, "the second child's failure", seconds=60)
        stderr = capfd.readouterr().err
        assert "Traceback" not in stderr and PRIVATE not in stderr and "13800138000" not in stderr, stderr
        lines = [record for record in caplog.records if "failed:" in record.getMessage()]
        assert all(record.levelno == logging.ERROR and record.exc_info is None for record in lines)
        assert all("\n" not in record.getMessage() and "ValueError" in record.getMessage() for record in lines)
        assert PRIVATE not in caplog.text and "13800138000" not in caplog.text
    finally:
        await classifier.close()

