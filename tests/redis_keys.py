"""The Redis keys tests make: under a prefix naming the run, deleted when the run ends, and what an
interrupted run left behind deleted at the next run's start.

The bots' stores write keys that never expire (the deadlines' sorted sets, the store's epoch for ten
years), and every test bot on Redis had a prefix of its own (`csbot-test-<10 hex>`) that nothing
removed: the shared server kept thousands of keys of runs long over. A test's prefix is now
`csbot-test-<owner>-<hex>` (`run_key_prefix`; the owner is the process that owns the run, its pid and
start time, tests/run_shared.py), so the run's end deletes its own (`delete_run_keys`) and a later run
the keys of an owner no longer running (`delete_leftover_keys`), as for the run's databases
(tests/databases.py), in base 36 to fit the setting's 32 characters. Keys named as before (no owner)
are deleted once idle for an hour (Redis' idle time: no test uses a key that long); nothing else on the
server is touched.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

from tests.run_shared import owner_alive, run_owner

PREFIX = "csbot-test-"
OWNED = re.compile(re.escape(PREFIX) + r"([0-9a-z]+)_([0-9a-z]+)-[0-9a-f]+:")
UNOWNED = re.compile(re.escape(PREFIX) + r"[0-9a-f]{10,12}:")
UNOWNED_IDLE_S = 3600
#: Keys Redis looks at per SCAN round trip, and deleted per command: the server is shared.
SCAN_COUNT = 1000


def run_key_prefix(owner: str | None = None) -> str:
    """A new key prefix of this run (of `owner`'s), for one test's store (`Settings.redis_key_prefix`,
    `KeyBuilder`)."""
    pid, started = (int(part) for part in (owner or run_owner()).split("_"))
    return f"{PREFIX}{_base36(pid)}_{_base36(started)}-{uuid.uuid4().hex[:7]}"


def owner_of(key: str) -> str | None:
    """The run owner (`run_owner`'s token) in a key made under `run_key_prefix`; None for another key."""
    owned = OWNED.match(key)
    return f"{int(owned.group(1), 36)}_{int(owned.group(2), 36)}" if owned else None


def _base36(number: int) -> str:
    digits = ""
    while True:
        number, digit = divmod(number, 36)
        digits = "0123456789abcdefghijklmnopqrstuvwxyz"[digit] + digits
        if not number:
            return digits


def delete_run_keys(redis_url: str, owner: str) -> int:
    """Delete every key of the run owned by `owner`; how many."""
    import redis

    with redis.Redis.from_url(redis_url, socket_connect_timeout=1, socket_timeout=5) as client:
        return _delete(client, (key for key in client.scan_iter(match=f"{PREFIX}*", count=SCAN_COUNT)
                                if owner_of(key.decode(errors="replace")) == owner))


def delete_leftover_keys(redis_url: str) -> int:
    """Delete the keys of runs that ended without deleting theirs; how many."""
    import redis

    with redis.Redis.from_url(redis_url, socket_connect_timeout=1, socket_timeout=5) as client:
        left = (key for key in client.scan_iter(match=f"{PREFIX}*", count=SCAN_COUNT)
                if left_behind(key.decode(errors="replace"), partial(client.object, "idletime", key)))
        return _delete(client, left)


def left_behind(key: str, idle_s: Callable[[], object]) -> bool:
    """Whether `key` is a test's that no run uses: its owner gone, or named before owners and idle for
    an hour (`idle_s`, asked only then: Redis' OBJECT IDLETIME, None for a key gone meanwhile)."""
    if owner := owner_of(key):
        return not owner_alive(owner)
    if UNOWNED.match(key):
        idle = idle_s()
        return isinstance(idle, int) and idle > UNOWNED_IDLE_S
    return False


def _delete(client: Any, keys: Iterator[bytes]) -> int:
    deleted, chunk = 0, []
    for key in keys:
        chunk.append(key)
        if len(chunk) == SCAN_COUNT:
            deleted += client.delete(*chunk)
            chunk = []
    if chunk:
        deleted += client.delete(*chunk)
    return deleted
