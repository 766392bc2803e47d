"""`lint-scripts`: every template the code uses exists, fills only supplied fields, says nothing forbidden."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import yaml

from bot.dispatcher import CORE_SCRIPTS
from bot.errors import ConfigError, TemplateError
from bot.extension import Extension
from bot.templates import LintProblem, ScriptSpec, Templates


def lint_scripts(directory: Path, handler_specs: Iterable[ScriptSpec],
                 extensions: Iterable[Extension] = ()) -> list[LintProblem]:
    """Problems in the templates under `directory`, given the keys and fields the handlers use, and in
    the areas' data files there (`Extension.data_check`)."""
    try:
        templates = Templates.load(directory)
    except (TemplateError, OSError, yaml.YAMLError) as exc:
        return [LintProblem(str(directory), "-", f"cannot load: {exc}")]
    return [*templates.lint([*CORE_SCRIPTS, *handler_specs]), *data_problems(directory, templates, extensions)]


def data_problems(directory: Path, templates: Templates, extensions: Iterable[Extension]) -> list[LintProblem]:
    """The areas' data files in `directory` checked against its templates, each check run once."""
    checks = dict.fromkeys(e.data_check for e in extensions if e.data_check is not None)
    return [problem for check in checks for problem in check(directory, templates)]


def check_data_files(directory: Path, templates: Templates, extensions: Iterable[Extension]) -> None:
    """Refuse to start on a problem in the areas' data files, each named (a ConfigError: the command
    line prints it and exits, as for a wrong setting)."""
    problems = data_problems(directory, templates, extensions)
    if problems:
        raise ConfigError("; ".join(map(str, problems)))
