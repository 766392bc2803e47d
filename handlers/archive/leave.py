"""离职交接 (docs/rules.md R-ARCHIVE-9): a departing staff member's customers, open conversations
and open after-sales cases go to a colleague in one transaction, with every area's own records
(`Extension.on_staff_leave`, e.g. complaints and callbacks) in the same transaction; the hand-over
is recorded and the departing login disabled, its sessions and API token ended. If any part fails,
nothing moves.

Conversations move under the queue's assignment lock, like a transfer; the new holder owes the
greeting and the customers' open questions keep their clocks (docs/handoff-sla.md). Capacity is not
checked: a departure is an instruction, and a supervisor spreads the load afterwards.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from bot.store.base import LockTimeout
from bot.web.live import end_sessions
from handlers.after_sales.machine import OPEN_STATES
from handlers.handoff.queue import ASSIGN_LOCK, Queue
from models.agent import Agent
from models.archive import StaffLeave
from models.case import AfterSalesCase
from models.conversation import Conversation
from models.customer import Customer
from models.handoff import SlaEvent

if TYPE_CHECKING:
    from handlers.archive.service import ArchiveService

log = logging.getLogger(__name__)


class LeaveRefused(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class HandOverFailed(Exception):
    """A part of the hand-over failed (an area's hook, the database); the transaction moved nothing."""


async def hand_over(archive: ArchiveService, leaving: Agent, successor: Agent, by: str) -> StaffLeave:
    if leaving.id == successor.id:
        raise LeaveRefused("same_agent", "the successor must be someone else")
    if not leaving.active:
        raise LeaveRefused("already_left", f"{leaving.name} has left already")
    if not successor.active:
        raise LeaveRefused("successor_inactive", f"{successor.name} has left")
    try:
        return await _hand_over(archive, leaving, successor, by)
    except (LeaveRefused, LockTimeout):
        raise
    except Exception as exc:  # whatever failed, the transaction was rolled back
        log.exception("hand-over of staff %s failed; nothing moved", leaving.id)
        raise HandOverFailed(str(exc)) from exc


async def _still_active(leaving: Agent, successor: Agent, connection: BaseDBAsyncClient) -> None:
    """The checks of `hand_over` again, under the lock and in the transaction (rows locked on
    PostgreSQL): of two staff leaving to each other at once, the second finds its successor gone."""
    rows = {agent.id: agent for agent in await Agent.filter(id__in=[leaving.id, successor.id]).using_db(
        connection).select_for_update().order_by("id")}
    if leaving.id not in rows or not rows[leaving.id].active:
        raise LeaveRefused("already_left", f"{leaving.name} has left already")
    if successor.id not in rows or not rows[successor.id].active:
        raise LeaveRefused("successor_inactive", f"{successor.name} has left")


async def _hand_over(archive: ArchiveService, leaving: Agent, successor: Agent, by: str) -> StaffLeave:
    now = archive.clock.now()
    async with archive.store.lock(ASSIGN_LOCK, timeout=30, wait=30):
        async with in_transaction() as connection:
            await _still_active(leaving, successor, connection)
            counts: dict[str, int] = {
                "customers": await Customer.filter(last_agent_id=leaving.id).using_db(connection).update(
                    last_agent_id=successor.id),
            }
            held = await Conversation.filter(assignee_id=leaving.id).exclude(status="closed").using_db(
                connection).values_list("id", flat=True)
            await Conversation.filter(id__in=held).using_db(connection).update(
                assignee_id=successor.id, assigned_at=now, first_reply_at=None, holding_sent=0)
            await SlaEvent.bulk_create([SlaEvent(conversation_id=cid, agent_id=successor.id, kind="transferred",
                                                 at=now, detail=f"leave:{leaving.id}") for cid in held],
                                       using_db=connection)
            counts["conversations"] = len(held)
            counts["cases"] = await AfterSalesCase.filter(assignee_id=leaving.id, state__in=list(OPEN_STATES)).using_db(
                connection).update(assignee_id=successor.id)
            for extension in archive.extensions:
                if extension.on_staff_leave is not None:
                    extra: Mapping[str, int] = await extension.on_staff_leave(leaving, successor, now, connection)
                    counts.update(extra)
            await Agent.filter(id=leaving.id).using_db(connection).update(
                active=False, presence="offline", api_token_digest=None, session_epoch=leaving.session_epoch + 1)
            record = await StaffLeave.create(from_agent_id=leaving.id, to_agent_id=successor.id, counts=counts, by=by,
                                             at=now, using_db=connection)
        queue = Queue(archive.services)
        for conversation in await Conversation.filter(id__in=held):
            await queue.publish_holder(conversation)
    await end_sessions(archive.store, leaving.id)  # the login is disabled: its open consoles close now
    await queue.notify(successor.id, {"type": "queue.changed"})
    await queue.notify(None, {"type": "queue.changed"})
    return record
