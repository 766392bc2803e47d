"""Everything the after-sales chat, API, CLI and daily job share, built once when the runtime opens.

Handlers reach it as `ctx.services[DESK]`, HTTP handlers as `request.app[RUNTIME].services[DESK]`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.context import ServiceKey
from bot.errors import ConfigError
from bot.scheduler import Scheduler
from handlers.after_sales.cases import CaseService
from handlers.after_sales.erp import ErpOrders
from handlers.after_sales.machine import KINDS
from handlers.after_sales.notify import Notifier
from handlers.after_sales.orders import OrderBook
from handlers.after_sales.tracking import OrderTracking, TrackingSource

if TYPE_CHECKING:
    from bot.runtime import Runtime


@dataclass
class Desk:
    cases: CaseService
    orders: OrderBook
    tracking: TrackingSource
    notifier: Notifier
    scheduler: Scheduler


DESK = ServiceKey[Desk]("after_sales")


def build_desk(runtime: Runtime) -> Desk:
    settings = runtime.settings
    unknown = set(settings.after_sales_human_kinds) - set(KINDS)
    if unknown:
        raise ConfigError(f"invalid setting AFTER_SALES_HUMAN_KINDS: unknown kinds {sorted(unknown)}; "
                          f"known: {', '.join(KINDS)}")
    erp = None
    if settings.erp_url:
        erp = ErpOrders(settings.erp_url, settings.erp_token, settings.erp_timeout_s, settings.erp_retries,
                        runtime.clock, settings.zone)
    notifier = Notifier(runtime)
    return Desk(
        cases=CaseService(settings, runtime.clock, runtime.store, notifier),
        orders=OrderBook(runtime.clock, erp),
        tracking=OrderTracking(),
        notifier=notifier,
        scheduler=runtime.scheduler,
    )
