"""`python main.py chat`: talk to the bot in a terminal, through the same dispatcher as every channel.

Lines are read off the event loop (stdin is blocking); replies and later pushes (an agent's message)
are printed with the shop's name in front. End with Ctrl-D or an empty line twice.
"""

from __future__ import annotations

import asyncio
import sys
from typing import TYPE_CHECKING, TextIO

from bot.channels.base import Channel
from bot.events import Inbound

if TYPE_CHECKING:
    from bot.runtime import Runtime


class TerminalChannel(Channel):
    name = "terminal"
    max_bytes = 2000

    def __init__(self, user_id: str = "local", stdin: TextIO | None = None, stdout: TextIO | None = None):
        self.user_id = user_id
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stdout
        self.runtime: Runtime | None = None

    async def start(self, runtime: Runtime) -> None:
        self.runtime = runtime

    async def push(self, user_id: str, text: str) -> None:
        self._print(text)

    def _print(self, text: str) -> None:
        assert self.runtime is not None
        self.stdout.write(f"{self.runtime.settings.shop_name}: {text}\n")
        self.stdout.flush()

    async def converse(self) -> None:
        """Read a line, answer it, until end of input."""
        assert self.runtime is not None
        while True:
            self.stdout.write("> ")
            self.stdout.flush()
            line = await asyncio.to_thread(self.stdin.readline)
            if not line:
                self.stdout.write("\n")
                return
            text = line.strip()
            if not text:
                continue
            inbound = Inbound(channel=self.name, user_id=self.user_id, kind="text", text=text,
                              received_at=self.runtime.clock.now())
            outcome = await self.runtime.dispatcher.handle(inbound, self.max_bytes)
            for text_part in outcome.texts:
                self._print(text_part)
            self.runtime.recorder.note_sent(outcome.message_ids)
