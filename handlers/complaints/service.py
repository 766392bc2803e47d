"""What other areas may call (wired by the lead at merge; docs/rules.md R-COMPLAINT-8, R-COMPLAINT-13).

- `complaints_of_customers`: the complaints of some customers as `viewer` may see them (the
  customer archive shows them; never a complaint about the viewer);
- `hand_over`: an agent leaving hands every open complaint they own to a colleague, inside the
  caller's transaction when given `using_db`; a complaint about the colleague goes to nobody
  (a supervisor assigns it) rather than to them;
- `NO_PHONE`: the contact of a complaint whose customer refused phone calls;
- `holding_words`, `blank`: erasure and retention blank the customers' words (R-ARCHIVE-11,
  R-RETENTION-5).

Closed complaints: `Complaint.closed_at` (NULL while open) is when a complaint left the process;
`Complaint.resolved_at` when the customer accepted the solution (callbacks schedule a 投诉回访 from
`closed_at`).
"""

from __future__ import annotations

from datetime import datetime

from tortoise import BaseDBAsyncClient
from tortoise.expressions import Q

from handlers.complaints.visibility import visible_to
from models.agent import Agent
from models.complaint import Complaint, ComplaintStep, ComplaintTask

CLOSED_AT_FIELD = "closed_at"
#: `Complaint.contact` of a customer who refused phone calls (别再打了, 不方便留电话): reached in the chat
#: only, and the callbacks area schedules no 投诉回访 for it (docs/rules.md R-COMPLAINT-2, R-CALLBACK-1).
NO_PHONE = "no_phone"


async def complaints_of_customers(customer_ids: list[int], viewer: Agent) -> list[dict]:
    rows = await visible_to(viewer).filter(customer_id__in=customer_ids).order_by("-created_at").prefetch_related(
        "order")
    return [{"number": c.number, "customer_id": c.customer_id, "step": c.step, "category": c.category,
             "severity": c.severity, "order_no": c.order.order_no if c.order else None,
             "created_at": c.created_at, "closed_at": c.closed_at} for c in rows]


async def hand_over(from_agent_id: int, to_agent_id: int, now: datetime,
                    using_db: BaseDBAsyncClient | None = None) -> int:
    """Move `from_agent_id`'s open complaints to `to_agent_id` (the steps dated `now`, the hand-over's
    time); returns how many moved."""
    owned = await Complaint.filter(owner_id=from_agent_id, closed_at__isnull=True).using_db(using_db)
    for complaint in owned:
        new_owner = None if complaint.accused_agent_id == to_agent_id else to_agent_id
        await Complaint.filter(id=complaint.id).using_db(using_db).update(owner_id=new_owner)
        await ComplaintStep.create(complaint_id=complaint.id, action="handover", from_step=complaint.step,
                                   to_step=complaint.step, actor=f"agent:{from_agent_id}",
                                   note=f"owner agent:{new_owner}" if new_owner else "owner: none (accused)",
                                   at=now, using_db=using_db)
    return len(owned)


#: Where a complaint keeps the customer's words and contact, and what the process wrote about them.
WORD_FIELDS = ("contact", "desired_outcome", "cause", "solution", "close_reason")


async def holding_words(customer_ids: list[int], connection: BaseDBAsyncClient | None = None) -> list[int]:
    """Ids of these customers' complaints that still hold words: in the complaint, a step or a task."""
    complaints = Complaint.filter(customer_id__in=customer_ids).using_db(connection)
    words = Q(content__not="")
    for field in WORD_FIELDS:
        words |= Q(**{f"{field}__not_isnull": True})
    found = set(await complaints.filter(words).values_list("id", flat=True))
    ids = await complaints.values_list("id", flat=True)
    for model in (ComplaintStep, ComplaintTask):
        found |= set(await model.filter(complaint_id__in=ids, note__not="").using_db(connection).values_list(
            "complaint_id", flat=True))
    return sorted(found)


async def blank(complaint_ids: list[int], connection: BaseDBAsyncClient) -> None:
    """Blank these complaints' words, contact and notes (erasure, retention); the rows stay for the figures."""
    await Complaint.filter(id__in=complaint_ids).using_db(connection).update(
        content="", **dict.fromkeys(WORD_FIELDS))
    await ComplaintStep.filter(complaint_id__in=complaint_ids).using_db(connection).update(note="")
    await ComplaintTask.filter(complaint_id__in=complaint_ids).using_db(connection).update(note="")
