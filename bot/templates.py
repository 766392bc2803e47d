"""Customer-facing wording, loaded from `scripts_zh/*.yaml` and checked before it reaches anyone.

Every sentence a customer or agent reads is a template the shop edits without touching code
(docs/rules.md R-ANSWER-1). A template file maps names to a text or a list of variants; the key is
`<file stem>.<name>`. The code declares, per key, the fields it supplies (`ScriptSpec`), so
`lint` can reject a template that uses a placeholder the code never fills, a key the code needs
but the file lacks, and any forbidden phrase (R-WORDS-2) from `scripts_zh/forbidden.yaml`.
"""

from __future__ import annotations

import logging
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.errors import TemplateError
from bot.logs import describe_failure

#: libyaml's parser when PyYAML has it (ten times faster: every runtime parses the scripts on start).
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

log = logging.getLogger("csbot.templates")

#: Files in scripts_zh that hold data for the matcher or the linter rather than templates.
DATA_FILES = frozenset({"intents", "forbidden", "topics"})
#: Fields every template may use; the renderer fills them itself.
GLOBAL_FIELDS = frozenset({"shop_name"})
FALLBACK_KEY = "common.fallback"


@dataclass(frozen=True, slots=True)
class ScriptSpec:
    """A template key the code renders and the fields it supplies."""

    key: str
    fields: frozenset[str] = frozenset()


def spec(key: str, *fields: str) -> ScriptSpec:
    return ScriptSpec(key, frozenset(fields))


@dataclass(frozen=True, slots=True)
class LintProblem:
    file: str
    key: str
    problem: str

    def __str__(self) -> str:
        return f"{self.file}: {self.key}: {self.problem}"


def placeholders(text: str) -> set[str]:
    """Names used as `{name}` in a template; raises ValueError on broken braces."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _stamp(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_mtime_ns, stat.st_size


@lru_cache(maxsize=16)
def _parsed(
    directory: Path, files: tuple[tuple[str, int, int], ...]
) -> tuple[dict[str, tuple[str, ...]], tuple[str, ...]]:
    """`Templates.parse`, keyed by the files' names, modification times and sizes (an edited file is
    parsed again)."""
    return Templates.parse(directory)


class Templates:
    def __init__(self, entries: Mapping[str, list[str]], forbidden: Iterable[str], globals_: Mapping[str, Any]):
        self._entries = dict(entries)
        self.forbidden = tuple(forbidden)
        self._globals = dict(globals_)

    @classmethod
    def load(cls, directory: Path, **globals_: Any) -> Templates:
        """The templates of `directory`, parsed once per process for as long as its files are unchanged
        (a process opens many runtimes: the tests open one per test); each load gets its own lists."""
        files = tuple((path.name, *_stamp(path)) for path in sorted(directory.glob("*.yaml")))
        entries, forbidden = _parsed(directory.resolve(), files)
        return cls({key: list(variants) for key, variants in entries.items()}, forbidden, globals_)

    @staticmethod
    def parse(directory: Path) -> tuple[dict[str, tuple[str, ...]], tuple[str, ...]]:
        """Every template of `directory` by key, and the forbidden phrases; TemplateError when malformed."""
        entries: dict[str, tuple[str, ...]] = {}
        for path in sorted(directory.glob("*.yaml")):
            if path.stem in DATA_FILES:
                continue
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=YAML_LOADER) or {}
            if not isinstance(data, dict):
                raise TemplateError(f"{path.name}: top level must be a mapping of names to texts")
            for name, value in data.items():
                variants = value if isinstance(value, list) else [value]
                if not variants or not all(isinstance(v, str) and v.strip() for v in variants):
                    raise TemplateError(f"{path.name}: {name}: must be a text or a list of texts")
                entries[f"{path.stem}.{name}"] = tuple(v.strip() for v in variants)
        forbidden_path = directory / "forbidden.yaml"
        forbidden = []
        if forbidden_path.exists():
            data = yaml.load(forbidden_path.read_text(encoding="utf-8"), Loader=YAML_LOADER) or {}
            forbidden = data.get("phrases", [])
        return entries, tuple(forbidden)

    def __contains__(self, key: str) -> bool:
        return key in self._entries

    def section(self, stem: str) -> dict[str, str]:
        """Every text of one file (`scripts_zh/<stem>.yaml`) by name, unrendered: UI strings a page fills in."""
        prefix = stem + "."
        return {key[len(prefix):]: variants[0] for key, variants in self._entries.items() if key.startswith(prefix)}

    def variants(self, key: str) -> list[str]:
        try:
            return self._entries[key]
        except KeyError:
            raise TemplateError(f"no template {key}") from None

    def render(self, key: str, fields: Mapping[str, Any] | None = None, seed: int = 0) -> str:
        """Render one variant (chosen by `seed`, so a conversation does not repeat itself verbatim)."""
        options = self.variants(key)
        text = options[seed % len(options)]
        try:
            return text.format_map({**self._globals, **(fields or {})})
        except (KeyError, IndexError, ValueError) as exc:
            raise TemplateError(f"{key}: cannot fill {exc}") from None

    def render_safe(self, key: str, fields: Mapping[str, Any] | None = None, seed: int = 0) -> str:
        """Render, or fall back to `common.fallback` with a log line: a customer never sees an error."""
        try:
            return self.render(key, fields, seed)
        except TemplateError as exc:
            log.error("template failed, sent fallback instead: %s", describe_failure(exc))
            return self.render(FALLBACK_KEY)

    def forbidden_in(self, text: str) -> list[str]:
        """Forbidden phrases (R-WORDS-2) that occur in `text`; used for templates and agents' messages."""
        return [phrase for phrase in self.forbidden if phrase in text]

    def lint(self, specs: Iterable[ScriptSpec]) -> list[LintProblem]:
        problems: list[LintProblem] = []
        declared = {s.key: s.fields | GLOBAL_FIELDS for s in specs}
        for key in sorted(declared.keys() - self._entries.keys()):
            problems.append(LintProblem(_file_of(key), key, "missing: the code uses this template"))
        for key, variants in sorted(self._entries.items()):
            for number, text in enumerate(variants, 1):
                where = key if len(variants) == 1 else f"{key}[{number}]"
                try:
                    used = placeholders(text)
                except ValueError as exc:
                    problems.append(LintProblem(_file_of(key), where, f"broken placeholder: {exc}"))
                    continue
                if key in declared:
                    for name in sorted(used - declared[key]):
                        problems.append(LintProblem(_file_of(key), where, f"unknown variable {{{name}}}"))
                for phrase in self.forbidden_in(text):
                    problems.append(LintProblem(_file_of(key), where, f"forbidden phrase 「{phrase}」"))
            if key not in declared:
                problems.append(LintProblem(_file_of(key), key, "not used by the code (misspelt key?)"))
        return problems


def _file_of(key: str) -> str:
    return f"scripts_zh/{key.split('.', 1)[0]}.yaml"
