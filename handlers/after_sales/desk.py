"""Everything the after-sales chat, API, uploads, CLI, daily job and demo share, built once when the
runtime opens.

Handlers reach it as `ctx.services[DESK]`, HTTP handlers as `area_service(request, DESK)`, commands
through `command.run_with(DESK, action)`, the area's hooks as `kit.services[DESK]`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.clock import Clock
from bot.config import Settings
from bot.context import ServiceKey
from bot.messenger import Redispatcher
from bot.scheduler import Scheduler
from bot.store.base import Store
from handlers.after_sales.cases import CaseService
from handlers.after_sales.erp import ErpOrders
from handlers.after_sales.notify import Notifier
from handlers.after_sales.orders import OrderBook
from handlers.after_sales.settings import AfterSalesSettings, ErpSettings
from handlers.after_sales.tracking import OrderTracking, TrackingSource

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from bot.extension import AreaKit


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
    clock: Clock
    #: Dialogue states (is a visitor in an after-sales request) and the photo counters.
    store: Store
    #: The core settings the area reads: the shop's time zone and the photo uploads' directory and limits.
    core: Settings

    @property
    def zone(self) -> ZoneInfo:
        return self.core.zone


DESK = ServiceKey[Desk]("after_sales")


def build_desk(kit: AreaKit) -> Desk:
    core, clock, store = kit.services.settings, kit.services.clock, kit.services.store
    settings, zone = core.area(AfterSalesSettings), core.zone
    source = core.area(ErpSettings)
    erp = None
    if source.url:
        erp = ErpOrders(source.url, source.token, source.timeout_s, source.retries, clock, zone)
    notifier = Notifier(kit.messenger, kit.services.templates, store, settings, zone)
    return Desk(
        cases=CaseService(settings, zone, clock, store, notifier),
        orders=OrderBook(clock, erp),
        tracking=OrderTracking(),
        notifier=notifier,
        scheduler=kit.scheduler,
        settings=settings,
        redispatcher=kit.redispatcher,
        clock=clock,
        store=store,
        core=core,
    )
