"""Which handler answers which message.

A `Router` holds handlers registered by intent, by dialogue flow (a conversation waiting for an
answer to a question the bot asked), by platform event and by media kind. Routers nest with
`include_router`, in priority order, like aiogram's; the dispatcher asks the root router for the
first handler that wants the message. Handlers never send: they return a `Reply` (or None to let
the next handler try).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.events import Reply

if TYPE_CHECKING:
    from bot.context import Context

Handler = Callable[["Context"], Awaitable[Reply | None]]


@dataclass(frozen=True, slots=True)
class Route:
    kind: str  # "flow", "any", "event", "media", "intent"
    names: frozenset[str]
    handler: Handler

    def wants(self, ctx: Context) -> bool:
        inbound = ctx.inbound
        if self.kind == "flow":
            return ctx.state.flow in self.names
        if self.kind == "any":
            return True
        if self.kind == "event":
            return inbound.kind == "event" and (inbound.event or "").lower() in self.names
        if self.kind == "media":
            return inbound.kind in self.names
        return inbound.kind == "text" and ctx.match.intent in self.names


ROUTE_ORDER = ("flow", "any", "event", "media", "intent")


class Router:
    def __init__(self, name: str) -> None:
        self.name = name
        self._routes: list[Route] = []
        self._children: list[Router] = []
        self._ordered: list[Route] | None = None

    def __repr__(self) -> str:
        return f"Router({self.name!r})"

    def _register(self, kind: str, names: tuple[str, ...]) -> Callable[[Handler], Handler]:
        def decorate(handler: Handler) -> Handler:
            self._routes.append(Route(kind, frozenset(n.lower() if kind == "event" else n for n in names),
                                      handler))
            return handler

        return decorate

    def intent(self, *names: str) -> Callable[[Handler], Handler]:
        return self._register("intent", names)

    def flow(self, *names: str) -> Callable[[Handler], Handler]:
        """Handle every message of a conversation whose state is in one of these dialogue flows."""
        return self._register("flow", names)

    def every_message(self) -> Callable[[Handler], Handler]:
        """See every message before events, media and intents (return None to pass it on)."""
        return self._register("any", ())

    def event(self, *names: str) -> Callable[[Handler], Handler]:
        return self._register("event", names)

    def media(self, *kinds: str) -> Callable[[Handler], Handler]:
        return self._register("media", kinds)

    def include_router(self, router: Router) -> Router:
        self._children.append(router)
        return router

    def routes(self) -> Iterator[Route]:
        yield from self._routes
        for child in self._children:
            yield from child.routes()

    def candidates(self, ctx: Context) -> Iterator[Handler]:
        """Handlers that want this message: dialogue flows, every-message hooks, events, media, intents."""
        if self._ordered is None:  # routes are registered at import time; order them once, on first use
            self._ordered = sorted(self.routes(), key=lambda route: ROUTE_ORDER.index(route.kind))
        for route in self._ordered:
            if route.wants(ctx):
                yield route.handler

    def intents_handled(self) -> set[str]:
        return {name for route in self.routes() if route.kind == "intent" for name in route.names}
