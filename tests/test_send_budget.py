"""The send budget's window, written out by hand on every WeChat message, reads back as JSON."""

from __future__ import annotations

import json
import random

from bot.clock import FakeClock
from bot.ids import unique_id
from bot.send_budget import MESSAGE_ALLOWANCE, SendBudget, window_json
from bot.store.memory import MemoryStore


def test_the_window_is_json_dumps_of_its_dict_character_for_character():
    rng = random.Random(12)
    ends = [0.0, 1.0, 0.1 + 0.2, 1e20, 1764295131.0, *(rng.uniform(0, 4e9) for _ in range(2000))]
    for end in ends:
        window_id = f"{rng.getrandbits(128):032x}"
        assert window_json(window_id, 5, end) == json.dumps({"id": window_id, "allowance": 5, "ends": end})


async def test_a_message_opens_a_window_that_spend_and_left_read_back():
    clock = FakeClock()
    store = MemoryStore(clock)
    budget = SendBudget(store, clock, "wechat")
    write = budget.window_after("openid-1")
    assert write is not None and json.loads(write.value)["ends"] == clock.time() + 48 * 3600
    await store.set(write.key, write.value, write.ttl)
    assert await budget.spend("openid-1")
    assert await budget.left("openid-1") == MESSAGE_ALLOWANCE - 1


def test_the_windows_own_ids_need_no_escaping_in_the_written_out_json():
    """`window_json` puts the id between quotes as it is: that holds only for the ids
    `SendBudget` gives it (`bot/ids.unique_id`), which the other test's random hex stands in for."""
    for _ in range(100):
        window_id = unique_id()
        written = window_json(window_id, 5, 1764295131.25)
        assert json.loads(written)["id"] == window_id
        assert written == json.dumps({"id": window_id, "allowance": 5, "ends": 1764295131.25})
