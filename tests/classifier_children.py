"""Waiting for a classifier child to be replaced (bot/classifier_process.py), shared by the classifier
process tests: the restart's wait passes on the test's FakeClock, and only until the new child is spawned.
A new child then loads in real time with the clock still: run on, a slow load on a busy machine would pass
the hang's wait and look hung, and be replaced once more."""

from __future__ import annotations

from bot.classifier_process import ClassifierProcess
from bot.clock import FakeClock
from tests.fakes.bot_app import eventually


async def replaced(classifier: ClassifierProcess, clock: FakeClock, old: int) -> None:
    """Until a child other than `old` is ready, the clock moved by the restart's wait while none is spawned."""
    async def check() -> bool:
        if classifier.pid in (None, old):
            await clock.advance(classifier.restart_s)
        return classifier.ready and classifier.pid not in (None, old)

    await eventually(check, "a new classifier process", seconds=60)
