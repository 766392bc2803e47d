"""Everything the after-sales chat, API, CLI and daily job share, built once when the runtime opens.

Handlers reach it as `ctx.services[DESK]`, HTTP handlers as `request.app[RUNTIME].services[DESK]`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.context import ServiceKey
from bot.messenger import Redispatcher
from bot.scheduler import Scheduler
from handlers.after_sales.cases import CaseService
from handlers.after_sales.erp import ErpOrders
from handlers.after_sales.notify import Notifier
from handlers.after_sales.orders import OrderBook
from handlers.after_sales.settings import AfterSalesSettings, ErpSettings
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
    settings: AfterSalesSettings
    #: Runs a kept request again, or a photo sent beside the chat, as the customer's turn (bot/messenger.py).
    redispatcher: Redispatcher


DESK = ServiceKey[Desk]("after_sales")


def build_desk(runtime: Runtime) -> Desk:
    settings, zone = runtime.settings.area(AfterSalesSettings), runtime.settings.zone
    source = runtime.settings.area(ErpSettings)
    erp = None
    if source.url:
        erp = ErpOrders(source.url, source.token, source.timeout_s, source.retries, runtime.clock, zone)
    notifier = Notifier(runtime.messenger, runtime.templates, runtime.store, settings, zone)
    return Desk(
        cases=CaseService(settings, zone, runtime.clock, runtime.store, notifier),
        orders=OrderBook(runtime.clock, erp),
        tracking=OrderTracking(),
        notifier=notifier,
        scheduler=runtime.scheduler,
        settings=settings,
        redispatcher=runtime.redispatcher,
    )
