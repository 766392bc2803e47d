"""Reports (BRIEF §9) and retention (docs/rules.md R-REPORT, R-RETENTION).

Modules, each with one job:
- `desk`: what start-up builds (`ReportsDesk`: shared services, every extension, the settings);
- `catalogue`: the one query layer, every extension's `ReportSpec` run and labelled alike;
- `service_reports`: the handoff's three promises (counted by bot/promises.py, which the supervisor
  view shares), response-time compliance and per-agent workload (the after-sales and referral
  reports live in their own areas);
- `rollup`: message counts per day kept through retention;
- `chart`, `workbook`: SVG charts and XLSX workbooks drawn from the same reports;
- `periodic`: the weekly and monthly workbooks the daily job makes, and telling supervisors;
- `retention`: deleting and anonymising what is past retention;
- `api`, `cli`, `static/reports_panel.js`: the ways in (HTTP, `csbot report` / `csbot retention`,
  the console's reports tab).
"""

from __future__ import annotations

from pathlib import Path

from bot.console_panel import ConsolePanel
from bot.extension import AreaKit, Extension
from bot.labels import label_specs
from bot.promises import MEASURES
from bot.templates import spec
from handlers.reports import api, periodic, retention
from handlers.reports.cli import add_commands
from handlers.reports.desk import REPORTS, ReportsDesk
from handlers.reports.rollup import seal
from handlers.reports.service_reports import SPECS
from handlers.reports.settings import ReportsSettings, RetentionSettings

STATIC = Path(__file__).parent / "static"
REPORT_TEXTS = (
    "title_response_time", "title_agents", "col_bucket", "col_agent", "col_taken", "col_agent_messages",
    *(f"col_{measure}_{part}" for measure in MEASURES for part in ("due", "kept", "rate")),
    "sheet_cover", "total", "workbook_monthly", "workbook_weekly", "workbook_custom", "workbook_from", "workbook_to",
    "workbook_shop", "workbook_made", "workbook_channel", "workbook_agent", "workbook_filter_channel",
    "workbook_filter_agent", "list_separator",
)
CONSOLE_TEXTS = (
    "tab", "title", "report", "from", "to", "bucket", "bucket_day", "bucket_week", "bucket_month", "channel", "agent",
    "all", "show", "export", "stored", "stored_none", "download", "loading", "error", "no_data", "forbidden",
    "invalid_period", "not_applicable", "filter_not_applicable", "total", "counts_chart", "shares_chart", "monthly",
    "weekly",
)
SCRIPTS = (*(spec(f"reports.{name}") for name in REPORT_TEXTS), spec("reports.workbook_not_filtered", "filters"),
           *(spec(f"reports_console.{name}") for name in CONSOLE_TEXTS))


async def startup(kit: AreaKit) -> None:
    kit.services[REPORTS] = ReportsDesk(kit.services, kit.extensions, kit.messenger.running)


async def daily(kit: AreaKit) -> None:
    """Seal yesterday's counts, apply retention (unless RETENTION_DAILY is off), make due workbooks."""
    desk = kit.services[REPORTS]
    zone, now = desk.core.zone, desk.clock.now()
    await seal(now.astimezone(zone).date(), zone, now)
    if desk.retention.daily:
        await retention.run(desk, apply=True)
    await periodic.daily(desk)


extension = Extension(
    "reports",
    scripts=(*SCRIPTS, *label_specs("error", api.ERRORS)),
    settings=(ReportsSettings, RetentionSettings),
    startup=startup,
    daily=daily,
    cli=add_commands,
    endpoints=api.ENDPOINTS,
    console_panels=[ConsolePanel("reports", STATIC / "reports_panel.js", texts="reports_console",
                                 roles=("supervisor", "admin"))],
    reports=SPECS,
)
