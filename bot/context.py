"""What a handler gets: the message, what the matcher made of it, the conversation's state, services.

`Services` is the one place a handler reaches shared parts (clock, store, settings, templates and
whatever later areas add under their own `ServiceKey`), so handlers never import channels,
Redis or wechatpy, and tests can hand them fakes. An area's own settings are
`services.settings.area(cls)` (bot/area_settings.py); to say something to a customer or run their
turn again it uses the services of bot/messenger.py, which it keeps in its own service object.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from bot.clock import Clock
from bot.config import Settings
from bot.events import Inbound
from bot.intents import IntentMatch
from bot.recorder import Identity
from bot.state import ConversationState
from bot.store.base import Store
from bot.templates import Templates

T = TypeVar("T")


@dataclass(frozen=True)
class ServiceKey(Generic[T]):
    """A typed name for an extra service, like aiohttp's `AppKey`."""

    name: str


@dataclass(slots=True)
class Services:
    clock: Clock
    store: Store
    settings: Settings
    templates: Templates
    extras: dict[ServiceKey[Any], Any] = field(default_factory=dict)
    #: Store keys (made from the conversation key) that the dispatcher reads with the state, in the
    #: same command where the store can: what a handler reads on every message, e.g. who holds the
    #: conversation. Handlers find the values in `Context.stored`.
    read_with_state: list[Callable[[str], str]] = field(default_factory=list)

    def __getitem__(self, key: ServiceKey[T]) -> T:
        return self.extras[key]

    def __setitem__(self, key: ServiceKey[T], value: T) -> None:
        self.extras[key] = value


@dataclass(slots=True)
class Context:
    inbound: Inbound
    match: IntentMatch
    state: ConversationState
    identity: Identity
    services: Services
    stored: dict[str, str | None] = field(default_factory=dict)  # see Services.read_with_state
    #: Run by the dispatcher once this message's rows are committed, in order: news about the message
    #: (a console that refreshes on it must find it in the database). Each one logs its own failure
    #: rather than raising: the message is written by then, and an error would skip the rest and the
    #: conversation's state. Not run for a redelivery answered before, nor when recording fails.
    once_recorded: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.inbound.text
