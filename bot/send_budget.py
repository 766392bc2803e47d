"""Per-customer send budget for platforms that cap pushed messages (WeChat customer-service messages).

Since June 2023 an Official Account may push at most 5 customer-service messages within 48 h of a
customer's message, and 3 within 1 minute of a subscribe, menu click or QR scan; each customer
action resets the allowance to its maximum (it does not accumulate). WeCom 微信客服 has the same
5-per-48 h rule. Passive replies do not count.

The budget lives in the store so every worker spends the same one: `budget:<channel>:<user>` holds
the current window (its id, allowance and end) and `budget-sent:<channel>:<user>:<window id>` counts
the pushes spent in it with an atomic increment, so two workers never both spend the last message.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from bot.clock import Clock
from bot.ids import unique_id
from bot.store.base import Store, Write

MESSAGE_ALLOWANCE, MESSAGE_WINDOW_S = 5, 48 * 3600.0
EVENT_ALLOWANCE, EVENT_WINDOW_S = 3, 60.0
#: Customer events that open the short window (WeChat's Event names, lower-cased).
SHORT_WINDOW_EVENTS = frozenset({"subscribe", "click", "scan"})


@dataclass(frozen=True, slots=True)
class Window:
    id: str
    allowance: int
    ends: float


def window_json(window_id: str, allowance: int, ends: float) -> str:
    """`json.dumps` of the window's dict, character for character (a hex id, an int, a float's repr),
    written out: this runs for every WeChat message, and `json.dumps` cost five times as much."""
    return f'{{"id": "{window_id}", "allowance": {allowance:d}, "ends": {float(ends)!r}}}'


class SendBudget:
    def __init__(self, store: Store, clock: Clock, channel: str) -> None:
        self.store = store
        self.clock = clock
        self.channel = channel

    def _window_key(self, user_id: str) -> str:
        return self.store.keys("budget", self.channel, user_id)

    def _spent_key(self, user_id: str, window: Window) -> str:
        return self.store.keys("budget-sent", self.channel, user_id, window.id)

    async def customer_action(self, user_id: str, event: str | None = None) -> None:
        """A message (event None) or an event from the customer: the allowance starts over."""
        write = self.window_after(user_id, event)
        if write is not None:
            await self.store.set(write.key, write.value, write.ttl)

    def window_after(self, user_id: str, event: str | None = None) -> Write | None:
        """The window a customer's message (event None) or event opens, as a store write (WeChat sets
        it with the delivery's claim, in one command); None for events that open none (location
        reports, menu links)."""
        now = self.clock.time()
        short = event is not None and event.lower() in SHORT_WINDOW_EVENTS
        if event is not None and not short:
            return None
        allowance, length = (EVENT_ALLOWANCE, EVENT_WINDOW_S) if short else (MESSAGE_ALLOWANCE, MESSAGE_WINDOW_S)
        return Write(self._window_key(user_id), window_json(unique_id(), allowance, now + length), length)

    async def _window(self, user_id: str) -> Window | None:
        raw = await self.store.get(self._window_key(user_id))
        if not raw:
            return None
        window = Window(**json.loads(raw))
        return window if window.ends > self.clock.time() else Window(window.id, 0, window.ends)

    async def left(self, user_id: str) -> int | None:
        """Messages left in the customer's window; None when no window is known here (the platform
        decides, e.g. a customer who wrote before the budget was kept)."""
        window = await self._window(user_id)
        if window is None:
            return None
        spent = await self.store.get(self._spent_key(user_id, window))
        return max(0, window.allowance - int(spent or 0))

    async def spend(self, user_id: str) -> bool:
        """Take one message from the budget; False when none is left (the push must not be tried)."""
        window = await self._window(user_id)
        if window is None:
            return True
        ttl = max(1.0, window.ends - self.clock.time())
        return await self.store.incr(self._spent_key(user_id, window), ttl=ttl) <= window.allowance
