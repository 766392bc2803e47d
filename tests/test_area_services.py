"""Areas work with their own service objects, never the runtime (docs/architecture.md "Services for
areas"): no module under handlers/ imports `bot.runtime` or reads `request.app[RUNTIME]`, except the
areas the document lists as still to move."""

from __future__ import annotations

import re
from pathlib import Path

HANDLERS = Path(__file__).resolve().parent.parent / "handlers"
#: docs/architecture.md "Still to move".
STILL_TO_MOVE = {"handoff/__init__.py", "handoff/api.py", "handoff/metrics.py", "teaching/__init__.py",
                 "teaching/api.py"}
REACHES_RUNTIME = re.compile(r"^\s*from bot\.(runtime|app) import .*\b(Runtime|RUNTIME)\b|app\[RUNTIME\]", re.M)


def test_no_area_module_reaches_the_runtime():
    reaching = {path.relative_to(HANDLERS).as_posix() for path in HANDLERS.rglob("*.py")
                if REACHES_RUNTIME.search(path.read_text(encoding="utf-8"))}
    assert reaching <= STILL_TO_MOVE, sorted(reaching - STILL_TO_MOVE)
    assert reaching, "the pattern no longer finds the modules still to move"
