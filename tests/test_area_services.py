"""Areas work with their own service objects, never the runtime (docs/architecture.md "Services for
areas"): no module under handlers/ imports `bot.runtime` or reads `request.app[RUNTIME]`."""

from __future__ import annotations

import re
from pathlib import Path

HANDLERS = Path(__file__).resolve().parent.parent / "handlers"
REACHES_RUNTIME = re.compile(r"^\s*from bot\.(runtime|app) import .*\b(Runtime|RUNTIME)\b|app\[RUNTIME\]", re.M)


def test_the_pattern_finds_a_module_reaching_the_runtime():
    assert REACHES_RUNTIME.search("from bot.runtime import RUNTIME, Runtime\n")
    assert REACHES_RUNTIME.search("    service = request.app[RUNTIME].services[KEY]\n")
    assert not REACHES_RUNTIME.search("    service = area_service(request, KEY)\n")


def test_no_area_module_reaches_the_runtime():
    reaching = {path.relative_to(HANDLERS).as_posix() for path in HANDLERS.rglob("*.py")
                if REACHES_RUNTIME.search(path.read_text(encoding="utf-8"))}
    assert not reaching, sorted(reaching)
