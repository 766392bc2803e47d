"""Complaints (投诉) from the first angry message to the review (docs/rules.md R-COMPLAINT).

How the area plugs in (one `Extension`):
- chat: `chat.router` over `dialogue` (soothe, collect, check the order, register), `asking` (status,
  refused calls after filing) and `words`;
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
from bot.intent_areas import AreaIntents
from bot.labels import label_specs
from bot.templates import spec
from handlers.complaints import api, asking, chat, cli, console, dialogue, report, service
from handlers.complaints.desk import COMPLAINTS, SCRIPTS, ComplaintDesk
from handlers.complaints.settings import ComplaintSettings
from models.complaint import Complaint

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from datetime import datetime

    from tortoise import BaseDBAsyncClient

    from bot.extension import AreaKit
    from models.agent import Agent


async def startup(kit: AreaKit) -> None:
    settings = kit.services.settings
    kit.services[COMPLAINTS] = ComplaintDesk(
        settings.area(ComplaintSettings), zone=settings.zone, clock=kit.services.clock, store=kit.services.store,
        scheduler=kit.scheduler, messenger=kit.messenger, alert_webhook_url=settings.alert_webhook_url)


async def reconcile(kit: AreaKit, store_lost: bool) -> None:
    if store_lost:
        await kit.services[COMPLAINTS].rearm()


async def staff_leaves(leaving: Agent, successor: Agent, at: datetime,
                       connection: BaseDBAsyncClient) -> Mapping[str, int]:
    """离职交接 (R-ARCHIVE-9): open complaints the leaving agent owns, in the hand-over's transaction, their
    steps dated `at` (the hand-over's time)."""
    return {"complaints": await service.hand_over(leaving.id, successor.id, at, using_db=connection)}


async def erase(customer_ids: Sequence[int], connection: BaseDBAsyncClient) -> Mapping[str, int]:
    """Erasure (R-ARCHIVE-11): the customers' words and contact in their complaints and the steps'
    notes are blanked; the complaints stay, so the statistics still count them."""
    complaint_ids = await Complaint.filter(customer_id__in=list(customer_ids)).using_db(connection).values_list(
        "id", flat=True)
    await service.blank(complaint_ids, connection)
    return {"complaints": len(complaint_ids)}


async def retain(customer_ids: Sequence[int], connection: BaseDBAsyncClient, apply: bool) -> Mapping[str, int]:
    """Retention (R-RETENTION-5): the same blanking as an erasure for customers past retention, counting
    only complaints that still hold words, so a second run finds nothing."""
    complaint_ids = await service.holding_words(list(customer_ids), connection)
    if apply:
        await service.blank(complaint_ids, connection)
    return {"complaints": len(complaint_ids)}


#: The complaint history in the customer archive: internal, and never a complaint about the viewer.
ARCHIVE_SECTION = ArchiveSection("complaints", "part_complaints", service.complaints_of_customers, internal=True)
#: The archive console's labels for that section and the fields of its rows.
ARCHIVE_SCRIPTS = (spec("archive_console.part_complaints"),
                   *(spec(f"archive_console.field_{name}") for name in ("number", "step", "category", "severity",
                                                                          "closed_at")))

extension = Extension(
    "complaints", router=chat.router, intents=AreaIntents(ranks={"complaint": 1}),  # docs/rules.md R-ANSWER-5
    scripts=(*dialogue.SCRIPTS, *asking.SCRIPTS, *SCRIPTS, *console.SCRIPTS, *report.SCRIPTS, *ARCHIVE_SCRIPTS,
             *label_specs("error", api.ERRORS)),
    settings=(ComplaintSettings,), startup=startup, reconcile=reconcile, cli=cli.add_commands,
    endpoints=api.ENDPOINTS,
    console_panels=[console.PANEL],
    reports=[report.REPORT, report.AGENTS_REPORT], archive_sections=[ARCHIVE_SECTION], on_staff_leave=staff_leaves,
    on_erase=erase, on_retention=retain,
)
