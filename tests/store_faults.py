"""Redis faults made from outside, on the way (tests/tcp_proxy.py): a command Redis ran whose caller never
hears back, as when a Redis reply is lost with its connection."""

from __future__ import annotations

from collections.abc import Callable

from bot.store.redis import RECONNECT_RETRIES
from tests.tcp_proxy import TcpProxy, resp_command

#: How many times the Redis store sends one command whose connection dropped before its reply: its own
#: send, then redis-py's, once and again for each of its reconnecting retries (`RedisStore._command`).
SENDS_OF_A_COMMAND = 2 + RECONNECT_RETRIES


def lose_the_replies(proxy: TcpProxy, *commands: Callable[[bytes], bool]) -> None:
    """Redis runs each of `commands` (`resp_command` matchers), in turn, and its caller never hears back:
    the reply is lost with its connection, and so is each send again (`SENDS_OF_A_COMMAND`), so the store's
    caller gets the outage (`Store.unavailable`) though the command ran. Other commands meanwhile, and all
    after, are answered: Redis is there, only those replies were lost (`proxy.replies_lost` counts them)."""
    stages, sends = list(commands), [0]

    def matching(request: bytes) -> bool:
        if not stages or not stages[0](request):
            return False
        sends[0] += 1
        if sends[0] == SENDS_OF_A_COMMAND:
            stages.pop(0)
            sends[0] = 0
        return True

    proxy.lose_reply_to(matching, times=SENDS_OF_A_COMMAND * len(commands))


def claim_of(key_part: str) -> Callable[[bytes], bool]:
    """A claim (`SET ... NX ... GET`: `Store.claim`) of a key containing `key_part`."""
    return resp_command("SET", key_part.encode(), b"NX", b"GET")
