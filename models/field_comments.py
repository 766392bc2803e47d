"""The models' `#:` comments read as tortoise reads them, from one parse of each model file.

Tortoise makes a field's `#:` comment its description (a PostgreSQL `COMMENT`, part of aerich's
recorded state) by reading the class's source with `inspect.getsource` when the class is created.
On Python 3.11 that parses the class's whole file once per class (`inspect.findsource`): 0.15 s of
the bot's import, paid by every process that starts the bot (docs/performance.md, "Start-up, issues
11 and 13"). `install()` gives tortoise `comments_of`, which finds the same source (the lines
`inspect.getsource` returns: the same file lines, the same first line as `inspect`'s class finder,
the same block) with one parse per file, and applies tortoise's own expression to it: the
descriptions, and so the schema, are unchanged. tests/test_startup_imports.py compares it with
tortoise's function for every model.
"""

from __future__ import annotations

import ast
import inspect
import linecache
import re
import sys
from functools import lru_cache

import tortoise.models

#: The tortoise-orm whose `_get_comments` `comments_of` copies (tortoise/models.py, its expressions
#: below unchanged). Under another release tortoise keeps its own reading: a copy of an older one
#: could give other descriptions, and so another schema, without a word.
COPIED_FROM = "1.1.9"
#: From Python 3.13 `inspect.getsource` finds a class by its `__firstlineno__`, without parsing its
#: file: nothing to save, and a file defining a class name twice would be read differently.
FINDS_CLASSES_BY_PARSING = sys.version_info < (3, 13)
_COMMENTED = re.compile(r"((?:(?!\n|^)[^\w\n]*#:.*?\n)+?)[^\w\n]*(\w+)\s*[:=]")
_COMMENT_MARK = re.compile(r"(^\s*#:\s*|\s*$)", flags=re.MULTILINE)
_TORTOISE_COMMENTS = tortoise.models._get_comments


class _FirstLines(ast.NodeVisitor):
    """Every class's first line (its first decorator's), by qualified name, as `inspect._ClassFinder`
    walks: the first class of a name in the walk's order wins, as its search stops there."""

    def __init__(self) -> None:
        self.stack: list[str] = []
        self.lines: dict[str, int] = {}

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.stack += [node.name, "<locals>"]
        self.generic_visit(node)
        del self.stack[-2:]

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.stack.append(node.name)
        first = node.decorator_list[0].lineno if node.decorator_list else node.lineno
        self.lines.setdefault(".".join(self.stack), first - 1)
        self.generic_visit(node)
        self.stack.pop()

    def generic_visit(self, node: ast.AST) -> None:
        """`ast.NodeVisitor`'s walk without expressions, which hold no class statement."""
        for _, value in ast.iter_fields(node):
            for item in value if isinstance(value, list) else (value,):
                if isinstance(item, ast.AST) and not isinstance(item, ast.expr):
                    self.visit(item)


@lru_cache(maxsize=64)
def _class_lines(source: str) -> dict[str, int]:
    finder = _FirstLines()
    finder.visit(ast.parse(source))
    return finder.lines


def _from_class_on(cls: type) -> list[str] | None:
    """The lines of `cls`'s file from its first line on (what `inspect.getsource` takes its block
    from), found with one parse per file; None when not found that way."""
    module = sys.modules.get(cls.__module__)
    file = inspect.getsourcefile(cls)
    if module is None or not file:
        return None
    linecache.checkcache(file)
    lines = linecache.getlines(file, module.__dict__)
    first = _class_lines("".join(lines)).get(cls.__qualname__) if lines else None
    return None if first is None else lines[first:]


def class_source(cls: type) -> str:
    """`inspect.getsource(cls)`, parsing the class's file once for all the classes in it."""
    lines = _from_class_on(cls)
    return inspect.getsource(cls) if lines is None else "".join(inspect.getblock(lines))


def comments_of(cls: type) -> dict[str, str]:
    """tortoise's `_get_comments(cls)`: the `#:` comment before each attribute, by attribute name."""
    try:
        lines = _from_class_on(cls)
        if lines is not None and not any("#:" in line for line in lines):
            return {}  # the class's source is the first of these lines: no comment of that form in it
        source = class_source(cls)
    except (AttributeError, TypeError, OSError):
        return {}
    comments = {}
    for cls_ in reversed(cls.__mro__):
        if cls_ is object:
            continue
        for match in _COMMENTED.findall(source):
            comments[match[1]] = _COMMENT_MARK.sub("", match[0]).replace("{model}", cls_.__name__)
    return comments


def install() -> None:
    """Have tortoise read model comments with `comments_of` (model classes created from now on), when
    tortoise is the release it copies (tests/test_startup_imports.py fails on any other, to have the
    copy compared again and `COPIED_FROM` moved) and Python parses files to find classes."""
    if tortoise.__version__ == COPIED_FROM and FINDS_CLASSES_BY_PARSING:
        tortoise.models._get_comments = comments_of
