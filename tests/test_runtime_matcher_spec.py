"""A runtime works out the matcher's spec (the areas' precedence, the intents file's path) once as it
opens: the matcher is built from the spec the classifier child is given. It was worked out twice, the
areas' declarations read twice over."""

from __future__ import annotations

from pathlib import Path

from bot.clock import FakeClock
from bot.extension import Extension
from bot.intent_areas import AreaIntents
from bot.runtime import Runtime
from handlers import EXTENSIONS
from tests.fakes.bot_app import make_settings


class CountedRanks(dict[str, int]):
    """An area's ranks that count how often the precedence is worked out from them."""

    reads = 0

    def items(self):  # type: ignore[override]
        self.reads += 1
        return super().items()


async def test_the_runtime_works_out_the_matchers_spec_once(tmp_path: Path) -> None:
    ranks = CountedRanks({"probe.counted": 50})
    probe = Extension("probe", intents=AreaIntents(ranks=ranks))
    runtime = await Runtime.open(make_settings(tmp_path, classifier_process="on"), [*EXTENSIONS, probe],
                                 clock=FakeClock(), background=False)
    try:
        assert ranks.reads == 1
        assert runtime.classifier is not None
        assert runtime.classifier.spec.precedence == runtime.matcher.precedence
        assert runtime.classifier.spec.precedence.rank("probe.counted") == 50
    finally:
        await runtime.close()
