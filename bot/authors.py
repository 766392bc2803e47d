"""Who wrote a message, as its `author` column names them.

A reply written by a person is stored with the author `agent:<id>`; the bot's own messages carry other
authors (`bot`, `system`, ...). Views and reports that attribute replies to agents read the id back from
here, so the format is parsed in one place.
"""

from __future__ import annotations

AGENT_PREFIX = "agent:"


def agent_of(author: str) -> int | None:
    """The agent's id in a message's author, or None when a person did not write it (or the id is not a
    number: an author written by hand, which is attributed to nobody rather than failing a report)."""
    if not author.startswith(AGENT_PREFIX):
        return None
    number = author.removeprefix(AGENT_PREFIX)
    return int(number) if number.isdecimal() and number.isascii() else None
