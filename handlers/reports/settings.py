"""The reports area's settings (REPORTS_*) and retention's (RETENTION_*), read like `bot/config.py`'s.

Each class reads its own prefix from the environment and `.env`; a wrong value raises `ConfigError`
naming the variable. Retention counts days after a customer's last contact (docs/rules.md
R-RETENTION-1); 0 keeps that kind of record for ever.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from bot.area_settings import AreaSettings
from bot.config import DATA_DIR, Settings


class ReportsSettings(AreaSettings):
    model_config = SettingsConfigDict(env_prefix="REPORTS_")

    #: Where the weekly and monthly workbooks are kept; unset: `reports/` beside the SQLite
    #: database, else `data/reports`.
    dir: Path | None = None
    #: The monthly workbook is due by this day of the next month (「每月5号前」); the server makes it
    #: on the 1st and, if it was down then, on any later day up to this one.
    monthly_due_day: int = Field(5, ge=1, le=28)
    #: Most buckets one report may have (a year of days), so one request cannot ask for a century.
    max_buckets: int = Field(400, ge=1, le=5000)

    def directory(self, settings: Settings) -> Path:
        if self.dir is not None:
            return self.dir
        if settings.database_url.startswith("sqlite://"):
            return Path(settings.database_url.removeprefix("sqlite://")).parent / "reports"
        return DATA_DIR / "reports"


class RetentionSettings(AreaSettings):
    model_config = SettingsConfigDict(env_prefix="RETENTION_")

    #: Messages (texts, photos sent in the chat) of a customer out of contact this many days are deleted.
    message_days: int = Field(365, ge=0)
    #: Photos a customer uploaded for after-sales cases.
    upload_days: int = Field(365, ge=0)
    #: Archive details: name, phone, addresses on orders, free text on cases, notes and left messages.
    archive_days: int = Field(730, ge=0)
    #: Whether the server's daily job applies retention (`csbot retention` works either way).
    daily: bool = True
