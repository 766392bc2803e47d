"""Settings from environment variables and an optional `.env` file (pydantic-settings).

Reading settings does no I/O beyond the environment and `.env`; a wrong value raises `ConfigError`
with one line naming the variable, which the command line prints instead of a traceback.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, PrivateAttr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.area_settings import AreaSettings
from bot.errors import ConfigError

A = TypeVar("A", bound=AreaSettings)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
#: Where the embedded default keeps its files: `data/` in a checkout (also `pip install -e`); an
#: installed copy lives in site-packages, so there it is `data/` in the directory the bot runs in.
DATA_DIR = PROJECT_ROOT / "data" if (PROJECT_ROOT / "pyproject.toml").is_file() else Path.cwd() / "data"
DEFAULT_DATABASE_URL = f"sqlite://{DATA_DIR / 'bot.sqlite3'}"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    #: Area settings read or given so far, by class (see `area`); not a setting itself.
    _areas: dict[type[AreaSettings], AreaSettings] = PrivateAttr(default_factory=dict)

    bot_host: str = "127.0.0.1"
    bot_port: int = Field(8080, ge=0, le=65535)
    database_url: str = DEFAULT_DATABASE_URL
    redis_url: str | None = None
    redis_key_prefix: str = Field("csbot", pattern=r"^[A-Za-z0-9_-]{1,32}$")
    #: Base of share links and QR cards; empty: the address the bot serves on (see `_default_base_url`).
    public_base_url: str = ""

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
    confidence_threshold: float = Field(0.6, ge=0, le=1)
    #: Recent messages whose intent decision the matcher remembers; 0 remembers none.
    intent_cache_size: int = Field(8192, ge=0)
    #: First-sight classification of customer messages in a process beside each worker
    #: (bot/classifier_process.py): `auto` is on in `serve`'s workers with two cores or more each, off for
    #: command-line tools and in-process runtimes; `on` everywhere a runtime opens; `off` never.
    classifier_process: Literal["auto", "on", "off"] = "auto"
    max_reply_parts: int = Field(5, ge=1, le=20)
    dedupe_ttl_s: int = Field(600, ge=300)

    # --- handoff to people and the response-time promise (docs/rules.md R-TIME) ---
    sla_first_response_s: float = Field(15.0, gt=0)
    sla_reply_s: float = Field(20.0, gt=0)
    sla_hold_margin_s: float = Field(5.0, ge=0)
    sla_max_holding_messages: int = Field(3, ge=0)
    #: Shop-local staffed hours, e.g. "09:30-24:00" or "09:30-12:00,13:30-24:00" (R-TIME-6).
    staffed_hours: str = "09:30-24:00"
    #: After this long in the queue with no agent free, the customer is offered to leave a message.
    queue_offer_message_after_s: float = Field(120.0, gt=0)
    #: Minutes a person promises to answer a left message (留言) within, during staffed hours.
    message_reply_within_minutes: int = Field(120, gt=0)
    #: How long one conversation with a person takes, until recent handovers have been timed; the
    #: expected wait is (place in the queue) × (handling time) / (free places of agents online).
    handling_minutes_default: float = Field(4.0, gt=0)
    vip_to_human: bool = True
    # --- the promise measured from the customer's side (issue 9, docs/handoff-sla.md) ---
    #: A question a person still has not answered this long after it was asked goes to someone with
    #: room (the holder lapsed on it; their late answer would be later still).
    sla_reassign_after_s: float = Field(60.0, gt=0)
    #: An agent is judged walked away after this many lapses, in different conversations, within
    #: `presence_lapse_window_s` and with no console action since the first of them.
    presence_away_lapses: int = Field(2, ge=1)
    presence_lapse_window_s: float = Field(300.0, gt=0)
    #: Customers queued this long during staffed hours while no agent can take them: supervisors are
    #: alerted (console, and `alert_webhook_url` as a JSON POST) and the customers offered 留言 at once.
    queue_alert_after_s: float = Field(45.0, gt=0)
    alert_webhook_url: str | None = None
    #: Messages kept back from holding messages and the tail of split answers on capped channels
    #: (WeChat: 5 per 48 h after a customer message), so that the holder's answer can still be sent.
    send_budget_reserve: int = Field(2, ge=1)
    #: A question whose holder has not typed this long after it was asked goes to an agent free to answer
    #: now (an answer not begun by then cannot be written before the 20 s).
    sla_move_untouched_after_s: float = Field(13.0, gt=0)
    #: A held conversation whose customer stays silent this long after the holder's answer goes back to the bot.
    handoff_idle_release_s: float = Field(180.0, gt=0)

    # --- serving: logging, schema at start-up, worker supervision (bot/server.py, bot/logs.py) ---
    log_level: str = Field("INFO", pattern=r"^(?i:debug|info|warning|error)$")
    #: Apply the schema/migrations when a process opens the database. `serve` applies them once in
    #: the master before any worker starts (workers then skip it); `main.py migrate` does it alone.
    migrate_on_start: bool = True
    #: A worker not ready within this long counts as failed at start-up (`serve` then stops).
    serve_start_timeout_s: float = Field(180.0, gt=0)
    #: On SIGTERM/SIGINT, how long in-flight requests and background sends may take before being cut.
    serve_shutdown_grace_s: float = Field(15.0, gt=0)
    #: A dead worker is restarted after 0.5 s, doubling per quick failure up to this.
    serve_restart_max_backoff_s: float = Field(30.0, gt=0)

    # --- WeCom 微信客服 (kf), docs/wecom.md: the channel is on when WECOM_CORP_ID is set ---
    wecom_corp_id: str | None = Field(None, pattern=r"^ww[0-9a-zA-Z]{8,30}$")
    wecom_kf_secret: str | None = Field(None, min_length=8)
    wecom_token: str | None = Field(None, pattern=r"^[A-Za-z0-9]{3,32}$")
    wecom_aes_key: str | None = Field(None, pattern=r"^[A-Za-z0-9]{43}$")
    wecom_api_base: str = Field("https://qyapi.weixin.qq.com", pattern=r"^https?://")
    wecom_callback_path: str = Field("/wecom/kf", pattern=r"^/[A-Za-z0-9/_-]{1,64}$")
    #: Messages asked for per `sync_msg` page (WeCom's maximum is 1000).
    wecom_sync_limit: int = Field(1000, ge=1, le=1000)
    #: How often every known kf account is synced without a callback (a lost callback's messages).
    wecom_sync_interval_s: float = Field(60.0, ge=1)
    #: Handoff: "console" keeps the session with the bot (agents answer from the console through the
    #: API); "servicer" moves it to state 3 with WECOM_SERVICER_USERID, who answers in the WeCom app.
    wecom_handoff: str = Field("console", pattern=r"^(console|servicer)$")
    wecom_servicer_userid: str | None = None

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

    @field_validator("alert_webhook_url")
    @classmethod
    def _optional_http_url(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        return cls._http_url(value)

    @field_validator("wechat_api_base", "public_base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return value.rstrip("/")

    @field_validator("staffed_hours")
    @classmethod
    def _hours_parse(cls, value: str) -> str:
        from bot.hours import parse_hours

        parse_hours(value)
        return value

    @field_validator("shop_timezone")
    @classmethod
    def _zone_exists(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError("is not a known time zone such as Asia/Shanghai") from exc
        return value

    @model_validator(mode="after")
    def _default_base_url(self) -> Settings:
        """Unset, links point where the server listens, so a card made on another port still opens.

        A wildcard host (0.0.0.0, ::) is not an address anyone can open: links then use loopback,
        and a real deployment sets PUBLIC_BASE_URL to its public https:// address.
        """
        if not self.public_base_url:
            host = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(self.bot_host, self.bot_host)
            if ":" in host:
                host = f"[{host}]"
            self.public_base_url = f"http://{host}:{self.bot_port}"
        return self

    def area(self, cls: type[A]) -> A:
        """An area's own settings (bot/area_settings.py): those given with `with_areas`, else read from
        the environment once; a wrong value raises a one-line `ConfigError` naming the variable."""
        found = self._areas.get(cls)
        if found is None:
            found = self._areas[cls] = cls.load()
        return found  # type: ignore[return-value]

    def with_areas(self, *values: AreaSettings) -> Settings:
        """These area settings instead of the environment's (tests, tools); returns these settings."""
        self._areas.update({type(value): value for value in values})
        return self

    @property
    def wechat_enabled(self) -> bool:
        return bool(self.wechat_token)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.shop_timezone)

    # --- order numbers, read by the matcher and every area that asks for one ---
    #: Order-number regexes as a JSON list (group 1, or the whole match, is the number); they replace
    #: bot.extract's DEFAULT_ORDER_PATTERNS, so list those too if the shop still uses such numbers.
    order_no_patterns: list[str] | None = None

    @field_validator("order_no_patterns")
    @classmethod
    def _patterns_compile(cls, value: list[str] | None) -> list[str] | None:
        for pattern in value or ():
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"{pattern!r} is not a regular expression: {exc}") from None
        return value or None

    # After-sales (AFTER_SALES_*, ERP_*) and referral (REFERRAL_*) settings are the areas' own
    # classes (handlers/after_sales/settings.py, handlers/referral/settings.py; bot/area_settings.py).

    # --- shared resources, readiness, recovery and exposure (issue 10) ---
    #: Redis connections per worker (commands and the one pub/sub connection); when all are busy a
    #: caller waits up to `redis_pool_wait_s`, then the request is answered 503 with Retry-After.
    redis_max_connections: int = Field(64, ge=4, le=10_000)
    redis_pool_wait_s: float = Field(2.0, gt=0, le=60)
    #: A connection to Redis found dead is made again up to three times, the first after this wait, each
    #: next after twice the last, at most half of `redis_pool_wait_s` (bot/store/redis.py).
    redis_reconnect_backoff_s: float = Field(0.05, ge=0, le=5)
    #: What a 503 tells the client to wait before trying again (web chat page, WeChat retries anyway).
    retry_after_s: int = Field(2, ge=1, le=300)
    #: How often each worker checks whether the store lost its data (a Redis restart without
    #: persistence) and, if so, re-arms deadlines and shared state from the database.
    reconcile_interval_s: float = Field(30.0, gt=0)
    #: A connection that has not finished sending a request's headers (or sits idle between requests)
    #: for this long is closed; a request body not received within `http_body_timeout_s` gets 408.
    http_idle_timeout_s: float = Field(15.0, gt=0)
    http_body_timeout_s: float = Field(30.0, gt=0)
    #: `/metrics` needs `Authorization: Bearer <token>` when set; unset, only loopback clients may
    #: read it (behind a proxy on the same host, set a token: the proxy's requests come from loopback).
    metrics_token: str | None = Field(None, min_length=16)

    @field_validator("metrics_token", mode="before")
    @classmethod
    def _unset_when_empty(cls, value: str | None) -> str | None:
        return value or None
    # --- edge: owed WeChat replies, staff logins, web-chat identity, customer uploads (docs/webchat.md) ---
    #: A message answered `success` is kept in the database until delivered; a worker owns one for
    #: this long, and every worker looks for unfinished ones this often (bot/channels/wechat_inbox.py).
    wechat_inbox_lease_s: float = Field(60.0, gt=0)
    wechat_inbox_retry_s: float = Field(10.0, gt=0)
    #: Login attempts that go straight through per account and source address, per account from
    #: anywhere, and per source address over every account; beyond them each attempt waits a delay
    #: that doubles up to LOGIN_MAX_DELAY_S (a delay, never a lock-out of the owner).
    login_free_attempts: int = Field(5, ge=1)
    login_free_per_account: int = Field(50, ge=1)
    login_free_per_source: int = Field(30, ge=1)
    login_max_delay_s: float = Field(60.0, gt=0, le=3600)
    #: HMAC key that signs web-chat visitor tokens. Required with PostgreSQL (shared by every host);
    #: with SQLite, unset means a random key generated once into `webchat_secret` beside the database.
    webchat_secret: str | None = Field(None, min_length=16)
    #: Shared with the shop's own site, which signs its logged-in customer's id with it (identity
    #: verification); unset: the web chat accepts no customer ids from outside.
    webchat_identity_secret: str | None = Field(None, min_length=16)
    #: Photos customers upload in the web chat (filed with after-sales cases, erased by the archive,
    #: counted by the retention report, so kept here): where, how large, per visitor per day, and the
    #: total kept on disk; photos older than the retention are removed by the daily job.
    after_sales_upload_dir: Path = DATA_DIR / "uploads"
    after_sales_photo_max_bytes: int = Field(8 * 1024 * 1024, gt=0)
    after_sales_photos_per_visitor: int = Field(10, ge=1)
    after_sales_upload_quota_bytes: int = Field(1024 * 1024 * 1024, gt=0)
    after_sales_photo_retention_days: int = Field(180, ge=1)


def load_settings(**overrides: object) -> Settings:
    """Build settings, turning a validation failure into a one-line `ConfigError` naming the variable."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "settings"
        raise ConfigError(f"invalid setting {name}: {first['msg']}") from None
