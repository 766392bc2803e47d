"""Areas work with their own service objects, never the runtime (docs/architecture.md "Services for
areas"): no module under handlers/ imports `bot.runtime` (in any spelling) or subscripts with
`RUNTIME`, and the hooks are given the runtime's `AreaKit`, which holds none of its engine."""

from __future__ import annotations

import ast
from pathlib import Path

from bot.extension import AreaKit

HANDLERS = Path(__file__).resolve().parent.parent / "handlers"
FORBIDDEN_MODULES = {"bot.runtime", "bot.app"}


def reaches_runtime(source: str) -> list[str]:
    """What in `source` reaches the runtime: imports of its modules, and `...[RUNTIME]` subscripts."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names if alias.name in FORBIDDEN_MODULES]
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module in FORBIDDEN_MODULES:
                found.append(f"from {node.module}")
            found += [f"{node.module}.{alias.name}" for alias in node.names
                      if f"{node.module}.{alias.name}" in FORBIDDEN_MODULES]
        elif isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Name) and node.slice.id == "RUNTIME":
            found.append("[RUNTIME]")
    return found


def test_every_spelling_of_reaching_the_runtime_is_found():
    assert reaches_runtime("from bot.runtime import (\n    RUNTIME,\n)\n")
    assert reaches_runtime("import bot.runtime\n")
    assert reaches_runtime("from bot import runtime\n")
    assert reaches_runtime("def f(request):\n    return request.config_dict[RUNTIME].services\n")
    assert not reaches_runtime("from bot.extension import area_service\nservice = area_service(request, KEY)\n")


def test_no_area_module_reaches_the_runtime():
    reaching = {path.relative_to(HANDLERS).as_posix(): found for path in HANDLERS.rglob("*.py")
                if (found := reaches_runtime(path.read_text(encoding="utf-8")))}
    assert not reaching, reaching


async def test_the_kit_holds_only_the_narrow_parts(bot):
    kit = bot.runtime.kit
    assert type(kit) is AreaKit and kit.services is bot.runtime.services
    assert not hasattr(kit, "dispatcher") and not hasattr(kit, "channels") and not hasattr(kit, "outbox")
