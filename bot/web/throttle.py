"""Growing delays for repeated attempts (staff logins), counted atomically in the shared store.

Every attempt first takes a number with one atomic INCR (`attempts`, kept for `window_s` from the
first one), so concurrent attempts on any worker can never all see the same count. The first `free`
numbers go straight through. After that each attempt must also win a gate (SET NX with a TTL) whose
length doubles with the count, from `base_s` up to `cap_s`: at most one attempt per delay gets
evaluated, the rest are told when to come back (429 with `Retry-After`). Nothing is ever locked for
longer than `cap_s`, so the rightful owner is slowed down, never shut out; a success calls `reset`.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.store.base import Store


@dataclass(frozen=True, slots=True)
class Throttle:
    name: str
    free: int
    cap_s: float
    base_s: float = 1.0
    window_s: float = 900.0

    def delay(self, attempt: int) -> float:
        """How long the gate stays shut after the `attempt`-th attempt (0 while attempts are free)."""
        if attempt <= self.free:
            return 0.0
        return min(self.cap_s, self.base_s * 2.0 ** min(attempt - self.free - 1, 30))

    async def admit(self, store: Store, subject: str) -> float | None:
        """Count one attempt on `subject`; None when it may go ahead, else the seconds to wait."""
        attempt = await store.incr(store.keys(f"{self.name}-attempts", subject), ttl=self.window_s)
        delay = self.delay(attempt)
        if delay == 0.0 or await store.claim(store.keys(f"{self.name}-gate", subject), delay):
            return None
        return delay

    async def reset(self, store: Store, subject: str) -> None:
        await store.delete(store.keys(f"{self.name}-attempts", subject), store.keys(f"{self.name}-gate", subject))
