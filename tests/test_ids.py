"""`bot/ids.unique_id`: unique across workers, including workers a process manager forks."""

from __future__ import annotations

import os

from bot.ids import unique_id


def test_a_forked_child_draws_its_own_prefix() -> None:
    read, write = os.pipe()
    before = unique_id()
    pid = os.fork()
    if pid == 0:  # the child: report its next id and leave at once
        os.write(write, unique_id().encode())
        os._exit(0)
    os.waitpid(pid, 0)
    os.close(write)
    child = os.read(read, 64).decode()
    os.close(read)
    after = unique_id()
    assert before[:16] == after[:16]  # the parent keeps its own
    assert child[:16] != after[:16] and child != after
