"""An agent's message sent once per `client_msg_id` (`POST /api/agent/conversations/{id}/messages`).

Every push to a WeChat customer spends one of the few messages the platform allows after their last
message (the send budget, 5 in 48 hours): a console that sends again after a lost answer, or a double
click, must not spend it twice. The console gives each reply an id of its own; the first request with
it claims the id in the store (one claim across workers), sends, and keeps its answer — the parts
sent, or the 502 `not_delivered` with each part's outcome — for `ANSWER_TTL_S`; a request with the same
id gets that answer again without sending. One arriving while the first is still sending waits for its
answer (announced on the store, so across workers) up to `WAIT_S`, then hears `reply_in_flight`. A
first try refused before anything went (blank, forbidden phrases not confirmed, the channel elsewhere)
keeps nothing: the next try with the same id (confirmed, say) is handled afresh.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from bot.ids import unique_id
from bot.web.problems import ApiError
from handlers.handoff.schemas import SentOut

if TYPE_CHECKING:
    from bot.store.base import Store

#: How long an answer is kept for a retry: longer than any console's retry of a lost answer.
ANSWER_TTL_S = 600
#: How long a resend waits for the first try's answer; sending 5 parts takes well under it.
WAIT_S = 10.0
#: How long the first try's claim lasts when its worker dies mid-send (the answer then is never kept).
IN_FLIGHT_TTL_S = 60
IN_FLIGHT = "in-flight:"
#: The one refusal that comes after parts may have gone, so is kept and given again.
KEPT_REFUSAL = "not_delivered"


async def send_once(store: Store, scope: tuple[str, ...], send: Callable[[], Awaitable[SentOut]]) -> SentOut:
    """`send()` once for this `scope` (conversation, agent, client_msg_id); its answer again after."""
    key = store.keys("agent-reply", *scope)
    topic = "agent-reply:" + ":".join(scope)  # the store adds its prefix to topics
    if not await store.claim(key, IN_FLIGHT_TTL_S, value=IN_FLIGHT + unique_id()):
        return _replayed(await _first_answer(store, key, topic))
    try:
        sent = await send()
    except ApiError as exc:
        if exc.code != KEPT_REFUSAL:
            await _release(store, key, topic)
            raise
        await _keep(store, key, topic, {"error": {"status": exc.status, "code": exc.code, "message": exc.message,
                                                  "details": exc.details}})
        raise
    except BaseException:
        await _release(store, key, topic)
        raise
    await _keep(store, key, topic, {"sent": sent.model_dump(mode="json")})
    return sent


async def _keep(store: Store, key: str, topic: str, answer: dict[str, Any]) -> None:
    await store.set(key, json.dumps(answer, ensure_ascii=False), ANSWER_TTL_S)
    await store.publish(topic, {"answered": True})


async def _release(store: Store, key: str, topic: str) -> None:
    await store.delete(key)
    await store.publish(topic, {"answered": False})


async def _first_answer(store: Store, key: str, topic: str) -> str | None:
    """The first try's kept answer, waiting up to `WAIT_S` while it is still sending (None: none kept)."""
    async with store.subscribe(topic) as answers:
        kept = await store.get(key)
        if kept is not None and kept.startswith(IN_FLIGHT):
            try:
                async with asyncio.timeout(WAIT_S):
                    await anext(answers)
            except TimeoutError:
                return None
            kept = await store.get(key)
    return None if kept is None or kept.startswith(IN_FLIGHT) else kept


def _replayed(kept: str | None) -> SentOut:
    if kept is None:
        raise ApiError(503, "reply_in_flight", "a reply with this client_msg_id is still being sent",
                       headers={"Retry-After": "5"})
    answer = json.loads(kept)
    if "sent" in answer:
        return SentOut.model_validate(answer["sent"])
    error = answer["error"]
    raise ApiError(error["status"], error["code"], error["message"], **error["details"])
