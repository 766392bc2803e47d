"""What every channel adapter provides: its HTTP routes, its size limit, and a way to push later messages.

Replies to an inbound message go back the way the channel's protocol allows (WeChat's passive
reply, the web chat's HTTP response); messages sent later (an agent's reply, a follow-up, the rest
of a long answer) go through `deliver` (by default one `push` per message), which raises
`DeliveryFailed` with a reason the outbox records. A channel overrides one of the two; one that
overrides neither is refused when its class is defined, not on its first send.
"""

from __future__ import annotations

from abc import ABC
from collections.abc import Sequence
from typing import TYPE_CHECKING

from aiohttp import web

from bot.events import Choice

if TYPE_CHECKING:
    from bot.runtime import Runtime
    from bot.web.typed import Endpoint


#: Why a send did not complete when the request may have reached the platform (a timeout, the connection
#: dropped as it answered: bot/channels/wechat_api.py), where a text may be on the customer's phone; the
#: outbox keeps such a text's once-only mark (bot/outbox.py `KEPT`).
MAYBE_DONE = frozenset({"timeout", "no_answer"})
#: The outcome of a send the platform refused for a passing reason (a rate limit, the network), which the
#: channel tries again later itself (`DeliveryFailed(retryable=True)`, bot/channels/wecom.py): its rows stay
#: pending until that retry records what happened, and no one else sends it again (bot/outbox.py `KEPT`).
RETRYING = "retrying"


class Channel(ABC):
    name: str
    #: UTF-8 bytes one message may carry on this channel.
    max_bytes: int = 2000
    #: The platform drops a repeat of a send that carries the same stored message ids (WeCom's msgid):
    #: a send whose answer was lost may be sent again (bot/outbox.py `kept_outcomes`).
    repeats_dropped: bool = False

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if cls.push is Channel.push and cls.deliver is Channel.deliver:
            raise TypeError(f"channel {cls.__name__} sends nothing: override push or deliver")

    def routes(self) -> list[web.AbstractRouteDef]:
        return []

    def endpoints(self) -> list[Endpoint]:
        """Typed JSON endpoints (bot/web/typed.py): routed and described in `/api/openapi.json`."""
        return []

    async def start(self, runtime: Runtime) -> None:
        """Called once the runtime is ready, before the port opens."""
        return None

    async def reconcile(self, store_lost: bool) -> None:
        """Re-arm from the database what the channel keeps in the store (bot/reconcile.py): at start-up,
        before the port opens, and every `reconcile_interval_s`; `store_lost` when the store came back empty."""
        return None

    async def stop(self) -> None:
        """Called on shutdown, after the requests in flight: close clients, cancel background work."""
        return None

    async def sends_left(self, user_id: str) -> int | None:
        """Messages `push` may still deliver to this user now; None when the platform sets no cap."""
        return None

    async def push(self, user_id: str, text: str, *, source_id: str | None = None) -> None:
        """Deliver one message to this user outside a reply; raise `DeliveryFailed` when refused.
        `source_id` is the stored message's id: a platform that reports failures later (WeCom's
        `msg_send_fail`) is given an id it can name back. Needed by the default `deliver` only (the
        web chat overrides that one and has no other use for it)."""
        raise NotImplementedError(f"{type(self).__name__} delivers without push")

    async def deliver(self, user_id: str, text: str, *, source_ids: Sequence[str] = (),
                      choices: Sequence[Choice] = ()) -> None:
        """The outbox's send: one message carrying the stored rows `source_ids` (neighbours merged
        when the send budget is short) and, on the last message of an answer, the `choices` the
        customer may pick. By default the text goes through `push` (its wording names the choices);
        a channel that shows buttons or names every merged row back (WeCom) overrides this."""
        await self.push(user_id, text, source_id=source_ids[0] if source_ids else None)
