"""Imported by `serve`'s forkserver, and only there (bot/server.py): builds what every worker would
build alike before the forkserver forks them, so each worker starts with it built (copy on write).

That is jieba's dictionary and the general intent matcher (`bot.runtime.general_matcher`): they depend
only on the project's files and the settings, and took each worker seconds of CPU at start-up, more
under load (docs/performance.md, "Workers forked with the matcher built"). A worker's runtime asks for
the same shared matcher with its own settings and finds this one when the key matches (the intents
file, training corpus and calibration as they are now, the areas' precedence, the order patterns and
the decision cache's size: `IntentMatcher.shared`); otherwise it builds its own, as before. What is
per shop or per database (learned examples, the shop's fit) is still loaded by each worker from its
own database after the fork, and nothing here opens an event loop, a connection, a thread or a
database, which a forked worker would share.

A module because importing modules is all multiprocessing lets a forkserver do before it forks
(`set_forkserver_preload`). A failure here only costs the workers their own build: it is logged
without customer data (`describe_failure`) and never stops the forkserver, hence `serve`.
"""

from __future__ import annotations

import gc
import logging
import os
import time

from bot.cli import EXTENSIONS  # the composition root's areas: their intents make the precedence
from bot.config import load_settings
from bot.logs import configure_logging, describe_failure
from bot.runtime import general_matcher

log = logging.getLogger("csbot.server")


def build_before_fork() -> bool:
    """Build the shared matcher with jieba's dictionary in this process; whether it was built."""
    started = time.perf_counter()
    try:
        settings = load_settings()
        configure_logging(settings.log_level)
        general_matcher(settings, EXTENSIONS)
    except Exception as exc:
        log.warning("forkserver %d: intent matcher not built before the fork (%s); each worker builds its own",
                    os.getpid(), describe_failure(exc))
        return False
    gc.collect()
    gc.freeze()  # out of the collector's sight: collections in the workers leave its pages shared
    log.info("forkserver %d: jieba and the intent matcher built in %.1f s", os.getpid(),
             time.perf_counter() - started)
    return True


build_before_fork()
