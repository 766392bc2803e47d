"""`csbot serve`: one process, or N processes sharing the port (SO_REUSEPORT).

With `REDIS_URL` set the workers share the store (dedupe, locks, token, pub/sub); without it each
would have its own in-process store and a WeChat retry could land on a worker that never saw the
first try, so several workers without Redis are refused. `make_app` comes from `bot/cli.py` (the
composition root, which knows the handlers) and must be a module-level function so spawned workers can load it.
"""

from __future__ import annotations

import logging
import multiprocessing
from collections.abc import Callable

from aiohttp import web

from bot.config import Settings

log = logging.getLogger("csbot.server")
AppFactory = Callable[[Settings], web.Application]


def run_worker(make_app: AppFactory, settings: Settings, reuse_port: bool) -> None:
    web.run_app(make_app(settings), host=settings.bot_host, port=settings.bot_port, reuse_port=reuse_port,
                print=None, access_log=None)


def serve(make_app: AppFactory, settings: Settings, workers: int = 1) -> int:
    if workers < 1:
        print("error: --workers must be at least 1")
        return 2
    if workers > 1 and not settings.redis_url:
        print("error: --workers above 1 needs REDIS_URL so that the workers share one store")
        return 2
    log.info("serving on http://%s:%d with %d worker(s)", settings.bot_host, settings.bot_port, workers)
    if workers == 1:
        run_worker(make_app, settings, reuse_port=False)
        return 0
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=run_worker, args=(make_app, settings, True)) for _ in range(workers)]
    for process in processes:
        process.start()
    try:
        for process in processes:
            process.join()
    except KeyboardInterrupt:
        for process in processes:
            process.terminate()
    return 0
