"""What the referral area's API, pages, pushes, command and jobs share, built once at start-up.

The chat handlers reach the shared parts through `ctx.services`; everything else works with this
object: HTTP handlers as `area_service(request, REFERRAL)`, commands through
`command.run_with(REFERRAL, action)`, the hooks as `kit.services[REFERRAL]`. It holds the clock,
store, templates and settings (the core's and `REFERRAL_*`), the scheduler (follow-ups, the order
sync), the messenger (pushes), the Official Account's follow codes (cards) and `identify` (who a
web-chat visitor is, for a friend's first visit).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from bot.area_desk import OnServices
from bot.context import ServiceKey, Services
from handlers.referral.settings import ReferralSettings

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from bot.extension import AreaKit
    from bot.follow_codes import FollowCodes
    from bot.messenger import CustomerMessenger
    from bot.recorder import Identity
    from bot.scheduler import Scheduler


@dataclass(frozen=True)
class ReferralDesk(OnServices):
    services: Services
    scheduler: Scheduler
    messenger: CustomerMessenger
    follow_codes: FollowCodes
    identify: Callable[[str, str], Awaitable[Identity]]

    @classmethod
    def build(cls, kit: AreaKit) -> ReferralDesk:
        return cls(kit.services, kit.scheduler, kit.messenger, kit.follow_codes, kit.identify)

    @property
    def settings(self) -> ReferralSettings:
        return self.core.area(ReferralSettings)

    @property
    def zone(self) -> ZoneInfo:
        return self.core.zone

    def now(self) -> datetime:
        return self.clock.now()


REFERRAL = ServiceKey[ReferralDesk]("referral")
