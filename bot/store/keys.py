"""The names the store's users share, built in one place.

Value keys are built by the store: `store.keys(part, *ids)` gives `<prefix>:<part>:<ids>` (the
prefix is `REDIS_KEY_PREFIX`); `store.lock(*name)`, conversation state, deadlines and topics are
named by the store itself from the parts it is given, so a caller never writes the prefix and a key
carries it once. What is left to callers is the name of a topic several modules publish to or
listen on; those names are built here.
"""

from __future__ import annotations

#: Every console (supervisors' view, queue changes, alerts).
CONSOLE_TOPIC = "console"


def agent_topic(agent_id: int) -> str:
    """One staff member's consoles (assignments, their complaints' news, session end)."""
    return f"agent:{agent_id}"
