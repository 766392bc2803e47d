"""Referral (转介绍) requests: for now the bot tells the customer what it will send them."""

from __future__ import annotations

from bot.context import Context
from bot.events import Reply
from bot.extension import Extension
from bot.router import Router
from bot.templates import spec

router = Router("referral")

SCRIPTS = (spec("referral.intro"),)


@router.intent("referral")
async def referral(ctx: Context) -> Reply:
    return Reply.say("referral.intro")


extension = Extension("referral", router=router, scripts=SCRIPTS)
