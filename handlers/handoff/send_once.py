"""An agent's message sent once per `client_msg_id` (`POST /api/agent/conversations/{id}/messages`).

Every push to a WeChat customer spends one of the few messages the platform allows after their last
message (the send budget, 5 in 48 hours): a console that sends again after a lost answer, or a double
click, must not spend it twice. The console gives each reply an id of its own; the first request with
it claims the id in the store (one claim across workers) and is the only one that may send. What a
later request with the same id hears depends on how far the first got:

- refused before anything went (blank, forbidden phrases not confirmed, over the send budget, the
  channel elsewhere, or any failure before the send began): the claim is released, and the next try
  (confirmed, say) is handled afresh; a duplicate that was waiting meanwhile is handled afresh too;
- the send began (the claim is marked `sending` with the latest time it can end, from the parts and
  the WeChat timeout, just before the first part goes): from then on the claim is never released. Its
  answer is kept for `ANSWER_TTL_S` and given again — the parts sent, the 502 `not_delivered` with each
  part's outcome, or, when anything failed after the send began (a database or store write after the
  parts went, a cancellation at shutdown), the 409 `reply_maybe_sent` telling the agent to look at the
  conversation before sending again;
- the first still sending: a duplicate waits for its answer (announced on the store, so across
  workers) up to `WAIT_S`, then hears 503 `reply_in_flight`; once the send's latest end has passed with
  no answer kept (the worker died, or the store failed as the answer was written) it hears 409
  `reply_maybe_sent`. The `sending` mark lasts that latest end plus `ANSWER_TTL_S`, so it never expires
  before an answer would have.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from bot.clock import Clock
from bot.ids import unique_id
from bot.web.problems import ApiError
from handlers.handoff.schemas import SentOut

if TYPE_CHECKING:
    from bot.store.base import Store

log = logging.getLogger(__name__)

#: How long an answer is kept for a retry: longer than any console's retry of a lost answer.
ANSWER_TTL_S = 600
#: How long a resend waits for the first try's answer before hearing `reply_in_flight`.
WAIT_S = 10.0
#: How long a claim lasts before its send begins (a few reads: a worker dying there sent nothing).
CLAIM_TTL_S = 60
IN_FLIGHT = "in-flight:"
CLAIMED = IN_FLIGHT + "claimed:"
SENDING = IN_FLIGHT + "sending:"
#: The one refusal that comes after parts may have gone, so is kept and given again.
KEPT_REFUSAL = "not_delivered"
#: Refusals that come before anything is sent, even once the send began (raised by the send's own checks).
REFUSED_BEFORE_SENDING = frozenset({"not_held", "over_send_budget", "forbidden_language", "reply_empty",
                                    "channel_not_running"})
#: How often a duplicate starts afresh when the first try it waited for was refused before sending.
AFRESH_TRIES = 3

#: Called by the send just before its first part goes, with the longest the send can take (seconds).
SendBegins = Callable[[float], Awaitable[None]]


def maybe_sent() -> ApiError:
    return ApiError(409, "reply_maybe_sent", "the reply may have been sent; look at the conversation before "
                    "sending it again")


async def send_once(store: Store, clock: Clock, scope: tuple[str, ...],
                    send: Callable[[SendBegins], Awaitable[SentOut]]) -> SentOut:
    """`send()` once for this `scope` (conversation, agent, client_msg_id); its answer again after."""
    key = store.keys("agent-reply", *scope)
    topic = "agent-reply:" + ":".join(scope)  # the store adds its prefix to topics
    for _ in range(AFRESH_TRIES):
        if await store.claim(key, CLAIM_TTL_S, value=CLAIMED + unique_id()):
            return await _first_try(store, clock, key, topic, send)
        kept = await _first_answer(store, clock, key, topic)
        if kept is not None:
            return _replayed(kept)
    raise ApiError(503, "reply_in_flight", "a reply with this client_msg_id is still being handled",
                   headers={"Retry-After": "5"})


async def _first_try(store: Store, clock: Clock, key: str, topic: str,
                     send: Callable[[SendBegins], Awaitable[SentOut]]) -> SentOut:
    began = False

    async def begins(longest_s: float) -> None:
        nonlocal began
        await store.set(key, SENDING + repr(clock.time() + longest_s), longest_s + ANSWER_TTL_S)
        began = True

    try:
        sent = await send(begins)
    except ApiError as exc:
        if exc.code == KEPT_REFUSAL:
            await _keep_once_sent(store, key, topic, _error_answer(exc))
        elif exc.code in REFUSED_BEFORE_SENDING or not began:
            await _release(store, key, topic)
        else:
            await _keep_once_sent(store, key, topic, _error_answer(maybe_sent()))
        raise
    except Exception as exc:
        if not began:
            await _release(store, key, topic)
            raise
        log.exception("an agent's reply failed after its send began: kept as maybe sent")
        await _keep_once_sent(store, key, topic, _error_answer(maybe_sent()))
        raise maybe_sent() from exc
    except BaseException:  # a cancellation (shutdown): what went cannot be told, so nothing is sent again
        if began:
            await _keep_once_sent(store, key, topic, _error_answer(maybe_sent()))
        else:
            await _release(store, key, topic)
        raise
    await _keep_once_sent(store, key, topic, {"sent": sent.model_dump(mode="json")})
    return sent


def _error_answer(exc: ApiError) -> dict[str, Any]:
    return {"error": {"status": exc.status, "code": exc.code, "message": exc.message, "details": exc.details}}


async def _keep(store: Store, key: str, topic: str, answer: dict[str, Any]) -> None:
    await store.set(key, json.dumps(answer, ensure_ascii=False), ANSWER_TTL_S)
    await store.publish(topic, {"answered": True})


async def _keep_once_sent(store: Store, key: str, topic: str, answer: dict[str, Any]) -> None:
    """Keep the answer of a try whose send began. When the store fails here the agent still gets the
    try's own answer, and the `sending` mark stays: a retry hears `reply_in_flight`, then
    `reply_maybe_sent` after the send's latest end, never a second send."""
    try:
        await _keep(store, key, topic, answer)
    except Exception:
        log.warning("the answer of an agent's reply was not kept; its claim stays marked as sending")


async def _release(store: Store, key: str, topic: str) -> None:
    await store.delete(key)
    await store.publish(topic, {"answered": False})


async def _first_answer(store: Store, clock: Clock, key: str, topic: str) -> str | None:
    """The first try's kept answer, waiting up to `WAIT_S` while it is still under way; None when its
    claim is free again (refused before sending: this request is handled afresh). Raises
    `reply_in_flight` while the first may still be sending, `reply_maybe_sent` after its latest end."""
    async with store.subscribe(topic) as answers:
        kept = await store.get(key)
        if kept is not None and kept.startswith(IN_FLIGHT) and not _overdue(kept, clock):
            try:
                async with asyncio.timeout(WAIT_S):
                    await anext(answers)
            except TimeoutError:
                pass
            kept = await store.get(key)
    if kept is None or not kept.startswith(IN_FLIGHT):
        return kept
    if _overdue(kept, clock):
        raise maybe_sent()
    raise ApiError(503, "reply_in_flight", "a reply with this client_msg_id is still being sent",
                   headers={"Retry-After": "5"})


def _overdue(mark: str, clock: Clock) -> bool:
    """A `sending` mark whose send's latest end has passed with no answer kept."""
    return mark.startswith(SENDING) and clock.time() > float(mark.removeprefix(SENDING))


def _replayed(kept: str) -> SentOut:
    answer = json.loads(kept)
    if "sent" in answer:
        return SentOut.model_validate(answer["sent"])
    error = answer["error"]
    raise ApiError(error["status"], error["code"], error["message"], **error["details"])
