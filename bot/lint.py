"""`lint-scripts`: every template the code uses exists, fills only supplied fields, says nothing forbidden."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import yaml

from bot.dispatcher import CORE_SCRIPTS
from bot.errors import TemplateError
from bot.templates import LintProblem, ScriptSpec, Templates


def lint_scripts(directory: Path, handler_specs: Iterable[ScriptSpec]) -> list[LintProblem]:
    """Problems in the templates under `directory`, given the keys and fields the handlers use."""
    try:
        templates = Templates.load(directory)
    except (TemplateError, OSError, yaml.YAMLError) as exc:
        return [LintProblem(str(directory), "-", f"cannot load: {exc}")]
    return templates.lint([*CORE_SCRIPTS, *handler_specs])
