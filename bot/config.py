"""Settings from environment variables and an optional `.env` file (pydantic-settings).

Reading settings does no I/O beyond the environment and `.env`; a wrong value raises `ConfigError`
with one line naming the variable, which `main.py` prints instead of a traceback.
"""

from __future__ import annotations

import re
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = f"sqlite://{PROJECT_ROOT / 'data' / 'bot.sqlite3'}"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    bot_host: str = "127.0.0.1"
    bot_port: int = Field(8080, ge=0, le=65535)
    database_url: str = DEFAULT_DATABASE_URL
    redis_url: str | None = None
    redis_key_prefix: str = Field("csbot", pattern=r"^[A-Za-z0-9_-]{1,32}$")
    public_base_url: str = "http://127.0.0.1:8080"

    wechat_token: str | None = None
    wechat_appid: str | None = None
    wechat_appsecret: str | None = None
    wechat_aes_key: str | None = None
    wechat_api_base: str = "https://api.weixin.qq.com"
    wechat_passive_budget_s: float = Field(3.0, gt=0, lt=5)
    wechat_http_timeout_s: float = Field(5.0, gt=0)

    shop_name: str = "小蜜优选旗舰店"
    shop_timezone: str = "Asia/Shanghai"
    scripts_dir: Path = PROJECT_ROOT / "scripts_zh"
    confidence_threshold: float = Field(0.5, ge=0, le=1)
    max_reply_parts: int = Field(5, ge=1, le=20)
    dedupe_ttl_s: int = Field(600, ge=300)

    @field_validator("wechat_aes_key")
    @classmethod
    def _aes_key_is_43_chars(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not re.fullmatch(r"[A-Za-z0-9]{43}", value):
            raise ValueError("must be the 43-character EncodingAESKey from the WeChat admin page")
        return value

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        if not value.startswith(("sqlite://", "postgres://", "postgresql://", "asyncpg://")):
            raise ValueError("must start with sqlite:// or postgres://")
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must start with redis:// or rediss://")
        return value

    @field_validator("wechat_api_base", "public_base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return value.rstrip("/")

    @field_validator("shop_timezone")
    @classmethod
    def _zone_exists(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError("is not a known time zone such as Asia/Shanghai") from exc
        return value

    @property
    def wechat_enabled(self) -> bool:
        return bool(self.wechat_token)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.shop_timezone)


def load_settings(**overrides: object) -> Settings:
    """Build settings, turning a validation failure into a one-line `ConfigError` naming the variable."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "settings"
        raise ConfigError(f"invalid setting {name}: {first['msg']}") from None
