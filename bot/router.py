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


#: The order `Router.candidates` offers the kinds of route in (tests/test_router.py holds it to it).
ROUTE_ORDER = ("flow", "any", "event", "media", "intent")


@dataclass(frozen=True, slots=True)
class _Plan:
    """The routes in `ROUTE_ORDER`, each kind in registration order, events, media and intents by name:
    a message's candidates are a few dict look-ups, where asking every route whether it wants the
    message was 1.5% of the embedded loop's samples (docs/performance.md "Ninth round"). Dialogue flows
    are asked one by one as before: a flow's handler may end or change the flow before the next one."""

    flows: tuple[Route, ...]
    every: tuple[Handler, ...]
    events: dict[str, tuple[Handler, ...]]
    media: dict[str, tuple[Handler, ...]]
    intents: dict[str, tuple[Handler, ...]]

    @classmethod
    def of(cls, routes: list[Route]) -> _Plan:
        by_name: dict[str, dict[str, list[Handler]]] = {"event": {}, "media": {}, "intent": {}}
        for route in routes:
            if route.kind in by_name:
                for name in route.names:
                    by_name[route.kind].setdefault(name, []).append(route.handler)
        frozen = {kind: {name: tuple(handlers) for name, handlers in names.items()} for kind, names in by_name.items()}
        return cls(tuple(route for route in routes if route.kind == "flow"),
                   tuple(route.handler for route in routes if route.kind == "any"),
                   frozen["event"], frozen["media"], frozen["intent"])


class Router:
    def __init__(self, name: str) -> None:
        self.name = name
        self._routes: list[Route] = []
        self._children: list[Router] = []
        self._plan: _Plan | None = None

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
        """Handlers that want this message: dialogue flows, every-message hooks, events, media, intents,
        each kind in registration order (child routers' after their parent's), each asked for as its
        turn comes (a handler that returned None may have changed the conversation's flow)."""
        if self._plan is None:  # routes are registered at import time; planned once, on first use
            self._plan = _Plan.of(list(self.routes()))
        plan = self._plan
        for route in plan.flows:
            if ctx.state.flow in route.names:
                yield route.handler
        yield from plan.every
        inbound = ctx.inbound
        if inbound.kind == "event":
            yield from plan.events.get((inbound.event or "").lower(), ())
        yield from plan.media.get(inbound.kind, ())
        if inbound.kind == "text":
            yield from plan.intents.get(ctx.match.intent, ())

    def intents_handled(self) -> set[str]:
        return {name for route in self.routes() if route.kind == "intent" for name in route.names}
