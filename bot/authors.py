"""Who wrote a message, as its `author` column names them.

A reply written by a person is stored with the author `agent:<id>`; the bot's own messages carry other
authors (`bot`, `system`, ...). Views and reports that attribute replies to agents read the id back from
here, so the format is parsed in one place.
"""

from __future__ import annotations

AGENT_PREFIX = "agent:"
#: The largest id the `agent.id` column holds (a 32-bit INTEGER on PostgreSQL): a larger number names
#: nobody, and passing it to a query would fail the driver's conversion instead of finding no row.
MAX_AGENT_ID = 2**31 - 1


def agent_of(author: str) -> int | None:
    """The agent's id in a message's author, or None when a person did not write it (or the id is not a
    number, or one beyond the column's range: an author written by hand, which is attributed to nobody
    rather than failing a report)."""
    if not author.startswith(AGENT_PREFIX):
        return None
    number = author.removeprefix(AGENT_PREFIX)
    if not (number.isdecimal() and number.isascii()) or len(number) > len(str(MAX_AGENT_ID)):
        return None
    agent_id = int(number)
    return agent_id if agent_id <= MAX_AGENT_ID else None
