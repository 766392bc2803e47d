"""The Chinese wording of the pages (console, chat window) and of every console panel, from `scripts_zh/`.

A page's scripts read their texts by name (bot/web/static/lib/texts.js, `t("name", {field})`), so the
names used in code are the keys of one `scripts_zh/<stem>.yaml` file. `lint-scripts` checks these files
like any template (forbidden phrases, broken `{placeholders}`): `ui_scripts` declares each key of a UI
file with the fields its own text names, since the page fills them, not Python.
tests/test_ui_texts.py checks the other direction: every name a script or page asks for exists.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import yaml

from bot.extension import Extension
from bot.templates import ScriptSpec, placeholders

#: The pages' own texts: `scripts_zh/console.yaml` (agent console), `scripts_zh/chat_page.yaml` (chat window).
PAGE_TEXTS = ("console", "chat_page")


def ui_scripts(directory: Path, stems: Iterable[str] = PAGE_TEXTS) -> list[ScriptSpec]:
    """A spec for every key of the UI files `stems` under `directory` (missing files give none)."""
    specs = []
    for stem in dict.fromkeys(stems):
        path = directory / f"{stem}.yaml"
        if not path.is_file():
            continue
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for name, value in data.items() if isinstance(data, dict) else ():
            texts = value if isinstance(value, list) else [value]
            fields: set[str] = set()
            for text in texts:
                try:
                    fields |= placeholders(str(text))
                except ValueError:
                    pass  # reported by the lint itself as a broken placeholder
            specs.append(ScriptSpec(f"{stem}.{name}", frozenset(fields)))
    return specs


def ui_scripts_of(directory: Path, extensions: Iterable[Extension]) -> list[ScriptSpec]:
    """The specs of the pages' texts and of every console panel's texts that `extensions` contribute."""
    panels = [panel.texts for extension in extensions for panel in extension.console_panels]
    return ui_scripts(directory, [*PAGE_TEXTS, *panels])
