"""After-sales cases tied to order numbers (docs/rules.md R-CASE), filed and followed in the chat.

How the area plugs in (one `Extension`):
- chat: `chat.router` (dialogue, progress, photos, policy questions) over `dialogue`, `logistics`, `policy`;
- cases: `machine` (the allowed transitions), `cases.CaseService` (numbering, idempotency, event
  log), `notify` (the customer hears every step, staff get reminders);
- orders: `records` (one parser for every source), `importer` (CSV/XLSX), `erp` (live source),
  `orders.OrderBook` (what the chat reads), `tracking` (where a parcel is);
- staff: `api` + `schemas` (typed REST endpoints), `uploads` (web-chat photos), `cli`, `daily`, `demo`, and
  the console's 售后工单 tab (`CASES_PANEL`, `static/cases_panel.js`).
`desk.Desk` holds the shared services, built at start-up; see docs/after_sales.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from bot.console_panel import ConsolePanel
from bot.extension import Extension
from handlers.after_sales import api, chat, cli, dialogue, labels, logistics, notify, policy, reports, uploads, wording
from handlers.after_sales.daily import run_daily
from handlers.after_sales.demo import create_demo_shop
from handlers.after_sales.desk import DESK, build_desk
from handlers.after_sales.settings import AfterSalesSettings, ErpSettings

if TYPE_CHECKING:
    from bot.extension import AreaKit

#: The console's 售后工单 tab (docs/architecture.md "Console panels"); its texts: scripts_zh/after_sales_console.yaml.
CASES_PANEL = ConsolePanel("cases", Path(__file__).resolve().parent / "static" / "cases_panel.js",
                           texts="after_sales_console")
SCRIPTS = (*chat.SCRIPTS, *policy.SCRIPTS, *dialogue.SCRIPTS, *logistics.SCRIPTS, *notify.SCRIPTS, *wording.SCRIPTS,
           *reports.SCRIPTS, *labels.SCRIPTS)


async def startup(kit: AreaKit) -> None:
    desk = kit.services[DESK] = build_desk(kit)

    async def retry(conversation_key: str) -> None:
        """A request kept while the order source was down: the customer's turn again."""
        await desk.redispatcher.event(conversation_key, dialogue.RETRY_EVENT)

    desk.scheduler.on(dialogue.RETRY_KIND, retry)


async def daily(kit: AreaKit) -> None:
    await run_daily(kit.services[DESK])


async def demo_data(kit: AreaKit) -> None:
    await create_demo_shop(kit.services[DESK])


async def shutdown(kit: AreaKit) -> None:
    desk = kit.services.extras.get(DESK)
    if desk is not None and desk.orders.erp is not None:
        await desk.orders.erp.close()


extension = Extension(
    "after_sales", router=chat.router, settings=(AfterSalesSettings, ErpSettings), scripts=SCRIPTS,
    intents=dialogue.AREA_INTENTS,
    routes=uploads.ROUTES,
    endpoints=[*api.ENDPOINTS, *uploads.ENDPOINTS],
    startup=startup, shutdown=shutdown, demo_data=demo_data, daily=daily, cli=cli.add_commands,
    reports=(reports.SPEC,), console_panels=[CASES_PANEL],
)
