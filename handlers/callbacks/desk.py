"""The area's shared parts, built once at start-up from the narrow services it uses (clock, store,
scheduler, the messenger), never the whole runtime: the `CALLBACKS_*` settings and the hours when
customers may be contacted (outside rest hours, docs/rules.md R-CALLBACK-3).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from bot.context import ServiceKey
from bot.hours import StaffedHours
from handlers.callbacks.settings import CallbackSettings

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from bot.clock import Clock
    from bot.messenger import CustomerMessenger
    from bot.scheduler import Scheduler
    from bot.store.base import Store

START = "callbacks.start"  # scheduler kind: a task's attempt is due (member: task id)
EXPIRE = "callbacks.expire"  # scheduler kind: a chat question or a wait for a visit ran out (member: task id)


@dataclass
class CallbackDesk:
    settings: CallbackSettings
    hours: StaffedHours
    zone: ZoneInfo
    clock: Clock
    store: Store
    scheduler: Scheduler
    #: Asks the customer in the chat (rendered, split, within the push window and budget; bot/messenger.py).
    messenger: CustomerMessenger

    def now(self) -> datetime:
        return self.clock.now()

    def may_contact(self, moment: datetime) -> bool:
        return self.hours.is_open(moment)

    def next_allowed(self, moment: datetime) -> datetime:
        """`moment`, or the end of the rest hours it falls in (R-CALLBACK-3), in UTC."""
        return self.hours.next_open(moment).astimezone(UTC)


DESK: ServiceKey[CallbackDesk] = ServiceKey("callbacks")
