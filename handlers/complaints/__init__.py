"""Complaints (投诉) from the first angry message to the review (docs/rules.md R-COMPLAINT).

How the area plugs in (one `Extension`):
- chat: `chat.router` over `dialogue` (soothe, collect, check the order, register) and `words`;
- the process: `process` (six steps, roles), `desk.ComplaintDesk` (numbering, merging, steps,
  deadlines and escalation, major complaints, tasks), `visibility` (never to the accused);
- staff: `api` (typed endpoints), `console` (the console tab), `cli`, `report` (顾客投诉分类统计表);
- other areas: `service` (`complaints_of_customers` as the archive's internal `complaints` section,
  `hand_over` when an agent leaves).
Settings: `settings.ComplaintSettings` (`COMPLAINTS_*`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.archive_section import ArchiveSection
from bot.extension import Extension
from bot.labels import label_specs
from bot.templates import spec
from handlers.complaints import api, chat, cli, console, dialogue, report, service
from handlers.complaints.desk import COMPLAINTS, SCRIPTS, ComplaintDesk
from handlers.complaints.settings import load_complaint_settings
from models.complaint import Complaint, ComplaintStep, ComplaintTask

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from tortoise import BaseDBAsyncClient

    from bot.runtime import Runtime
    from models.agent import Agent


async def startup(runtime: Runtime) -> None:
    runtime.services[COMPLAINTS] = ComplaintDesk(runtime, load_complaint_settings())


async def reconcile(runtime: Runtime, store_lost: bool) -> None:
    if store_lost:
        await runtime.services[COMPLAINTS].rearm()


async def staff_leaves(leaving: Agent, successor: Agent, connection: BaseDBAsyncClient) -> Mapping[str, int]:
    """离职交接 (R-ARCHIVE-9): open complaints the leaving agent owns, in the hand-over's transaction."""
    return {"complaints": await service.hand_over(leaving.id, successor.id, using_db=connection)}


async def erase(customer_ids: Sequence[int], connection: BaseDBAsyncClient) -> Mapping[str, int]:
    """Erasure (R-ARCHIVE-11): the customers' words and contact in their complaints and the steps'
    notes are blanked; the complaints stay, so the statistics still count them."""
    ids = list(customer_ids)
    complaint_ids = await Complaint.filter(customer_id__in=ids).using_db(connection).values_list("id", flat=True)
    await Complaint.filter(id__in=complaint_ids).using_db(connection).update(
        content="", contact=None, desired_outcome=None, cause=None, solution=None, close_reason=None)
    await ComplaintStep.filter(complaint_id__in=complaint_ids).using_db(connection).update(note="")
    await ComplaintTask.filter(complaint_id__in=complaint_ids).using_db(connection).update(note="")
    return {"complaints": len(complaint_ids)}


#: The complaint history in the customer archive: internal, and never a complaint about the viewer.
ARCHIVE_SECTION = ArchiveSection("complaints", "part_complaints", service.complaints_of_customers, internal=True)
#: The archive console's labels for that section and the fields of its rows.
ARCHIVE_SCRIPTS = (spec("archive_console.part_complaints"),
                   *(spec(f"archive_console.field_{name}") for name in ("number", "step", "category", "severity",
                                                                          "closed_at")))

extension = Extension(
    "complaints", router=chat.router,
    scripts=(*dialogue.SCRIPTS, *SCRIPTS, *console.SCRIPTS, *report.SCRIPTS, *ARCHIVE_SCRIPTS,
             *label_specs("error", api.ERRORS)),
    startup=startup, reconcile=reconcile, cli=cli.add_commands, endpoints=api.ENDPOINTS, console_panels=[console.PANEL],
    reports=[report.REPORT, report.AGENTS_REPORT], archive_sections=[ARCHIVE_SECTION], on_staff_leave=staff_leaves,
    on_erase=erase,
)
