"""A conversation's short-lived state, kept in the store between messages.

`flow` names a dialogue that is waiting for the customer's answer (a handler registered with
`Router.flow` gets the next message) and `data` holds that dialogue's slots; `unknown_streak`
counts unclear messages in a row (the second escalates); `turns` counts the bot's answers (the
first opens with a greeting).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any


@dataclass(slots=True)
class ConversationState:
    flow: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    unknown_streak: int = 0
    turns: int = 0

    @classmethod
    def from_dict(cls, raw: dict[str, Any] | None) -> ConversationState:
        if not raw:
            return cls()
        known = {name: raw[name] for name in cls.__dataclass_fields__ if name in raw}
        return cls(**known)

    def to_dict(self) -> dict[str, Any]:
        """A shallow copy (the only nested value, `data`, is copied one level): this runs per message."""
        raw = {name: getattr(self, name) for name in FIELDS}
        raw["data"] = dict(self.data)
        return raw

    def start_flow(self, name: str, **data: Any) -> None:
        self.flow, self.data = name, dict(data)

    def end_flow(self) -> None:
        self.flow, self.data = None, {}


FIELDS = tuple(f.name for f in fields(ConversationState))
