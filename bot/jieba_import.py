"""jieba, imported without `pkg_resources`: `from bot.jieba_import import jieba` in the bot's modules.

jieba 0.42.1 (`jieba/_compat.py`) imports setuptools' `pkg_resources` only to open its own data files
(`resource_stream`), and falls back to opening them beside its `__file__` when that import fails,
which is what `resource_stream` does for a package installed as plain files. Importing
`pkg_resources` scans every installed distribution: about a tenth of the bot's import, paid by every
process that starts the bot (docs/performance.md, "Start-up, issues 11 and 13"). jieba is imported
here with `pkg_resources` reported missing for the duration of that import only; a `pkg_resources`
someone imported before is used as it is, and one imported later is imported as usual.
tests/test_startup_imports.py checks that the bot's import leaves `pkg_resources` out and that
jieba still reads its data files.
"""

from __future__ import annotations

import sys
from types import ModuleType


def _import_jieba() -> ModuleType:
    if "jieba" in sys.modules or "pkg_resources" in sys.modules:
        import jieba

        return jieba
    sys.modules["pkg_resources"] = None  # type: ignore[assignment]  # `import pkg_resources` raises ImportError
    try:
        import jieba
    finally:
        del sys.modules["pkg_resources"]
    return jieba


jieba = _import_jieba()

__all__ = ["jieba"]
