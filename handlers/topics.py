"""Topic words from `scripts_zh/topics.yaml`: which template (or which part of an area) answers a message.

Real shops keep one template per common question within an intent (包邮吗 and 能便宜点吗 are both
`promotion`, yet each has its own answer; docs/rules.md R-ANSWER-1, one approved wording per
situation). The shop lists, per area, named choices with their trigger words; the first choice whose
word occurs in the message wins, by the order written. The words are data, never sent, so the file is
one of the templates' data files (bot/templates.py `DATA_FILES`). How a shop adds one:
docs/consultation.md and docs/referral.md.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.config import PROJECT_ROOT
from bot.errors import TemplateError
from bot.templates import YAML_LOADER

FILE_NAME = "topics.yaml"
#: The shipped scripts: the areas declare the templates it names to `lint-scripts` from it.
SHIPPED = PROJECT_ROOT / "scripts_zh"

#: An area's choices in order: (name, trigger words).
Choices = tuple[tuple[str, tuple[str, ...]], ...]


def first_choice(text: str, choices: Choices) -> str | None:
    """The name of the first choice with a word in `text`, or None."""
    for name, words in choices:
        if any(word in text for word in words):
            return name
    return None


def area_data(directory: Path, area: str) -> Any:
    """The section `area` of `directory`'s topics file (None when the file or the section is absent);
    parsed once per version of the file."""
    path = directory / FILE_NAME
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return _parsed(path.resolve(), stat.st_mtime_ns, stat.st_size).get(area)


@lru_cache(maxsize=8)
def _parsed(path: Path, mtime_ns: int, size: int) -> Mapping[str, Any]:
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=YAML_LOADER) or {}
    if not isinstance(data, dict):
        raise TemplateError(f"{FILE_NAME}: top level must map areas to their topics")
    return data


def words_of(value: Any, where: str) -> tuple[str, ...]:
    """A non-empty list of non-blank words; TemplateError naming `where` otherwise."""
    if not isinstance(value, list) or not value or not all(isinstance(w, str) and w.strip() for w in value):
        raise TemplateError(f"{FILE_NAME}: {where}: words must be a non-empty list of texts")
    return tuple(word.strip() for word in value)


def named_choices(value: Any, known: Sequence[str], where: str) -> Choices:
    """A mapping of names (each one of `known`) to words, in the order written."""
    if value is None:
        return ()
    if not isinstance(value, dict) or not set(value) <= set(known):
        raise TemplateError(f"{FILE_NAME}: {where}: expected a mapping with names among {', '.join(known)}")
    return tuple((name, words_of(words, f"{where}.{name}")) for name, words in value.items())


def template_choices(value: Any, where: str) -> Choices:
    """A list of `{template: <name>, words: [...]}` (one intent's topics), in the order written."""
    if value is None:
        return ()
    if not isinstance(value, list):
        raise TemplateError(f"{FILE_NAME}: {where}: expected a list of topics")
    choices = []
    for number, topic in enumerate(value, 1):
        template = topic.get("template") if isinstance(topic, dict) else None
        if not isinstance(template, str) or not template.strip():
            raise TemplateError(f"{FILE_NAME}: {where}[{number}]: a topic needs a template name")
        choices.append((template.strip(), words_of(topic.get("words"), f"{where}[{number}]")))
    return tuple(choices)
