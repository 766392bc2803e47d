"""Satisfaction callbacks (回访, docs/rules.md R-CALLBACK): who is due one and when, reaching them in
the chat or by a staff member's call, the short survey, and the figures.

Modules, each with one job:
- `settings` (`CALLBACKS_*`), `desk` (what start-up builds: settings, contact hours);
- `schedule`: the sweep (buyers, non-buyers, after-sales cases; complaints via `service`), one
  task per customer;
- `reach`: when a task's time comes, chat, wait for a visit, or the phone list;
- `dialogue`: the survey in the chat; `tasks`: how a task moves;
- `service`: entry points for other areas and staff (complaint callbacks, outcomes, archive);
- `stats`, `api`, `cli`, `static/callbacks.js`: figures and the ways in and out.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from tortoise.expressions import Q

from bot.archive_section import ArchiveSection
from bot.console_panel import ConsolePanel
from bot.extension import Extension
from bot.hours import StaffedHours
from bot.labels import label_specs
from bot.templates import spec
from handlers.callbacks import api, cli, dialogue, reach, schedule, service
from handlers.callbacks.desk import DESK, EXPIRE, START, CallbackDesk
from handlers.callbacks.settings import CallbackSettings, allowed_spans
from handlers.callbacks.stats import REPORT
from models.callback import OPEN_TASK_STATES, CallbackTask
from models.complaint import Complaint
from models.customer import Customer

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from tortoise import BaseDBAsyncClient

    from bot.extension import AreaKit
    from models.agent import Agent

CONSOLE_KEYS = (
    "tab", "due_title", "phone_title", "empty", "col_kind", "col_customer", "col_phone", "col_channel", "col_due",
    "col_deadline", "col_attempts", "kind_buyer", "kind_prospect", "kind_after_sales", "kind_complaint",
    "channel_chat", "channel_phone", "channel_visit", "record", "reached", "not_reached", "rating",
    "rating_satisfied", "rating_neutral", "rating_unsatisfied", "declined", "score", "comment", "feedback",
    "call_again_at", "save", "saved", "error", "stats_title", "month", "col_due_count", "col_reached",
    "col_on_time", "col_rated", "col_satisfied", "col_success_rate", "col_compliance", "col_satisfaction",
    "all_kinds", "target_met", "target_missed", "show_phone",
)


async def startup(kit: AreaKit) -> None:
    services = kit.services
    settings, zone = services.settings.area(CallbackSettings), services.settings.zone
    desk = services[DESK] = CallbackDesk(
        settings, StaffedHours(allowed_spans(settings.rest_hours), zone), zone, services.clock, services.store,
        kit.scheduler, kit.messenger)
    kit.scheduler.on(START, lambda member: reach.start(desk, int(member)))
    kit.scheduler.on(EXPIRE, lambda member: reach.expire(desk, int(member)))
    services.read_with_state.append(reach.visit_keys(desk))


async def daily(kit: AreaKit) -> None:
    await schedule.sweep(kit.services[DESK])


async def reconcile(kit: AreaKit, store_lost: bool) -> None:
    """Re-arm what the store keeps (starts, expiries, waits for a visit), then the hourly sweep."""
    desk = kit.services[DESK]
    scheduler = desk.scheduler
    for task in await CallbackTask.filter(state__in=("scheduled", "chat", "visit")):
        if task.state == "scheduled":
            await scheduler.ensure(START, str(task.id), task.start_at)
            continue
        wait = desk.settings.answer_wait_h if task.state == "chat" else desk.settings.visit_wait_h
        await scheduler.ensure(EXPIRE, str(task.id), (task.started_at or task.start_at) + timedelta(hours=wait))
        if task.state == "visit" and store_lost:
            customer = await Customer.get(id=task.customer_id)
            await desk.store.set(reach.visit_key(desk, reach.conversation_key(customer)), str(task.id),
                                    ttl=wait * 3600)
    await schedule.sweep_now_and_then(desk)


async def archive_rows(customer_ids: Sequence[int], viewer: Agent) -> list[dict]:
    """The customer archive's 回访 section: every callback and its outcome, except the callbacks of
    complaints about the viewer (never to the accused, docs/rules.md R-COMPLAINT-8)."""
    rows = await service.callbacks_of_customers(list(customer_ids))
    about_viewer = set(await Complaint.filter(customer_id__in=list(customer_ids), accused_agent_id=viewer.id)
                       .values_list("number", flat=True))
    return [row for row in rows if not (row["kind"] == "complaint" and row["subject"] in about_viewer)]


async def staff_leaves(leaving: Agent, successor: Agent, at: datetime,
                       connection: BaseDBAsyncClient) -> Mapping[str, int]:
    """离职交接 (R-ARCHIVE-9): the leaving agent's open phone tasks, in the hand-over's transaction (a task
    keeps no hand-over time, so `at` is not needed)."""
    return {"callbacks": await service.hand_over(leaving.id, successor.id, using_db=connection)}


async def erase(customer_ids: Sequence[int], connection: BaseDBAsyncClient) -> Mapping[str, int]:
    """Erasure (R-ARCHIVE-11): what the customers said is blanked and open callbacks are closed unreached,
    so nobody contacts them again; the rows stay for the figures."""
    ids = list(customer_ids)
    tasks = CallbackTask.filter(customer_id__in=ids).using_db(connection)
    closed = await CallbackTask.filter(customer_id__in=ids, state__in=OPEN_TASK_STATES).using_db(connection).update(
        state="failed", open_key=None)
    await tasks.update(comment="", feedback="")
    return {"callbacks": await tasks.count(), "callbacks_closed": closed}


async def retain(customer_ids: Sequence[int], connection: BaseDBAsyncClient, apply: bool) -> Mapping[str, int]:
    """Retention (R-RETENTION-5): what customers past retention said in their callbacks is blanked; their
    ratings and the rows stay for the figures. They have no open callback (that keeps them in contact)."""
    said = CallbackTask.filter(Q(comment__not="") | Q(feedback__not=""), customer_id__in=list(customer_ids)).using_db(
        connection)
    count = await said.count()
    if apply:
        await said.update(comment="", feedback="")
    return {"callbacks": count}


extension = Extension(
    "callbacks",
    router=dialogue.router,
    settings=(CallbackSettings,),
    scripts=(*dialogue.SCRIPTS, *(spec(f"callbacks_console.{key}") for key in CONSOLE_KEYS),
             spec("archive_console.part_callbacks"), *label_specs("error", api.ERRORS)),
    startup=startup,
    daily=daily,
    reconcile=reconcile,
    cli=cli.add_commands,
    endpoints=api.ENDPOINTS,
    console_panels=(ConsolePanel("callbacks", Path(__file__).parent / "static" / "callbacks.js",
                                 texts="callbacks_console"),),
    reports=(REPORT,),
    archive_sections=(ArchiveSection("callbacks", "part_callbacks", archive_rows),),
    on_staff_leave=staff_leaves,
    on_erase=erase,
    on_retention=retain,
)
