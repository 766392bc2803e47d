"""The parts of the shared `Services` an area's service object reads, by name, written once.

An area's desk keeps the `Services` it was built with (docs/architecture.md "Services for areas")
and reads the clock, store, templates and the core settings through it; `core` is the name of the
core `Settings` everywhere, so `settings` stays free for the area's own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.clock import Clock
    from bot.config import Settings
    from bot.context import Services
    from bot.store.base import Store
    from bot.templates import Templates


class OnServices:
    services: Services

    @property
    def clock(self) -> Clock:
        return self.services.clock

    @property
    def store(self) -> Store:
        return self.services.store

    @property
    def templates(self) -> Templates:
        return self.services.templates

    @property
    def core(self) -> Settings:
        """The core settings: shop name and time zone, public address, database, directories."""
        return self.services.settings
