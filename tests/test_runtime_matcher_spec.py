"""A runtime works out the matcher's spec (the areas' precedence, the intents file's path) once as it
opens: the matcher is built from the spec the classifier child is given. It was worked out twice, the
areas' declarations read twice over.

Counted where the spec's computation meets the areas: a probe area counts the reads of its declaration
(`Extension.intents`, bot/extension.py: "the matcher reads them"; nothing else does), and opening a
runtime must read it as often as one working-out of the spec (`bot.runtime.matcher_spec`) does. How
Precedence goes through the ranks, or how often one working-out reads an area, is not looked at."""

from __future__ import annotations

from pathlib import Path

from bot.clock import FakeClock
from bot.extension import Extension
from bot.intent_areas import AreaIntents
from bot.runtime import Runtime, matcher_spec
from handlers import EXTENSIONS
from tests.fakes.bot_app import make_settings


class CountedArea(Extension):
    """An area that counts how often its intents declaration is read."""

    reads = 0

    @property  # type: ignore[override]
    def intents(self) -> AreaIntents | None:
        self.reads += 1
        return self._intents

    @intents.setter
    def intents(self, declared: AreaIntents | None) -> None:
        self._intents = declared


async def test_the_runtime_works_out_the_matchers_spec_once(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, classifier_process="on")
    probe = CountedArea("probe", intents=AreaIntents(ranks={"probe.counted": 50}))
    matcher_spec(settings, [*EXTENSIONS, probe])
    once, probe.reads = probe.reads, 0  # what one working-out of the spec reads
    assert once > 0
    runtime = await Runtime.open(settings, [*EXTENSIONS, probe], clock=FakeClock(), background=False)
    try:
        assert probe.reads == once
        assert runtime.classifier is not None
        assert runtime.classifier.spec.precedence == runtime.matcher.precedence
        assert runtime.classifier.spec.precedence.rank("probe.counted") == 50
    finally:
        await runtime.close()
