"""A conversation's short-lived state, kept in the store between messages.

`flow` names a dialogue that is waiting for the customer's answer (a handler registered with
`Router.flow` gets the next message) and `data` holds that dialogue's slots; `unknown_streak`
counts unclear messages in a row (the second escalates); `turns` counts the bot's answers; `seen_at`
is when the customer last wrote (clock seconds): after a long silence the next answer opens a new
visit, with a greeting (bot/dispatcher.py `VISIT_AFTER_SILENCE_S`), and a 留言 offer has lapsed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class ConversationState:
    flow: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    unknown_streak: int = 0
    turns: int = 0
    seen_at: float | None = None

    @classmethod
    def from_dict(cls, raw: dict[str, Any] | None) -> ConversationState:
        """The fields `raw` names (others ignored), the rest their defaults. Written out field by field,
        as `to_dict`: both run for every message (tests/test_conversation_state.py holds them to the
        dataclass's fields)."""
        if not raw:
            return cls()
        get = raw.get
        return cls(get("flow"), get("data", {}), get("unknown_streak", 0), get("turns", 0), get("seen_at"))

    def to_dict(self) -> dict[str, Any]:
        """A shallow copy (the only nested value, `data`, is copied one level), in the fields' order."""
        return {"flow": self.flow, "data": dict(self.data), "unknown_streak": self.unknown_streak,
                "turns": self.turns, "seen_at": self.seen_at}

    def start_flow(self, name: str, **data: Any) -> None:
        self.flow, self.data = name, dict(data)

    def end_flow(self) -> None:
        self.flow, self.data = None, {}

    def silent_for(self, now: float) -> float | None:
        """Seconds since the customer last wrote (None before their first message)."""
        return None if self.seen_at is None else now - self.seen_at
