"""Unique ids for outbound messages and delivery leases, without a system call each.

They need to be unique across workers and restarts, not secret: a random per-process prefix plus a
counter gives that for the cost of a string format (uuid4 asks the kernel for randomness every time,
which shows on the per-message path).
"""

from __future__ import annotations

import itertools
import os
import secrets

_PREFIX = secrets.token_hex(8)
_COUNTER = itertools.count(1)


def _draw_again() -> None:
    """A forked child would share its parent's prefix and counter (workers are spawned today, but a
    process manager may fork): it draws its own."""
    global _PREFIX, _COUNTER
    _PREFIX, _COUNTER = secrets.token_hex(8), itertools.count(1)


os.register_at_fork(after_in_child=_draw_again)


def unique_id() -> str:
    """32 characters at most: 16 hex of process prefix, then a hex counter."""
    return f"{_PREFIX}{next(_COUNTER):x}"
