"""Count the commands a `RedisStore` sends, for tests that hold a path to its number of round trips."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from bot.store.redis import RedisStore


@contextmanager
def commands_sent(store: RedisStore, skip: Callable[[tuple[Any, ...]], bool] = lambda args: False,
                  ) -> Iterator[list[str]]:
    """The names of the commands sent inside the block (those `skip` rejects aside), in order."""
    sent: list[str] = []
    original = store.client.execute_command

    async def counting(*args: Any, **kwargs: Any) -> Any:
        if not skip(args):
            sent.append(str(args[0]))
        return await original(*args, **kwargs)

    store.client.execute_command = counting  # type: ignore[method-assign]
    try:
        yield sent
    finally:
        store.client.execute_command = original  # type: ignore[method-assign]
