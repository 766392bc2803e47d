"""What a command-line subcommand gets: the settings, and a way to run code against an opened runtime.

Subcommands registered by extensions set `func(args, command)`, where `command` is a `Command`;
`command.run_with(KEY, action)` opens the runtime with every extension and the configured channels
(so a command can send through WeChat), awaits `action(service)` with the service object the area's
start-up kept under `KEY`, closes everything and returns its exit status; an area's command never
holds the runtime. `command.run(action)` hands the runtime itself, for the core's commands
(bot/cli.py). No ticker runs in a command: deadlines fire in the server.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from bot.config import Settings
from bot.context import ServiceKey
from bot.extension import Extension
from bot.logs import log_loop_failures
from bot.runtime import Runtime

T = TypeVar("T")


@dataclass(frozen=True)
class Command:
    settings: Settings
    extensions: Sequence[Extension]

    def run(self, action: Callable[[Runtime], Awaitable[int | None]]) -> int:
        from bot.app import default_channels

        async def go() -> int:
            log_loop_failures(asyncio.get_running_loop())  # bot/logs.py
            runtime = await Runtime.open(self.settings, self.extensions, default_channels(self.settings),
                                         background=False)
            try:
                return await action(runtime) or 0
            finally:
                await runtime.close()

        return asyncio.run(go())

    def run_with(self, key: ServiceKey[T], action: Callable[[T], Awaitable[int | None]]) -> int:
        """Run `action` with the area's service object kept under `key` (what an area's command uses)."""
        return self.run(lambda runtime: action(runtime.services[key]))
