"""After-sales requests (return, exchange, refund, damage, missing items, case progress) and parcels.

For now the bot says what it will do with the request, citing the order number when the customer
gave one and asking for it when not; filing and following cases is built on top of this.
"""

from __future__ import annotations

from bot.context import Context
from bot.events import Reply
from bot.extension import Extension
from bot.router import Router
from bot.templates import spec

router = Router("after_sales")

#: Intent → template name; `<name>` answers with the order number, `<name>_ask` asks for it.
KINDS = {
    "after_sales.return": "return",
    "after_sales.exchange": "exchange",
    "after_sales.refund": "refund",
    "after_sales.damaged": "damaged",
    "after_sales.missing": "missing",
    "logistics.track": "track",
    "logistics.extend": "extend",
}

SCRIPTS = (
    *(spec(f"after_sales.{name}", "order_no") for name in KINDS.values()),
    *(spec(f"after_sales.{name}_ask") for name in KINDS.values()),
    spec("after_sales.progress", "case_no"),
    spec("after_sales.progress_ask"),
)


@router.intent(*KINDS)
async def request(ctx: Context) -> Reply:
    name = KINDS[ctx.match.intent]
    if not ctx.match.order_no:
        return Reply.say(f"after_sales.{name}_ask")
    return Reply.say(f"after_sales.{name}", order_no=ctx.match.order_no)


@router.intent("after_sales.progress")
async def progress(ctx: Context) -> Reply:
    if ctx.match.case_no:
        return Reply.say("after_sales.progress", case_no=ctx.match.case_no)
    return Reply.say("after_sales.progress_ask")


extension = Extension("after_sales", router=router, scripts=SCRIPTS)
