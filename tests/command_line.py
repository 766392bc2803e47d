"""`csbot ARGS` run in the test's process, as an operator runs it, for tests of commands.

A new interpreter per command costs about three seconds of CPU (imports, jieba's dictionary, the
shop's matcher) and proves nothing a command's test asserts; in this process those are loaded once.
What only a real process shows keeps real processes: the console script (test_packaging.py), `chat`
on a terminal left with Ctrl-C (test_cli.py), and `serve` with its workers (test_serve_supervision.py,
test_api_fuzz.py).
"""

from __future__ import annotations

import asyncio
import io
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import pytest

T = TypeVar("T")


@dataclass(frozen=True)
class CliResult:
    returncode: int
    stdout: str
    stderr: str


def start_in_own_thread(function: Callable[[], T]) -> tuple[threading.Thread, Callable[[], T]]:
    """Start `function` in a new thread; the second callable, after the thread ended, returns its
    result or raises its exception.

    A new thread starts with no context variables, so the ORM context a command opens (tortoise keeps
    it in one) is the command's own: a test's running bot keeps its connections, as it would beside
    a real `csbot` process; and its `asyncio.run` never meets the test's running loop.
    """
    outcome: dict[str, object] = {}

    def target() -> None:
        try:
            outcome["value"] = function()
        except BaseException as exc:  # SystemExit included: the caller decides
            outcome["error"] = exc

    def result() -> T:
        if "error" in outcome:
            raise outcome["error"]  # type: ignore[misc]
        return outcome["value"]  # type: ignore[return-value]

    thread = threading.Thread(target=target, name="csbot-command")
    thread.start()
    return thread, result


def run_in_own_thread(function: Callable[[], T]) -> T:
    thread, result = start_in_own_thread(function)
    thread.join()
    return result()


def cli_status(args: list[str]) -> int:
    """`bot.cli.main(args)` with its exit status, as the process would end (argparse exits 2 on a bad
    argument, 0 after `--help`)."""
    from bot import cli

    try:
        return cli.main(args)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1 if exc.code else 0


class CommandLine:
    """The `csbot` fixture: `csbot(*args, env=..., stdin=...)` runs one command with `env` set on top of
    the test's environment (in the test's own working directory, so no developer's `.env`), and
    returns its status and what it printed. `await csbot.run_async(...)` lets the test's event loop,
    and a bot running in it, go on serving while the command runs."""

    def __init__(self, capsys: pytest.CaptureFixture[str]) -> None:
        self._capsys = capsys

    def _start(self, args: tuple[str, ...], env: dict[str, str] | None,
               stdin: str) -> tuple[threading.Thread, Callable[[], CliResult]]:
        self._capsys.readouterr()  # what the test printed before is not the command's
        patch = pytest.MonkeyPatch()
        for name, value in (env or {}).items():
            patch.setenv(name, value)
        patch.setattr("sys.stdin", io.StringIO(stdin))
        thread, status = start_in_own_thread(lambda: cli_status(list(args)))

        def finish() -> CliResult:
            patch.undo()
            out, err = self._capsys.readouterr()
            return CliResult(status(), out, err)

        return thread, finish

    def __call__(self, *args: str, env: dict[str, str] | None = None, stdin: str = "") -> CliResult:
        thread, finish = self._start(args, env, stdin)
        thread.join()
        return finish()

    async def run_async(self, *args: str, env: dict[str, str] | None = None, stdin: str = "") -> CliResult:
        thread, finish = self._start(args, env, stdin)
        await asyncio.to_thread(thread.join)
        return finish()
