"""How a business area plugs into the bot without `bot/` importing it.

An area (after-sales, referral, handoff) describes itself with one `Extension`: its router, the
templates it renders, the intents it answers, extra HTTP routes (admin APIs, pages; their handlers
reach the runtime with `request.app[RUNTIME]`), what to build at start-up (services under a `ServiceKey`, scheduler
callbacks), command-line subcommands, and its typed JSON endpoints (routed and described in the
OpenAPI document). `bot/cli.py` passes the extensions from `handlers/` to `build_app`,
`Runtime.open` and the CLI.
"""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aiohttp import web

from bot.archive_section import ArchiveSection
from bot.area_settings import AreaSettings
from bot.console_panel import ConsolePanel
from bot.intent_areas import AreaIntents
from bot.reports import ReportSpec
from bot.router import Router
from bot.templates import ScriptSpec

if TYPE_CHECKING:
    from tortoise.backends.base.client import BaseDBAsyncClient

    from bot.context import Context
    from bot.events import Say
    from bot.runtime import Runtime
    from bot.web.typed import Endpoint
    from models.agent import Agent


@dataclass(frozen=True)
class Extension:
    name: str
    router: Router | None = None
    #: The intents this area answers, their precedence and roles (bot/intent_areas.py): the matcher reads them.
    intents: AreaIntents | None = None
    #: The area's own settings classes (bot/area_settings.py), read and checked when the process
    #: starts; handlers reach them as `settings.area(cls)`.
    settings: Sequence[type[AreaSettings]] = ()
    scripts: Sequence[ScriptSpec] = ()
    routes: Sequence[web.AbstractRouteDef] = ()
    #: Called inside the conversation's lock when a reply escalates (reason given); returns what to
    #: tell the customer about the handover (queue position, when a person is back).
    on_escalate: Callable[[Context, str], Awaitable[list[Say]]] | None = None
    startup: Callable[[Runtime], Awaitable[None]] | None = None
    shutdown: Callable[[Runtime], Awaitable[None]] | None = None
    #: `csbot demo-data`: create this area's demo records (idempotent).
    demo_data: Callable[[Runtime], Awaitable[None]] | None = None
    #: Called by every worker's periodic reconciliation (`bot.reconcile`), idempotent: with
    #: `store_lost` True (once, on one worker) rebuild from the database the deadlines and shared
    #: state this area keeps in the store; always, re-arm missing recurring jobs (`scheduler.ensure`).
    reconcile: Callable[[Runtime, bool], Awaitable[None]] | None = None
    #: `csbot daily`, also run by the server once a day (docs/rules.md R-CASE-8: daily follow-up).
    daily: Callable[[Runtime], Awaitable[None]] | None = None
    #: Adds subcommands: called with the CLI's subparsers; each subcommand sets `func(args, settings)`.
    cli: Callable[[argparse._SubParsersAction], None] | None = None
    #: Typed JSON endpoints (bot/web/typed.py): routed, validated and described in OpenAPI from one place.
    endpoints: Sequence[Endpoint] = ()
    #: Tabs this area adds to the agent console (bot/web/panels.py).
    console_panels: Sequence[ConsolePanel] = ()
    #: Tables this area contributes to the reports page, API and workbooks (bot/reports.py).
    reports: Sequence[ReportSpec] = ()
    #: Parts this area adds to the customer archive (bot/archive_section.py, docs/rules.md R-ARCHIVE-3).
    archive_sections: Sequence[ArchiveSection] = ()
    #: 离职交接 (docs/rules.md R-ARCHIVE-9): hand what `from_agent` owns in this area to `to_agent`,
    #: inside the given transaction (raise to undo the whole hand-over); returns counts to record,
    #: e.g. {"complaints": 3}.
    on_staff_leave: Callable[[Agent, Agent, BaseDBAsyncClient], Awaitable[Mapping[str, int]]] | None = None
    #: Erasure on request (docs/rules.md R-ARCHIVE-11): blank what this area keeps of these customers'
    #: words and contact details, inside the given transaction, keeping rows so counts still add up;
    #: returns counts to record (never the data).
    on_erase: Callable[[Sequence[int], BaseDBAsyncClient], Awaitable[Mapping[str, int]]] | None = None
    #: Retention (docs/rules.md R-RETENTION-5): these customers' last contact is older than
    #: `RETENTION_ARCHIVE_DAYS` and nothing of theirs is open; blank what this area keeps of their words
    #: and contact details inside the given transaction, keeping rows so counts still add up. Returns
    #: how many rows still held something (what a run removes); changes nothing when `apply` is False
    #: (`csbot retention --dry-run`).
    on_retention: Callable[[Sequence[int], BaseDBAsyncClient, bool], Awaitable[Mapping[str, int]]] | None = None
