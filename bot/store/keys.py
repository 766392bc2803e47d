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


#: Between the parts of a deadline's lease (`deadline_lease`): no kind, member or taker holds it.
LEASE_SEPARATOR = "\x1f"


def deadline_lease(kind: str, member: str, taker: str) -> str:
    """The member of a taken deadline's lease in the scheduler's leases (bot/scheduler.py `TAKEN`): its
    kind, its member and the take's own id (`taker`), so that two deadlines of one kind and member taken
    on two workers (the later set while the earlier one's callback ran) have a lease each, and one's end
    or renewal never removes or moves the other's. Written by the store in the command that pops it
    (`Store.pop_due_kinds`), found by its kind and member by a cancel (`Store.cancel_leased`)."""
    return f"{kind}{LEASE_SEPARATOR}{member}{LEASE_SEPARATOR}{taker}"


def deadline_leased(lease: str) -> tuple[str, str]:
    """The kind and member of a lease (`deadline_lease`); one written before leases had a taker (`kind`,
    the separator, `member`, left by a worker of an earlier release) reads the same."""
    kind, _, rest = lease.partition(LEASE_SEPARATOR)
    member, separated, _ = rest.rpartition(LEASE_SEPARATOR)
    return kind, member if separated else rest
