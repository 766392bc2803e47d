"""`/healthz` says the process answers (liveness); `/readyz` says it can serve (readiness).

A load balancer or orchestrator restarts a worker whose liveness fails and stops sending traffic to
one that is not ready. Readiness checks what every message needs: the database answers a query and
the store answers a ping, each within the store's pool wait. A store whose pool stays exhausted, or
a database that does not answer, makes the worker not ready (503), though it is still alive.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from aiohttp import web
from tortoise import connections

from bot.runtime import RUNTIME
from bot.web.jsonbody import dumps


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"ok": True})


async def readyz(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    wait = runtime.settings.redis_pool_wait_s + 1.0
    database, store = await asyncio.gather(_check(_database_answers, wait), _check(runtime.store.ping, wait))
    ready = database == store == "ok"
    headers = None if ready else {"Retry-After": str(runtime.settings.retry_after_s)}
    return web.Response(status=200 if ready else 503, headers=headers, content_type="application/json",
                        text=dumps({"ok": ready, "database": database, "store": store}))


async def _database_answers() -> None:
    await connections.get("default").execute_query("SELECT 1")


async def _check(probe: Callable[[], Awaitable[None]], wait: float) -> str:
    """"ok", or why not: "timeout" when the probe did not finish in time, else the error's type."""
    try:
        async with asyncio.timeout(wait):
            await probe()
    except TimeoutError:
        return "timeout"
    except Exception as exc:  # any failure means not ready; its type says which
        return type(exc).__name__
    return "ok"


ROUTES = [web.get("/healthz", healthz), web.get("/readyz", readyz)]
