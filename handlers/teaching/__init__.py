"""Teaching the bot: learned examples from agents' corrections and the shop's chat logs (issue 13).

At start-up each worker loads the stored examples into its matcher and listens for new ones
(bot/learned.py); the console's 教机器人 tab (static/teach_panel.js) and `main.py intents ...` add them.
"""

from __future__ import annotations

from pathlib import Path

from bot.classifier_process import CLASSIFIER
from bot.console_panel import ConsolePanel
from bot.extension import AreaKit, Extension
from bot.learned import LearnedExamples
from handlers.teaching import api, cli
from handlers.teaching.service import LEARNED


async def startup(kit: AreaKit) -> None:
    services = kit.services
    kit.matcher.threshold = services.settings.confidence_threshold
    classifier = services.extras.get(CLASSIFIER)  # the worker's classifier process, when it has one
    service = LearnedExamples(kit.matcher, services.store, services.clock, services.settings.order_no_patterns,
                              follower=classifier.learned if classifier is not None else None)
    services[LEARNED] = service
    await service.start()


async def shutdown(kit: AreaKit) -> None:
    await kit.services[LEARNED].stop()


extension = Extension(
    "teaching",
    scripts=api.SCRIPTS,
    endpoints=api.ENDPOINTS,
    startup=startup,
    shutdown=shutdown,
    cli=cli.register,
    console_panels=(ConsolePanel("teach", Path(__file__).resolve().parent / "static" / "teach_panel.js",
                                 texts="teach_console", roles=api.TEACHERS),),
)
