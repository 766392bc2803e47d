"""`/healthz` says the process answers (liveness); `/readyz` says it can serve (readiness).

A load balancer or orchestrator restarts a worker whose liveness fails and stops sending traffic to
one that is not ready. Readiness checks what every message needs: the database answers a query and
the store answers a ping, each within the store's pool wait. A store whose pool stays exhausted, or
a database that does not answer, makes the worker not ready (503, the same body), though it is
still alive.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from aiohttp import web
from pydantic import BaseModel, Field
from tortoise import connections

from bot.runtime import RUNTIME
from bot.web.problems import dumps
from bot.web.typed import endpoint


class LiveOut(BaseModel):
    ok: bool


class ReadyOut(BaseModel):
    ok: bool
    database: str = Field(description='"ok", "timeout", or the type of the error')
    store: str = Field(description='"ok", "timeout", or the type of the error')


@endpoint("GET", "/healthz", response=LiveOut, public=True, tag="health", summary="Liveness: the process answers")
async def healthz(request: web.Request) -> LiveOut:
    return LiveOut(ok=True)


@endpoint("GET", "/readyz", response=ReadyOut, public=True, tag="health",
          summary="Readiness: the database and the store answer (503 with the same body otherwise)",
          errors={503: "not ready: the body is a ReadyOut saying which part failed"})
async def readyz(request: web.Request) -> ReadyOut | web.Response:
    runtime = request.app[RUNTIME]
    wait = runtime.settings.redis_pool_wait_s + 1.0
    database, store = await asyncio.gather(_check(_database_answers, wait), _check(runtime.store.ping, wait))
    answer = ReadyOut(ok=database == store == "ok", database=database, store=store)
    if answer.ok:
        return answer
    return web.Response(status=503, headers={"Retry-After": str(runtime.settings.retry_after_s)},
                        content_type="application/json", text=dumps(answer.model_dump()))


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


ENDPOINTS = [healthz, readyz]
