"""How a business area plugs into the bot without `bot/` importing it.

An area (after-sales, referral, handoff) describes itself with one `Extension`: its router, the
templates it renders, the intents it answers, extra HTTP routes (admin APIs, pages; their handlers
reach the area's service object with `area_service(request, KEY)`), what to build at start-up (its service object
under a `ServiceKey`, scheduler callbacks), command-line subcommands, and its typed JSON endpoints (routed
and described in the OpenAPI document). `bot/cli.py` passes the extensions from `handlers/` to `build_app`,
`Runtime.open` and the CLI.

The hooks are given an `AreaKit`, the narrow parts an area may build its service object from (the
runtime provides them; docs/architecture.md "Services for areas"), never the dispatcher, outbox or
channels themselves.
"""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from aiohttp import web

from bot.archive_section import ArchiveSection
from bot.area_settings import AreaSettings
from bot.console_panel import ConsolePanel
from bot.intent_areas import AreaIntents
from bot.reports import ReportSpec
from bot.router import Router
from bot.templates import LintProblem, ScriptSpec, Templates

if TYPE_CHECKING:
    from datetime import datetime

    from tortoise.backends.base.client import BaseDBAsyncClient

    from bot.context import Context, ServiceKey, Services
    from bot.events import Say
    from bot.follow_codes import FollowCodes
    from bot.intents import IntentMatcher
    from bot.messenger import CustomerMessenger, Redispatcher
    from bot.recorder import Identity
    from bot.scheduler import Scheduler
    from bot.web.typed import Endpoint
    from models.agent import Agent

T = TypeVar("T")


@dataclass(frozen=True)
class AreaKit:
    """What an area's `startup`, `shutdown`, `reconcile`, `daily` and `demo_data` are given: the parts it
    builds its service object from (docs/architecture.md "Services for areas"), built once by the
    runtime; an area keeps what it takes in its own object and reaches nothing else."""

    #: The shared `Services`: clock, store, core settings (an area's own: `settings.area(cls)`),
    #: templates, and what areas registered under their `ServiceKey`s.
    services: Services
    scheduler: Scheduler
    messenger: CustomerMessenger
    redispatcher: Redispatcher
    follow_codes: FollowCodes
    #: Who a channel's user is, for an endpoint that records a customer's step.
    identify: Callable[[str, str], Awaitable[Identity]]
    #: The process's intent matcher, for the area that teaches it learned examples.
    matcher: IntentMatcher
    #: Every area, for an area that runs the others' hooks (archive, reports).
    extensions: tuple[Extension, ...]


def shared_services(request: web.Request) -> Services:
    """An HTTP handler's way to the shared `Services` (templates, clock, settings)."""
    from bot.runtime import RUNTIME  # bot.runtime imports this module

    return request.app[RUNTIME].services


def area_service(request: web.Request, key: ServiceKey[T]) -> T:
    """An HTTP handler's way to its area's service object (what `startup` kept under `key`)."""
    return shared_services(request)[key]


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
    #: Checks the area's data files in the scripts directory in use against its templates (e.g. the
    #: topics file, handlers/topics.py): any problem refuses the start and fails `lint-scripts`.
    data_check: Callable[[Path, Templates], list[LintProblem]] | None = None
    routes: Sequence[web.AbstractRouteDef] = ()
    #: Called inside the conversation's lock when a reply escalates (reason given); records the request on
    #: the conversation (`bot.dispatcher.record_escalation`, or in a statement of its own that sets
    #: `escalation_reason` and `escalated_at`) and returns what to tell the customer about the handover
    #: (queue position, when a person is back).
    on_escalate: Callable[[Context, str], Awaitable[list[Say]]] | None = None
    #: Builds the area's service object from the kit and keeps it under the area's `ServiceKey`.
    startup: Callable[[AreaKit], Awaitable[None]] | None = None
    shutdown: Callable[[AreaKit], Awaitable[None]] | None = None
    #: `csbot demo-data`: create this area's demo records (idempotent).
    demo_data: Callable[[AreaKit], Awaitable[None]] | None = None
    #: Called by every worker's periodic reconciliation (`bot.reconcile`), idempotent: with
    #: `store_lost` True (once, on one worker) rebuild from the database the deadlines and shared
    #: state this area keeps in the store; always, re-arm missing recurring jobs (`scheduler.ensure`).
    reconcile: Callable[[AreaKit, bool], Awaitable[None]] | None = None
    #: `csbot daily`, also run by the server once a day (docs/rules.md R-CASE-8: daily follow-up).
    daily: Callable[[AreaKit], Awaitable[None]] | None = None
    #: Adds subcommands: called with the CLI's subparsers; each subcommand sets `func(args, command)`
    #: (bot/commands.py; `command.run_with(KEY, action)` hands the action the area's service object).
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
    #: inside the given transaction (raise to undo the whole hand-over), dated `at` (the hand-over's
    #: time, from the injected clock); returns counts to record, e.g. {"complaints": 3}.
    on_staff_leave: Callable[[Agent, Agent, datetime, BaseDBAsyncClient], Awaitable[Mapping[str, int]]] | None = None
    #: The staff member's last console session ended (a logout, a revoke, a password reset; bot/web/sessions.py):
    #: nobody is at their console, so the area stops counting on them (handoff: offline, conversations handed on).
    on_staff_signed_out: Callable[[Services, Agent], Awaitable[None]] | None = None
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
