"""The customer archive (客户档案): one person across channels, who may read it, and the duties
around it (docs/rules.md R-ARCHIVE).

How the area plugs in (one `Extension`):
- records: `persons` (linking channel identities, merge and undo), `classing` (class score and
  band), `sections` (the archive's parts and its sections over orders, cases, referrals);
- access: `access` (who may read what), `audit` (the read log), `masking`, `export`;
- staff duties: `leave` (离职交接), `erase` (erasure on request), `retain` (details past retention),
  session revocation (bot/web/auth.py);
- surfaces: `api` (typed JSON), `cli`, the console panel `static/archive_panel.js`.
`service.ArchiveService` is built at start-up under `ARCHIVE`; other areas add parts through
`Extension.archive_sections` and join the hand-over through `Extension.on_staff_leave`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from tortoise.signals import post_save

from bot.console_panel import ConsolePanel
from bot.extension import Extension
from bot.labels import label_specs
from bot.templates import spec
from handlers.archive import api, cli, retain
from handlers.archive.sections import RECORD_SECTIONS
from handlers.archive.service import ARCHIVE, ArchiveService, mark_class_stale
from handlers.archive.settings import FACTORS, ArchiveSettings
from handlers.handoff.queue import QUEUE_PRIORITY
from models.order import Order

if TYPE_CHECKING:
    from bot.extension import AreaKit

#: Texts of the console panel (scripts_zh/archive_console.yaml), declared so the lint checks both ways.
PANEL_TEXTS = (
    "tab", "search_placeholder", "search", "no_results", "record", "secrecy_normal", "secrecy_confidential",
    "secrecy_secret", "internal", "part_contact", "part_profile", "part_class", "part_notes", "part_tags",
    "part_orders", "part_cases", "part_referrals", "reveal", "reveal_address", "reveal_reason", "denied",
    "request_title", "request_reason", "request_send", "request_sent", "requests_title", "approve", "refuse",
    "no_requests", "audit_title", "audit_at", "audit_staff", "audit_person", "audit_part", "audit_action",
    "audit_reason", "empty", "error", "access_denied", "leave_title", "leave_from", "leave_to", "leave_send",
    "revoke_title", "revoke_name", "revoke_send", "revoke_done",
)
#: Labels of the fields the archive's own sections show, and of the read log's actions.
FIELD_LABELS = (
    "name", "phones", "address", "channels", "member_level", "vip", "secrecy", "opted_out",
    "first_seen", "last_contact", "band", "score", "factors", "at", "id", "text",
    "internal", "author", "tag", "order_no", "status", "total_fen", "refunded_fen", "items",
    "paid_at", "phone", "case_no", "kind", "state", "amount_fen", "created_at", "resolved_at",
    "role", "campaign", "since", "converted_at",
)
ACTION_LABELS = ("read", "search", "lookup", "reveal", "export", "write", "denied", "erase")
SCRIPTS = (*(spec("archive_console.field_" + name) for name in FIELD_LABELS),
           *(spec("archive_console.factor_" + name) for name in FACTORS),
           *(spec("archive_console.action_" + name) for name in ACTION_LABELS),
           *(spec("archive_console." + name) for name in PANEL_TEXTS), spec("archive_console.leave_done", "summary"))
PANEL = ConsolePanel("archive", Path(__file__).parent / "static" / "archive_panel.js", texts="archive_console")
async def startup(kit: AreaKit) -> None:
    service = ArchiveService(kit.services, kit.services.settings.area(ArchiveSettings), kit.extensions)
    kit.services[ARCHIVE] = service
    kit.services[QUEUE_PRIORITY] = service.queue_priority


@post_save(Order)
async def _order_saved(sender: type[Order], instance: Order, created: bool, using_db: Any, update_fields: Any) -> None:
    """Each order makes its buyer's class stale (R-ARCHIVE-7), in the transaction that saved it. The
    mark needs no open service, so the process-wide tortoise signal is all it takes."""
    await mark_class_stale(instance, using_db)


async def daily(kit: AreaKit) -> None:
    await kit.services[ARCHIVE].reclassify()


extension = Extension(
    "archive", settings=(ArchiveSettings,), scripts=(*SCRIPTS, *label_specs("error", api.ERRORS)), startup=startup,
    daily=daily, cli=cli.add_commands, endpoints=api.ENDPOINTS,
    console_panels=[PANEL], archive_sections=RECORD_SECTIONS, on_retention=retain.retain,
)
