"""What the reports area works with, built once at start-up instead of reaching through the runtime:
the shared `Services` (clock, store, core settings, templates), every area's `Extension` (their
`ReportSpec`s and retention hooks), the names of the channels that run here (the channel filter)
and the area's own settings (`REPORTS_*`, `RETENTION_*`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.context import ServiceKey, Services
from handlers.reports.settings import ReportsSettings, RetentionSettings

if TYPE_CHECKING:
    from bot.clock import Clock
    from bot.config import Settings
    from bot.extension import Extension
    from bot.store.base import Store
    from bot.templates import Templates


@dataclass(frozen=True)
class ReportsDesk:
    services: Services
    extensions: Sequence[Extension]
    channels: Sequence[str]

    @property
    def settings(self) -> Settings:
        return self.services.settings

    @property
    def clock(self) -> Clock:
        return self.services.clock

    @property
    def store(self) -> Store:
        return self.services.store

    @property
    def templates(self) -> Templates:
        return self.services.templates

    @property
    def reports(self) -> ReportsSettings:
        return self.settings.area(ReportsSettings)

    @property
    def retention(self) -> RetentionSettings:
        return self.settings.area(RetentionSettings)


REPORTS = ServiceKey[ReportsDesk]("reports")
