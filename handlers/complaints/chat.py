"""The complaints router: the `complaint` intent starts the dialogue; the flow gets the next message;
questions about filed complaints (status, "don't call me") are answered before any intent, and also
while a 留言 is offered (the complaints router comes before the handoff's, so its flow hook is asked
first; `asking.answer` returns None for anything else)."""

from __future__ import annotations

from bot.context import Context
from bot.events import Reply
from bot.router import Router
from handlers.complaints import asking, dialogue
from handlers.handoff.service import LEAVE_MESSAGE

router = Router("complaints")


@router.flow(dialogue.FLOW)
async def in_dialogue(ctx: Context) -> Reply | None:
    return await dialogue.carry_on(ctx)


@router.flow(LEAVE_MESSAGE)
async def while_a_message_is_offered(ctx: Context) -> Reply | None:
    return await asking.answer(ctx)


@router.every_message()
async def about_filed_complaints(ctx: Context) -> Reply | None:
    return await asking.answer(ctx)


@router.intent("complaint")
async def complaint(ctx: Context) -> Reply:
    return await dialogue.start(ctx)
