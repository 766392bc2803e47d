"""The names the store's users share, built in one place.

Value keys are built by the store: `store.keys(part, *ids)` gives `<prefix>:<part>:<ids>` (the
prefix is `REDIS_KEY_PREFIX`); `store.lock(*name)`, conversation state, deadlines and topics are
named by the store itself from the parts it is given, so a caller never writes the prefix and a key
carries it once. What is left to callers is the name of a topic several modules publish to or
listen on, and the parts of value keys several modules share (a deadline's once-only sends: the
outbox claims them, the scheduler deletes them); those are built here.
"""

from __future__ import annotations

#: Every console (supervisors' view, queue changes, alerts).
CONSOLE_TOPIC = "console"


def agent_topic(agent_id: int) -> str:
    """One staff member's consoles (assignments, their complaints' news, session end)."""
    return f"agent:{agent_id}"


def deadline_generation(kind: str, member: str) -> tuple[str, ...]:
    """The parts of a deadline's generation key (bot/outbox.py `_generation`): an id drawn by its first
    attempt that sends, read by its retries, deleted when it ends (bot/scheduler.py), so a later deadline
    of the same kind and member never meets an earlier one's once-only marks."""
    return ("sent-once-deadline", kind, member)


def sent_once(kind: str, member: str, generation: str, digest: str, count: int) -> tuple[str, ...]:
    """The parts of the once-only mark of a text a deadline sends (bot/outbox.py `_mark`): its
    generation, the customer and text by digest, and how many times the attempt sent it before."""
    return ("sent-once", kind, member, generation, digest, str(count))
