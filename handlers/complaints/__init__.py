"""Complaints (投诉) from the first angry message to the review (docs/rules.md R-COMPLAINT).

How the area plugs in (one `Extension`):
- chat: `chat.router` over `dialogue` (soothe, collect, check the order, register) and `words`;
- the process: `process` (six steps, roles), `desk.ComplaintDesk` (numbering, merging, steps,
  deadlines and escalation, major complaints, tasks), `visibility` (never to the accused);
- staff: `api` (typed endpoints), `console` (the console tab), `cli`, `report` (顾客投诉分类统计表);
- other areas: `service` (`complaints_of_customers`, `hand_over`).
Settings: `settings.ComplaintSettings` (`COMPLAINTS_*`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.extension import Extension
from handlers.complaints import api, chat, cli, console, dialogue, report
from handlers.complaints.desk import COMPLAINTS, SCRIPTS, ComplaintDesk
from handlers.complaints.settings import load_complaint_settings

if TYPE_CHECKING:
    from bot.runtime import Runtime


async def startup(runtime: Runtime) -> None:
    runtime.services[COMPLAINTS] = ComplaintDesk(runtime, load_complaint_settings())


async def reconcile(runtime: Runtime, store_lost: bool) -> None:
    if store_lost:
        await runtime.services[COMPLAINTS].rearm()


extension = Extension(
    "complaints", router=chat.router, scripts=(*dialogue.SCRIPTS, *SCRIPTS, *console.SCRIPTS, *report.SCRIPTS),
    startup=startup, reconcile=reconcile, cli=cli.add_commands, endpoints=api.ENDPOINTS, console_panels=[console.PANEL],
    reports=[report.REPORT, report.AGENTS_REPORT],
)
