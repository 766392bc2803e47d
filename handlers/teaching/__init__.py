"""Teaching the bot: learned examples from agents' corrections and the shop's chat logs (issue 13).

At start-up each worker loads the stored examples into its matcher and listens for new ones
(bot/learned.py); the console's 教机器人 tab (static/teach_panel.js) and `main.py intents ...` add them.
"""

from __future__ import annotations

from pathlib import Path

from bot.console_panel import ConsolePanel
from bot.extension import Extension
from bot.learned import LearnedExamples
from bot.runtime import Runtime
from handlers.teaching import api, cli
from handlers.teaching.service import LEARNED


async def startup(runtime: Runtime) -> None:
    runtime.matcher.threshold = runtime.settings.confidence_threshold
    service = LearnedExamples(runtime.matcher, runtime.store, runtime.clock, runtime.settings.order_no_patterns)
    runtime.services[LEARNED] = service
    await service.start()


async def shutdown(runtime: Runtime) -> None:
    await runtime.services[LEARNED].stop()


extension = Extension(
    "teaching",
    scripts=api.SCRIPTS,
    endpoints=api.ENDPOINTS,
    startup=startup,
    shutdown=shutdown,
    cli=cli.register,
    console_panels=(ConsolePanel("teach", Path(__file__).resolve().parent / "static" / "teach_panel.js",
                                 texts="teach_console"),),
)
