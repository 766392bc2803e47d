"""Filing and moving after-sales cases: numbering, idempotency, the state machine, the event log.

- Case numbers are `AS` + the shop-local date + `-` + a 4-digit daily sequence (`AS20261123-0001`),
  the format `bot.extract.extract_case_no` reads back from a customer's message.
- Filing holds the store lock `case:<order>:<kind>` (shared by every worker) and relies on the
  unique `open_key` and `source_key` besides, so the same request twice, or one message retried,
  files one case: the caller gets the existing case and `created=False`.
- A transition re-reads the case under the lock `case:<case no>`, asks `machine.check`, and writes
  with a conditional update (`WHERE state = <the state it checked>`), so two staff clicking at
  once cannot both move it. Asking for the state a case is already in is a no-op, which makes a
  retried API call harmless. Every change is a `CaseEvent`; the customer hears of each step.
"""

from __future__ import annotations

import contextlib
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from bot.clock import Clock
from bot.hours import shop_midnight
from bot.store.base import Store
from handlers.after_sales import lookups
from handlers.after_sales.machine import MONEY_OUTCOMES, NO_RESOLUTION, OPEN_STATES, Resolution, TransitionError, check
from handlers.after_sales.notify import Notifier
from handlers.after_sales.settings import AfterSalesSettings
from models.case import AfterSalesCase, CaseEvent, CasePhoto
from models.order import Order

NUMBERING_ATTEMPTS = 5
CASE_NO_MAX_CHARS = 24  # models.case.AfterSalesCase.case_no


def open_key_of(order_no: str, kind: str) -> str:
    """The key that keeps one case of a kind open per order (unique while the case is open)."""
    return f"{order_no}:{kind}"


class CaseService:
    def __init__(self, settings: AfterSalesSettings, zone: ZoneInfo, clock: Clock, store: Store,
                 notifier: Notifier | None = None) -> None:
        self.settings = settings
        self.zone = zone
        self.clock = clock
        self.store = store
        self.notifier = notifier

    async def get(self, case_no: str) -> AfterSalesCase | None:
        if len(case_no) > CASE_NO_MAX_CHARS or "\x00" in case_no:  # cannot exist; the database would refuse it
            return None
        return await lookups.case_by_no(case_no.upper())

    async def file(
        self, order: Order, kind: str, *, actor: str, customer_id: int | None = None,
        item: dict[str, Any] | None = None, description: str = "", wanted: str | None = None,
        requested_fen: int | None = None, source_key: str | None = None, escalation: str | None = None,
        reason: str = "",
    ) -> tuple[AfterSalesCase, bool]:
        """The new case, or the one already open for this order and kind (or filed by this message)."""
        open_key = open_key_of(order.order_no, kind)
        async with self.store.lock("case", order.order_no, kind):
            for _ in range(NUMBERING_ATTEMPTS):
                existing = await lookups.filed(open_key, source_key)
                if existing is not None:
                    return existing, False
                now = self.clock.now()
                try:
                    async with in_transaction() as connection:
                        case = await AfterSalesCase.create(
                            case_no=await self._next_case_no(now), order=order, customer_id=customer_id, kind=kind,
                            item=item, description=description[:2000], wanted=wanted, requested_fen=requested_fen,
                            escalation=escalation, open_key=open_key, source_key=source_key, created_at=now,
                            touched_at=now, using_db=connection,
                        )
                        await CaseEvent.create(
                            case=case, action="filed", to_state="requested", actor=actor, reason=reason, at=now,
                            data={"escalation": escalation} if escalation else {}, using_db=connection)
                except IntegrityError:  # another worker took the number or filed the same request
                    continue
                case.order = order
                return case, True
        raise RuntimeError("could not number a new case")

    async def _next_case_no(self, now: datetime) -> str:
        prefix = f"AS{now.astimezone(self.zone):%Y%m%d}-"
        last = await lookups.last_case_no(prefix)
        return f"{prefix}{int(last.rsplit('-', 1)[1]) + 1 if last else 1:04d}"

    async def advance(
        self, case: AfterSalesCase, to: str, *, actor: str, role: str, reason: str = "",
        resolution: Resolution = NO_RESOLUTION, agent_id: int | None = None, notify: bool = True,
    ) -> AfterSalesCase:
        """Move `case` to `to` (raises `TransitionError`), record it, and tell the customer."""
        async with self.store.lock("case", case.case_no):
            await case.refresh_from_db()
            if case.state == to:
                return case
            check(case, to, role, reason=reason, resolution=resolution,
                  limit_fen=self.settings.supervisor_limit_fen)
            order = await Order.get(id=case.order_id)
            money = to == "resolved" and resolution.outcome in MONEY_OUTCOMES
            if money and resolution.amount_fen > order.total_fen - order.refunded_fen:
                raise TransitionError("amount_over_order", "the amount is more than the order has left to refund")
            now = self.clock.now()
            changes: dict[str, Any] = {"state": to, "touched_at": now}
            if to not in OPEN_STATES:
                changes["open_key"] = None
            if to == "rejected":
                changes["reject_reason"] = reason.strip()
            if to == "resolved":
                due = now + timedelta(hours=self.settings.satisfaction_after_h)
                changes.update(outcome=resolution.outcome, resolved_at=now, satisfaction_due_at=due)
                if money:
                    changes.update(refund_method=resolution.refund_method, amount_fen=resolution.amount_fen)
            if agent_id is not None and case.assignee_id is None:
                changes["assignee_id"] = agent_id  # whoever acts on an unowned case owns it from now on
            async with in_transaction() as connection:
                moved = await AfterSalesCase.filter(id=case.id, state=case.state).using_db(connection).update(**changes)
                if not moved:
                    raise TransitionError("conflict", "the case changed meanwhile; reload it", 409)
                await CaseEvent.create(case_id=case.id, action="transition", from_state=case.state, to_state=to,
                                       actor=actor, reason=reason, at=now, using_db=connection,
                                       data={k: v for k, v in asdict(resolution).items() if v is not None}
                                       if to == "resolved" else {})
                if money:
                    await Order.filter(id=order.id).using_db(connection).update(
                        refunded_fen=F("refunded_fen") + resolution.amount_fen, updated_at=now)
            await case.refresh_from_db()
        if notify and self.notifier is not None:
            await self.notifier.case_changed(case)
        return case

    async def note(self, case: AfterSalesCase, action: str, actor: str, reason: str = "",
                   touch: bool = True, **changes: Any) -> None:
        """Record a change that is not a transition (flag, assignment, approval, reminder)."""
        now = self.clock.now()
        if touch:
            changes["touched_at"] = now
        async with in_transaction() as connection:
            if changes:
                await AfterSalesCase.filter(id=case.id).using_db(connection).update(**changes)
            await CaseEvent.create(case_id=case.id, action=action, actor=actor, reason=reason, at=now,
                                   from_state=case.state, to_state=case.state,
                                   data={k: v for k, v in changes.items() if k != "touched_at"}, using_db=connection)
        await case.refresh_from_db()

    async def attach_photo(self, case: AfterSalesCase, url: str, source_key: str, actor: str) -> None:
        """Attach a photo once: a retried message carries the same source key, and its second write is a no-op."""
        now = self.clock.now()
        with contextlib.suppress(IntegrityError):
            async with in_transaction() as connection:
                await CasePhoto.create(case_id=case.id, url=url[:512], source_key=source_key, created_at=now,
                                       using_db=connection)
                await AfterSalesCase.filter(id=case.id).using_db(connection).update(touched_at=now)
                await CaseEvent.create(case_id=case.id, action="photo", actor=actor, at=now, from_state=case.state,
                                       to_state=case.state, data={"url": url[:512]}, using_db=connection)

    async def move_photos(self, source: AfterSalesCase, target: AfterSalesCase, source_keys: list[str],
                          actor: str) -> None:
        """The customer's photos kept on `source` belong to `target` (they said which): moved in one
        transaction, each step logged on both cases (`photo` on the target, `photo_moved` on the source).
        A photo the target holds already (the same message) is not doubled: the source's copy goes."""
        now = self.clock.now()
        async with in_transaction() as connection:
            photos = await CasePhoto.filter(case_id=source.id, source_key__in=source_keys).using_db(connection)
            held = set(await CasePhoto.filter(case_id=target.id, source_key__in=source_keys)
                       .using_db(connection).values_list("source_key", flat=True))
            for photo in photos:
                if photo.source_key in held:
                    await photo.delete(using_db=connection)
                    continue
                await CasePhoto.filter(id=photo.id).using_db(connection).update(case_id=target.id)
                await CaseEvent.create(case_id=target.id, action="photo", actor=actor, at=now, from_state=target.state,
                                       to_state=target.state, data={"url": photo.url}, using_db=connection)
                await CaseEvent.create(case_id=source.id, action="photo_moved", actor=actor, at=now,
                                       from_state=source.state, to_state=source.state,
                                       data={"url": photo.url, "to": target.case_no}, using_db=connection)
            await AfterSalesCase.filter(id=target.id).using_db(connection).update(touched_at=now)

    async def open_cases(self, customer_id: int) -> list[AfterSalesCase]:
        """A customer's open cases, most recently touched first (with their orders)."""
        return await lookups.open_cases(customer_id)

    async def stale(self) -> list[AfterSalesCase]:
        """Open cases nobody touched today (shop-local): yesterday's leftovers (遗留售后问题)."""
        today = shop_midnight(self.clock.now(), self.zone)
        return await AfterSalesCase.filter(state__in=OPEN_STATES, touched_at__lt=today) \
            .order_by("touched_at").prefetch_related("order")
