"""Count the commands a `RedisStore` sends, for tests that hold a path to its number of round trips."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from bot.store.redis import RedisStore


@contextmanager
def commands_sent(store: RedisStore, skip: Callable[[tuple[Any, ...]], bool] = lambda args: False,
                  ) -> Iterator[list[str]]:
    """The names of the commands sent inside the block (those `skip` rejects aside), in order: through
    redis-py's client and through the store's own lean path (`RedisStore._command`)."""
    sent: list[str] = []
    through_client, through_store = store.client.execute_command, store._command

    def counting(original: Callable[..., Any]) -> Callable[..., Any]:
        async def counted(*args: Any, **kwargs: Any) -> Any:
            if not skip(args):
                sent.append(str(args[0]))
            return await original(*args, **kwargs)

        return counted

    store.client.execute_command = counting(through_client)  # type: ignore[method-assign]
    store._command = counting(through_store)  # type: ignore[method-assign]
    try:
        yield sent
    finally:
        store.client.execute_command, store._command = through_client, through_store  # type: ignore[method-assign]
