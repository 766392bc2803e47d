"""What the reports area works with, built once at start-up instead of reaching through the runtime:
the shared `Services` (clock, store, core settings, templates), every area's `Extension` (their
`ReportSpec`s and retention hooks), the names of the channels that run here (the channel filter)
and the area's own settings (`REPORTS_*`, `RETENTION_*`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.area_desk import OnServices
from bot.context import ServiceKey, Services
from handlers.reports.settings import ReportsSettings, RetentionSettings

if TYPE_CHECKING:
    from bot.extension import Extension


@dataclass(frozen=True)
class ReportsDesk(OnServices):
    services: Services
    extensions: Sequence[Extension]
    channels: Sequence[str]

    @property
    def reports(self) -> ReportsSettings:
        return self.core.area(ReportsSettings)

    @property
    def retention(self) -> RetentionSettings:
        return self.core.area(RetentionSettings)


REPORTS = ServiceKey[ReportsDesk]("reports")
