"""The complaints router: the `complaint` intent starts the dialogue; the flow gets the next message."""

from __future__ import annotations

from bot.context import Context
from bot.events import Reply
from bot.router import Router
from handlers.complaints import dialogue

router = Router("complaints")


@router.flow(dialogue.FLOW)
async def in_dialogue(ctx: Context) -> Reply | None:
    return await dialogue.carry_on(ctx)


@router.intent("complaint")
async def complaint(ctx: Context) -> Reply:
    return await dialogue.start(ctx)
