"""The archive's settings (environment variables `ARCHIVE_*`, docs/rules.md R-ARCHIVE).

Read once at start-up; a bad value stops it with one line naming the variable, as `bot/config.py`
does for the core settings.
"""

from __future__ import annotations

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from bot.area_settings import AreaSettings

FACTORS = ("orders", "amount", "profit", "credit", "prospects")


class ArchiveSettings(AreaSettings):
    model_config = SettingsConfigDict(env_prefix="ARCHIVE_")

    #: An agent reads the archive of customers they served within this many days (R-ARCHIVE-5).
    recent_days: int = Field(7, ge=0, le=365)
    #: How long an approved access request lasts (R-ARCHIVE-6).
    access_hours: float = Field(24.0, gt=0, le=24 * 30)
    #: Class weights (R-ARCHIVE-7), JSON: {"orders": .., "amount": .., "profit": .., "credit": .., "prospects": ..}.
    class_weights: dict[str, float] = Field(default_factory=lambda: {
        "orders": 0.25, "amount": 0.25, "profit": 0.2, "credit": 0.15, "prospects": 0.15})
    #: Class bands, JSON {"A": 80, ...}: the lowest score of each band; the highest band reached wins.
    class_bands: dict[str, float] = Field(default_factory=lambda: {"A": 80, "B": 60, "C": 40, "D": 0})
    #: What earns a full mark on each measured factor (over the last `class_window_days`).
    class_full_orders: int = Field(10, gt=0)
    class_full_amount_fen: int = Field(500_000, gt=0)
    class_full_profit_fen: int = Field(150_000, gt=0)
    #: Gross margin on sales, for the profit contribution (sales × margin − refunds and compensation).
    class_margin: float = Field(0.3, ge=0, le=1)
    class_window_days: int = Field(365, gt=0)
    #: Customers with fewer orders than this are new: their prospects count (referrals, recent contact).
    class_new_below_orders: int = Field(2, ge=0)
    #: Queue priority added per class band, JSON {"A": 1}; empty: the class does not change the queue.
    queue_priority: dict[str, int] = Field(default_factory=dict)

    @field_validator("class_weights")
    @classmethod
    def _weights(cls, value: dict[str, float]) -> dict[str, float]:
        unknown = set(value) - set(FACTORS)
        if unknown:
            raise ValueError(f"unknown factors {sorted(unknown)}; use {', '.join(FACTORS)}")
        if any(weight < 0 for weight in value.values()) or sum(value.values()) <= 0:
            raise ValueError("weights must be non-negative and not all zero")
        return value

    @field_validator("class_bands")
    @classmethod
    def _bands(cls, value: dict[str, float]) -> dict[str, float]:
        if not value or min(value.values()) > 0:
            raise ValueError("bands need one starting at 0, e.g. {\"A\": 80, \"B\": 60, \"C\": 40, \"D\": 0}")
        if any(len(name) > 4 for name in value):
            raise ValueError("band names have at most 4 characters")
        return value
