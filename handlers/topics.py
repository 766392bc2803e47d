"""Topic words from `scripts_zh/topics.yaml`: which template (or which part of an area) answers a message.

Real shops keep one template per common question within an intent (包邮吗 and 能便宜点吗 are both
`promotion`, yet each has its own answer; docs/rules.md R-ANSWER-1, one approved wording per
situation). The shop lists, per area, named choices with their trigger words; the first choice whose
word occurs in the message wins, by the order written. The words are data, never sent, so the file is
one of the templates' data files (bot/templates.py `DATA_FILES`). How a shop adds one:
docs/consultation.md and docs/referral.md.

The file of the directory in use (SCRIPTS_DIR) is checked whole against that directory's templates:
at start-up and by `lint-scripts` (`check`, the consultation area's `data_check`), where a problem
refuses the start; and each time it changes while the bot runs (`area_data`), where a broken version
is logged once and the last sound one stays in use. Each area registers how it reads its section.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

import yaml

from bot.config import PROJECT_ROOT
from bot.errors import TemplateError
from bot.file_stamp import file_stamp
from bot.templates import YAML_LOADER, LintProblem, Templates

FILE_NAME = "topics.yaml"
#: The shipped scripts: the areas declare the templates it names to `lint-scripts` from it.
SHIPPED = PROJECT_ROOT / "scripts_zh"
#: The sections the file may have (each read by one area, which registers its reader below).
AREAS = ("consultation", "referral", "after_sales")

log = logging.getLogger("csbot.topics")

#: An area's choices in order: (name, trigger words).
Choices = tuple[tuple[str, tuple[str, ...]], ...]
#: An area's check of its section (None when absent): the template keys it names; TemplateError on a wrong shape.
Reader = Callable[[Any], Sequence[str]]
_READERS: dict[str, Reader] = {}
T = TypeVar("T")


def register(area: str, reader: Reader) -> None:
    """Declare how `area` reads its section, so the file is checked as a whole at start-up, by
    `lint-scripts` and whenever it changes while the bot runs."""
    if area not in AREAS:
        raise ValueError(f"{FILE_NAME} has no area {area}")
    _READERS[area] = reader


def first_choice(text: str, choices: Choices) -> str | None:
    """The name of the first choice with a word in `text`, or None."""
    for name, words in choices:
        if any(word in text for word in words):
            return name
    return None


def read_file(directory: Path) -> Mapping[str, Any]:
    """The parsed topics file of `directory` ({} when absent); TemplateError when it cannot be read or
    is not a mapping of areas."""
    path = directory / FILE_NAME
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise TemplateError(f"{FILE_NAME}: cannot read: {exc}") from None
    try:
        data = yaml.load(text, Loader=YAML_LOADER) or {}
    except yaml.YAMLError as exc:
        raise TemplateError(f"{FILE_NAME}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise TemplateError(f"{FILE_NAME}: top level must map areas to their topics")
    return data


def problems_in(data: Mapping[str, Any], templates: Templates) -> list[str]:
    """What is wrong with a parsed topics file: an unknown area, a section of the wrong shape, a topic
    naming a template `templates` lacks."""
    found = [f"{FILE_NAME}: {area}: not an area (expected one of {', '.join(AREAS)})"
             for area in data if area not in AREAS]
    for area, reader in _READERS.items():
        try:
            keys = reader(data.get(area))
        except TemplateError as exc:
            found.append(str(exc))
            continue
        found.extend(f"{FILE_NAME}: {area}: names template {key}, which this directory does not have"
                     for key in dict.fromkeys(keys) if key not in templates)
    return found


def check(directory: Path, templates: Templates) -> list[LintProblem]:
    """The topics file of `directory` against that directory's templates (the Extension's `data_check`:
    the bot refuses to start on any problem, and `lint-scripts` lists them)."""
    version = _reread(directory, file_stamp(directory / FILE_NAME), templates, None, quiet=True)
    _SEEN.setdefault(templates, {})[directory / FILE_NAME] = version  # the version these templates start with
    return [LintProblem(str(directory / FILE_NAME), "-", problem.removeprefix(f"{FILE_NAME}: "))
            for problem in version.problems]


def section(directory: Path, area: str) -> Any:
    """The section `area` of `directory`'s file, read now (TemplateError when broken): for the shipped
    file at import."""
    return read_file(directory).get(area)


@dataclass(frozen=True, slots=True)
class _Version:
    stamp: tuple[int, int] | None
    #: The last file that passed every check (None: none yet, so no topics).
    good: Mapping[str, Any] | None
    #: What is wrong with this version (empty when it is the good one).
    problems: tuple[str, ...] = ()
    #: Each area's section as the area reads it (`area_data`'s `read`), made once per version.
    read: dict[str, Any] = field(default_factory=dict)


#: Per runtime's templates, per file: the version last seen. Checked with those templates, since a topic
#: must name one of them.
_SEEN: WeakKeyDictionary[Templates, dict[Path, _Version]] = WeakKeyDictionary()


def area_data(directory: Path, area: str, templates: Templates, read: Callable[[Any], T]) -> T:
    """`read` of the section `area` of `directory`'s topics file as last read whole and sound (of None
    when absent), made once per version of the file, not per message.

    The file is read again when it changes; a changed file with any problem is logged once and the last
    sound version stays in use (or none: every intent answers with its own template), so a shop's
    mistake never turns a customer's message into an error."""
    path = directory / FILE_NAME
    stamp = file_stamp(path)
    seen = _SEEN.setdefault(templates, {})
    version = seen.get(path)
    if version is None or version.stamp != stamp:
        version = seen[path] = _reread(directory, stamp, templates, version)
    if area not in version.read:
        version.read[area] = read(version.good.get(area) if version.good is not None else None)
    return version.read[area]



def _reread(directory: Path, stamp: tuple[int, int] | None, templates: Templates,
            previous: _Version | None, *, quiet: bool = False) -> _Version:
    try:
        data = read_file(directory)
        found = problems_in(data, templates)
    except TemplateError as exc:
        found = [str(exc)]
    if not found:
        return _Version(stamp, data)
    if not quiet:  # once per version of the file: the next read finds the same stamp
        log.error("%s in %s rejected, the last sound version stays in use: %s", FILE_NAME, directory,
                  "; ".join(found))
    return _Version(stamp, previous.good if previous is not None else None, tuple(found))


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
