"""`Store.hold_conversation`, the dispatcher's round per message, on every backend (conftest's
`open_stores`): it excludes the other workers exactly as `lock` does on the same conversation, reads
the state and the extra keys, writes the state only when asked and only without an error, and on
Redis costs two commands where lock, get, set and release cost five."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from bot.store.base import LockTimeout, Store, Write
from bot.store.redis import RedisStore
from tests.redis_commands import commands_sent

StoreOpener = Callable[[], Store]


async def settle() -> None:
    for _ in range(10):
        await asyncio.sleep(0)


async def test_reads_state_and_keys_and_writes_on_leaving(store: Store) -> None:
    holder_key = store.keys("handoff", "wechat:o1")
    await store.set_state("wechat:o1", {"turns": 2, "flow": "after_sales"})
    await store.set(holder_key, '{"status": "queued"}')
    async with store.hold_conversation("wechat:o1", holder_key, store.keys("handoff", "none")) as held:
        assert held.state == {"turns": 2, "flow": "after_sales"}
        assert held.values == {holder_key: '{"status": "queued"}', store.keys("handoff", "none"): None}
        held.save, held.ttl = {"turns": 3, "flow": None, "data": {"说明": "尺码不合适"}}, 60
    assert await store.get_state("wechat:o1") == {"turns": 3, "flow": None, "data": {"说明": "尺码不合适"}}
    if isinstance(store, RedisStore):
        assert 59_000 < await store.client.pttl(store.keys("state", "wechat:o1")) <= 60_000
    async with store.hold_conversation("wechat:new") as held:
        assert held.state is None and held.values == {}
    assert await store.get_state("wechat:new") is None, "nothing saved unless asked"


async def test_an_error_inside_saves_nothing_and_releases(store: Store) -> None:
    await store.set_state("wechat:o1", {"turns": 1})
    with pytest.raises(RuntimeError):
        async with store.hold_conversation("wechat:o1") as held:
            held.save = {"turns": 2}
            raise RuntimeError("handler failed")
    assert await store.get_state("wechat:o1") == {"turns": 1}
    async with store.lock("wechat:o1", wait=0):
        pass


async def test_writes_go_with_the_release_and_only_without_an_error(store: Store) -> None:
    answer, lost = store.keys("wechat-delivery", "o1", "1"), store.keys("wechat-delivery", "o1", "2")
    async with store.hold_conversation("wechat:o1") as held:
        held.writes.append(Write(answer, 'done:"您好"', 300))  # no state saved: the writes go all the same
    assert await store.get(answer) == 'done:"您好"'
    assert await store.get_state("wechat:o1") is None
    if isinstance(store, RedisStore):
        assert 299_000 < await store.client.pttl(answer) <= 300_000
    with pytest.raises(RuntimeError):
        async with store.hold_conversation("wechat:o1") as held:
            held.writes.append(Write(lost, "done:null"))
            raise RuntimeError("handler failed")
    assert await store.get(lost) is None


async def test_excludes_other_workers_and_plain_lock_holders(open_stores: StoreOpener) -> None:
    workers = [open_stores(), open_stores()]
    inside = overlaps = 0

    async def turn(store: Store) -> None:
        nonlocal inside, overlaps
        async with store.hold_conversation("wechat:o1", wait=5) as held:
            inside += 1
            overlaps += inside > 1
            await settle()
            turns = (held.state or {}).get("turns", 0)
            held.save = {"turns": turns + 1}
            inside -= 1

    async def plain(store: Store) -> None:  # e.g. the handoff's offer timer, under the same lock
        nonlocal inside, overlaps
        async with store.lock("wechat:o1", wait=5):
            inside += 1
            overlaps += inside > 1
            await settle()
            inside -= 1

    await asyncio.gather(*(turn(store) for store in workers for _ in range(4)), plain(workers[1]))
    assert overlaps == 0
    assert await workers[0].get_state("wechat:o1") == {"turns": 8}


async def test_waiting_too_long_times_out(open_stores: StoreOpener) -> None:
    holder, other = open_stores(), open_stores()
    async with holder.lock("wechat:o1"):
        with pytest.raises(LockTimeout):
            async with other.hold_conversation("wechat:o1", wait=0):
                pytest.fail("held a conversation whose lock is taken")


@pytest.mark.parametrize("store_backend", ["redis"])  # counts Redis commands: nothing to count in memory
async def test_two_redis_commands_per_round(open_stores: StoreOpener) -> None:
    store = open_stores()
    assert isinstance(store, RedisStore)
    async with store.hold_conversation("wechat:o1"):  # loads the scripts into Redis' cache
        pass
    with commands_sent(store) as calls:
        async with store.hold_conversation("wechat:o2", store.keys("handoff", "wechat:o2")) as held:
            held.save = {"turns": 1}
    assert calls == ["EVALSHA", "EVALSHA"]


@pytest.mark.parametrize("store_backend", ["redis"])  # the stored text: the in-process store keeps the dict
async def test_redis_keeps_the_state_as_readable_utf8_json(open_stores: StoreOpener) -> None:
    """The state goes to Redis as `json.dumps(state, ensure_ascii=False)` writes it, whether saved by the
    round's release or by `set_state`: Chinese as UTF-8, not as \\u escapes, and read back the same."""
    store = open_stores()
    assert isinstance(store, RedisStore)
    state = {"turns": 1, "data": {"说明": "尺码不合适", "quote": 'a "b"'}}
    async with store.hold_conversation("wechat:o1") as held:
        held.save = state
    await store.set_state("wechat:o2", state)
    for conversation in ("wechat:o1", "wechat:o2"):
        raw = await store.client.get(store.keys("state", conversation))
        assert raw == '{"turns": 1, "data": {"说明": "尺码不合适", "quote": "a \\"b\\""}}'
        assert await store.get_state(conversation) == state


@pytest.mark.parametrize("store_backend", ["redis"])  # the cancellation of a round in flight on Redis
async def test_a_cancelled_round_saves_nothing_and_releases(open_stores: StoreOpener) -> None:
    """A customer's request cancelled inside the round (the client went away): the block ends with the
    cancellation, nothing it meant to save or write is written, and the lock is free at once."""
    store = open_stores()
    inside = asyncio.Event()
    answer = store.keys("wechat-delivery", "o1", "9")

    async def round_cut_short() -> None:
        async with store.hold_conversation("wechat:o1") as held:
            held.save = {"turns": 5}
            held.writes.append(Write(answer, "done:null"))
            inside.set()
            await asyncio.Event().wait()

    task = asyncio.create_task(round_cut_short())
    await inside.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await store.get_state("wechat:o1") is None
    assert await store.get(answer) is None
    async with store.hold_conversation("wechat:o1", wait=0) as held:
        assert held.state is None
