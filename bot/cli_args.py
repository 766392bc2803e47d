"""What the command line accepts, checked while parsing so a mistake costs one line, not a traceback.

`CliParser` prints every argument error as one line naming the argument and exits with status 2;
the argument types below name what was wrong with the value. A command that finds a problem
later (a name already taken) raises `UsageError`, which `bot.cli.main` prints the same way.
"""

from __future__ import annotations

import argparse
import re
import sys
from datetime import date
from pathlib import Path
from typing import NoReturn

USAGE_ERROR = 2
ACCOUNT_NAME = re.compile(r"[^\s]{1,64}")


class UsageError(Exception):
    """A mistake the person at the terminal can fix; printed as `error: <message>`, exit status 2."""


class CliParser(argparse.ArgumentParser):
    """An argument parser whose errors are one line (`csbot agents add: error: argument --capacity: ...`)."""

    def error(self, message: str) -> NoReturn:
        self.exit(USAGE_ERROR, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value} must be 1 or more")
    return number


def account_name(value: str) -> str:
    """Staff names are typed at the login form and shown in the console: no spaces, at most 64 characters."""
    if not ACCOUNT_NAME.fullmatch(value):
        raise argparse.ArgumentTypeError(f"{value!r} must be 1-64 characters without spaces")
    return value


def display_name(value: str) -> str:
    """The 昵称 customers see: 1-32 printable characters (no line breaks or control characters)."""
    name = value.strip()
    if not name or len(name) > 32 or not name.isprintable():
        raise argparse.ArgumentTypeError(f"{value!r} must be 1-32 printable characters")
    return name


def iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date written YYYY-MM-DD") from None


def existing_file(value: str) -> Path:
    path = Path(value)
    if not path.is_file():
        raise argparse.ArgumentTypeError(f"{value}: no such file" if not path.exists() else f"{value}: not a file")
    return path


def text_lines(value: str) -> list[str]:
    """The lines of a UTF-8 text file; a missing, unreadable or binary file is an argument error."""
    path = Path(value)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise argparse.ArgumentTypeError(f"{value}: no such file") from None
    except IsADirectoryError:
        raise argparse.ArgumentTypeError(f"{value}: is a directory, not a file") from None
    except OSError as exc:
        raise argparse.ArgumentTypeError(f"{value}: cannot be read ({exc.strerror})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise argparse.ArgumentTypeError(f"{value}: not a UTF-8 text file") from None
    if "\x00" in text:
        raise argparse.ArgumentTypeError(f"{value}: not a text file (it contains NUL bytes)")
    return text.splitlines()


def print_error(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return USAGE_ERROR
