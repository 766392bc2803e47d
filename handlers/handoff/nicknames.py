"""Whether a 昵称 an agent picks may stand before customers (`POST /api/agent/profile`).

A customer reads it as the name of the person answering them, on one line: one that shows nothing
("\u200b"), breaks the line, or turns the text around ("\u202e") misleads them, and one that is another
agent's login name or 昵称 makes two people one. Names are compared as a reader sees them: NFKC-folded,
case-folded, without format characters.
"""

from __future__ import annotations

import unicodedata

from bot.text_input import visible
from models.agent import Agent

#: Characters that change the direction text is shown in (the bidirectional controls and marks).
DIRECTION_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
#: Unicode categories that break a line or control a terminal: control characters, line and paragraph separators.
LINE_BREAKING = frozenset({"Cc", "Zl", "Zp"})


def shown_on_one_line(name: str) -> bool:
    """`name` shows something, in one line, in the direction it was written."""
    return visible(name) and not any(ch in DIRECTION_CONTROLS or unicodedata.category(ch) in LINE_BREAKING
                                     for ch in name)


def as_read(name: str) -> str:
    """`name` as a reader tells it from another: folded, without format characters or outer spaces."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    return "".join(ch for ch in folded if unicodedata.category(ch) != "Cf").strip()


async def taken_by_another(name: str, agent_id: int) -> bool:
    """Whether another agent's login name or 昵称 reads as `name`."""
    wanted = as_read(name)
    others = await Agent.exclude(id=agent_id).values_list("name", "display_name")
    return any(wanted == as_read(other) for pair in others for other in pair if other)
