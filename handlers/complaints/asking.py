"""What a customer asks about complaints already filed, outside the dialogue (docs/rules.md R-COMPLAINT-2,
R-COMPLAINT-3): "where is my complaint" answers the latest open ones (number, step, promised time), or
the last closed one, or says there is none and offers to file one; a refusal of phone calls
(别再打了, 不要联系我), written as a message of its own, is recorded on the latest open complaint, which is
then reached in the chat only.

Both read only when the words match (one regex a message), and stay quiet while a person holds the
conversation (that person answers).
"""

from __future__ import annotations

from bot.context import Context
from bot.events import Reply
from bot.templates import spec
from handlers.complaints.desk import COMPLAINTS
from handlers.complaints.process import STEPS
from handlers.complaints.service import NO_PHONE
from handlers.complaints.words import NEW_COMPLAINT, STATUS_ASK, only_refuses_calls
from handlers.handoff.service import HANDOFF
from models.complaint import Complaint

#: The open complaints a status answer lists, latest first.
MAX_LISTED = 3
CUSTOMER_STEPS = (*STEPS, "closed")

SCRIPTS = (
    spec("complaints.status_none"),
    spec("complaints.status_list", "lines"),
    spec("complaints.status_line", "number", "step", "reply_by"),
    spec("complaints.status_closed", "number"),
    *(spec(f"complaints.step_{step}") for step in CUSTOMER_STEPS),
    spec("complaints.no_call_noted", "number"),
)


async def answer(ctx: Context) -> Reply | None:
    """A status question or a refusal of calls about filed complaints; None for anything else."""
    if ctx.inbound.kind != "text":
        return None
    text = ctx.text
    asks_status = bool(STATUS_ASK.search(text)) and not NEW_COMPLAINT.search(text)
    refuses = not asks_status and only_refuses_calls(text)  # a refusal in a longer message goes on to its path
    if not (asks_status or refuses):
        return None
    holder = await ctx.services[HANDOFF].queue.holder(ctx.inbound.conversation_key, ctx.stored)
    if holder is not None and holder.status == "handoff":
        return None  # the person holding the conversation answers
    customer_id = ctx.identity.customer_id
    open_ones = await Complaint.filter(customer_id=customer_id, closed_at__isnull=True).order_by("-created_at",
                                                                                                   "-id")
    if refuses and open_ones:
        return await _refuse_calls(ctx, open_ones[0])
    if asks_status:
        return (await _status(ctx, open_ones)).tagged("complaint.status")
    return None


async def _refuse_calls(ctx: Context, complaint: Complaint) -> Reply:
    if complaint.contact != NO_PHONE:
        await ctx.services[COMPLAINTS].refuse_calls(complaint, f"customer:{ctx.identity.customer_id}")
    return Reply.say("complaints.no_call_noted", number=complaint.number).tagged("complaint.no_call")


async def _status(ctx: Context, open_ones: list[Complaint]) -> Reply:
    if not open_ones:
        closed = await Complaint.filter(customer_id=ctx.identity.customer_id).order_by("-closed_at", "-id").first()
        if closed is None:
            return Reply.say("complaints.status_none")
        return Reply.say("complaints.status_closed", number=closed.number)
    desk, render = ctx.services[COMPLAINTS], ctx.services.templates.render_safe
    lines = [render("complaints.status_line", {"number": c.number, "reply_by": desk.local(c.reply_by),
                                                "step": render(f"complaints.step_{c.step}", {})})
             for c in open_ones[:MAX_LISTED]]
    return Reply.say("complaints.status_list", lines="\n".join(lines))
