"""Once the runtime is open, the cyclic collector's young generation is collected every
`YOUNG_COLLECTION_EVERY` allocations instead of CPython's 700 (docs/performance.md, eighth round):
a message's work leaves no cycles, and at 700 the young collections cost a loaded worker about 4%
of its CPU. The older generations keep their ratios."""

from __future__ import annotations

import gc

from bot.app import YOUNG_COLLECTION_EVERY


async def test_a_running_bot_collects_its_young_generation_less_often(bot) -> None:
    young, middle, old = gc.get_threshold()
    assert young == YOUNG_COLLECTION_EVERY > 700
    assert (middle, old) == (10, 10)  # CPython's ratios, kept
    collections: list[int] = []

    def count(phase: str, info: dict) -> None:
        if phase == "start":
            collections.append(info["generation"])

    gc.collect()  # counts from zero
    gc.callbacks.append(count)
    try:
        kept = [{"n": n} for n in range(YOUNG_COLLECTION_EVERY // 2)]  # 5,000 containers alive: 7 collections at 700
    finally:
        gc.callbacks.remove(count)
    assert len(kept) == YOUNG_COLLECTION_EVERY // 2
    assert collections == []


async def test_the_threshold_survives_a_second_app_in_the_process(bot) -> None:
    """Each app sets the same threshold (tests start many): it does not drift or compound."""
    from bot.app import collect_young_less_often

    collect_young_less_often()
    collect_young_less_often()
    assert gc.get_threshold() == (YOUNG_COLLECTION_EVERY, 10, 10)
