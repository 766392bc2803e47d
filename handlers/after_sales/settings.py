"""The after-sales area's settings: `AFTER_SALES_*` (cases, the chat) and `ERP_*` (the live order source).

The same environment variables as before they left the core settings (bot/area_settings.py): a
deployment's configuration keeps working, and a wrong value still stops start-up with one line
naming the variable. The photo-upload settings (`AFTER_SALES_UPLOAD_DIR`, `AFTER_SALES_PHOTO_*`,
...) stay in bot/config.py: the server, the archive and the retention report read them too.
"""

from __future__ import annotations

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from bot.area_settings import AreaSettings
from handlers.after_sales.machine import KINDS


class AfterSalesSettings(AreaSettings):
    model_config = SettingsConfigDict(env_prefix="AFTER_SALES_")

    #: 临时处置权 (R-CASE-6): a refund or compensation above this many fen needs a supervisor.
    supervisor_limit_fen: int = Field(500_000, ge=0)
    #: Case kinds that go straight to a person when a customer files them in the chat (a JSON list).
    human_kinds: list[str] = Field(default_factory=lambda: ["rights"])
    #: A refund asked for in the chat above this many fen goes to a person; None: the supervisor limit.
    human_refund_over_fen: int | None = Field(None, ge=0)
    #: The return address in the return instructions; None: the `after_sales.return_address` template.
    return_address: str | None = None
    #: Satisfaction follow-up after a case is resolved (R-CASE-11: callback within three days).
    satisfaction_after_h: float = Field(72.0, gt=0)
    #: A shipped parcel whose tracking has not moved for this long counts as stuck (daily job, 查件).
    stuck_parcel_h: float = Field(24.0, gt=0)
    #: The marketplace confirms receipt automatically this many days after shipping ...
    auto_confirm_days: int = Field(10, ge=1, le=60)
    #: ... and 延长收货 moves that by this many days.
    extend_days: int = Field(3, ge=1, le=30)
    #: When the order source does not answer, the chat retries the customer's request this often.
    retry_after_s: float = Field(60.0, gt=0)
    retry_times: int = Field(5, ge=1, le=50)

    @field_validator("human_kinds")
    @classmethod
    def _known_kinds(cls, value: list[str]) -> list[str]:
        unknown = set(value) - set(KINDS)
        if unknown:
            raise ValueError(f"unknown kinds {sorted(unknown)}; known: {', '.join(KINDS)}")
        return value

    @property
    def refund_to_human_over_fen(self) -> int:
        """A refund asked for in the chat above this goes to a person."""
        return self.supervisor_limit_fen if self.human_refund_over_fen is None else self.human_refund_over_fen


class ErpSettings(AreaSettings):
    """The shop's ERP as an order source (GET <url>/orders/<order no>, bearer token); no URL: imports only."""

    model_config = SettingsConfigDict(env_prefix="ERP_")

    url: str | None = None
    token: str | None = None
    timeout_s: float = Field(2.0, gt=0)
    retries: int = Field(1, ge=0, le=5)

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return value.rstrip("/")
