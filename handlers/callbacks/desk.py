"""The area's shared parts, built once at start-up: the runtime, the `CALLBACKS_*` settings and
the hours when customers may be contacted (outside rest hours, docs/rules.md R-CALLBACK-3).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from bot.context import ServiceKey
from bot.hours import StaffedHours
from handlers.callbacks.settings import CallbackSettings, allowed_spans

if TYPE_CHECKING:
    from bot.runtime import Runtime

START = "callbacks.start"  # scheduler kind: a task's attempt is due (member: task id)
EXPIRE = "callbacks.expire"  # scheduler kind: a chat question or a wait for a visit ran out (member: task id)


@dataclass
class CallbackDesk:
    runtime: Runtime
    settings: CallbackSettings
    hours: StaffedHours

    def now(self) -> datetime:
        return self.runtime.clock.now()

    def may_contact(self, moment: datetime) -> bool:
        return self.hours.is_open(moment)

    def next_allowed(self, moment: datetime) -> datetime:
        """`moment`, or the end of the rest hours it falls in (R-CALLBACK-3), in UTC."""
        return self.hours.next_open(moment).astimezone(UTC)


DESK: ServiceKey[CallbackDesk] = ServiceKey("callbacks")


def build(runtime: Runtime, settings: CallbackSettings) -> CallbackDesk:
    desk = CallbackDesk(runtime, settings, StaffedHours(allowed_spans(settings.rest_hours), runtime.settings.zone))
    runtime.services[DESK] = desk
    return desk
