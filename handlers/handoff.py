"""Requests for a person: `human` and `complaint` record an escalation and tell the customer when.

The handover itself (queues, agents, the SLA clock) is built on this recorded request; here the
bot's part is to say, in the shop's words, that a colleague will take over and how soon (BRIEF §1:
cannot answer now → say when).
"""

from __future__ import annotations

from bot.context import Context
from bot.events import Reply
from bot.extension import Extension
from bot.router import Router
from bot.templates import spec

router = Router("handoff")

SCRIPTS = (spec("handoff.to_human", "wait_minutes"), spec("handoff.complaint", "wait_minutes"))
EXPECTED_WAIT_MINUTES = 3


@router.intent("human")
async def to_human(ctx: Context) -> Reply:
    reply = Reply.say("handoff.to_human", wait_minutes=EXPECTED_WAIT_MINUTES)
    reply.escalate = "human_requested"
    return reply


@router.intent("complaint")
async def complaint(ctx: Context) -> Reply:
    reply = Reply.say("handoff.complaint", wait_minutes=EXPECTED_WAIT_MINUTES)
    reply.escalate = "complaint"
    return reply


extension = Extension("handoff", router=router, scripts=SCRIPTS)
