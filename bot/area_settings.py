"""The base of a business area's own settings, so the core `Settings` does not grow with every area.

An area declares its classes in `Extension.settings`; each reads its environment variables (and
`.env`) under its own prefix, e.g. `AFTER_SALES_RETRY_TIMES` for `AfterSalesSettings.retry_times`.
The command line and `Runtime.open` read them before anything is opened, so a wrong value stops
start-up with one line naming the variable, as for the core settings (bot/config.py). Handlers get
them from the core settings: `ctx.services.settings.area(AfterSalesSettings)`; tests and tools give
their own with `Settings.with_areas(...)`.
"""

from __future__ import annotations

from typing import Any, Self

from pydantic import ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.errors import ConfigError


class AreaSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    @classmethod
    def load(cls, **values: Any) -> Self:
        """Read the environment (`values` win over it); a wrong value raises a one-line `ConfigError`
        naming the variable."""
        try:
            return cls(**values)
        except ValidationError as exc:
            first = exc.errors()[0]
            field = str(first["loc"][0]) if first["loc"] else "*"
            prefix = cls.model_config.get("env_prefix") or ""
            raise ConfigError(f"invalid setting {(prefix + field).upper()}: {first['msg']}") from None
