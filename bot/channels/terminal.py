"""`csbot chat`: talk to the bot in a terminal, through the same dispatcher as every channel.

Replies and later pushes (an agent's message) are printed with the shop's name in front. Lines are
read by a daemon thread (stdin blocks), so Ctrl-C leaves at once instead of waiting for Enter; the
words in `LEAVE_WORDS` and end of input (Ctrl-D) leave without being sent to the bot.
"""

from __future__ import annotations

import asyncio
import sys
import threading
from typing import TYPE_CHECKING, TextIO

from bot.channels.base import Channel
from bot.events import Inbound

if TYPE_CHECKING:
    from bot.runtime import Runtime


LEAVE_WORDS = frozenset({"quit", "exit", "/quit", "/exit"})
HOW_TO_LEAVE = "Type a message and press Enter. Leave with quit, exit, Ctrl-D or Ctrl-C."


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

    async def push(self, user_id: str, text: str, *, source_id: str | None = None) -> None:
        self._print(text)

    def _print(self, text: str) -> None:
        assert self.runtime is not None
        self.stdout.write(f"{self.runtime.settings.shop_name}: {text}\n")
        self.stdout.flush()

    async def converse(self) -> None:
        """Read a line, answer it, until a leave word or end of input."""
        assert self.runtime is not None
        self.stdout.write(HOW_TO_LEAVE + "\n")
        lines = self._read_lines()
        while True:
            self.stdout.write("> ")
            self.stdout.flush()
            line = await lines.get()
            text = (line or "").strip()
            if line is None or text.lower() in LEAVE_WORDS:
                self.say_goodbye()
                return
            if not text:
                continue
            inbound = Inbound(channel=self.name, user_id=self.user_id, kind="text", text=text,
                              received_at=self.runtime.clock.now())
            outcome = await self.runtime.dispatcher.handle(inbound, self.max_bytes)
            for text_part in outcome.texts:
                self._print(text_part)
            self.runtime.recorder.note_sent(outcome.message_ids)

    def _read_lines(self) -> asyncio.Queue[str | None]:
        """Lines of stdin as they come, then None at end of input, fed by a daemon thread.

        A daemon thread, not `asyncio.to_thread`: the loop's executor would wait at shutdown for the
        blocked `readline`, which is what made Ctrl-C hang until Enter.
        """
        loop = asyncio.get_running_loop()
        lines: asyncio.Queue[str | None] = asyncio.Queue()

        def read() -> None:
            try:
                for line in iter(self.stdin.readline, ""):
                    loop.call_soon_threadsafe(lines.put_nowait, line)
                loop.call_soon_threadsafe(lines.put_nowait, None)
            except RuntimeError:  # the loop closed (Ctrl-C) while this thread waited for a line
                return

        threading.Thread(target=read, name="terminal-stdin", daemon=True).start()
        return lines

    def say_goodbye(self) -> None:
        self.stdout.write("\nbye\n")
        self.stdout.flush()
