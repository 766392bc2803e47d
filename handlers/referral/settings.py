"""The referral area's settings, `REFERRAL_*` (docs/rules.md R-REF; bot/area_settings.py).

The same environment variables as before they left the core settings, so a deployment's
configuration keeps working and a wrong value still stops start-up with one line naming it.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from bot.area_settings import AreaSettings


class ReferralSettings(AreaSettings):
    model_config = SettingsConfigDict(env_prefix="REFERRAL_")

    #: HMAC key that makes card codes unforgeable. Required with PostgreSQL (several hosts must share
    #: it); with SQLite, unset means a random key generated once into `referral_secret` beside the
    #: database file. Changing it invalidates every card already handed out.
    secret: str | None = Field(None, min_length=16)
    #: How the honour board shows names: masked 张*丰, initial 张**, full 张三丰.
    board_names: str = Field("masked", pattern=r"^(masked|initial|full)$")
    board_size: int = Field(50, ge=1, le=500)
    #: Campaign pushes: messages per second, and the WeChat template for customers outside 48 h.
    push_per_second: float = Field(10.0, gt=0, le=1000)
    push_template_id: str | None = None
    #: How often paid orders are checked for conversions (besides the daily job).
    sync_interval_s: int = Field(900, ge=60)
