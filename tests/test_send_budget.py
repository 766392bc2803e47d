"""The send budget's window, written out by hand on every WeChat message, reads back as JSON."""

from __future__ import annotations

import json
import random

from bot.clock import FakeClock
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
