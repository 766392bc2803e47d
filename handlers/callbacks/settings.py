"""The callbacks area's settings (environment variables `CALLBACKS_*`, docs/rules.md R-CALLBACK).

Kept in the area's own pydantic-settings class so the core `Settings` does not grow with every
area; read once at start-up (a bad value stops start-up with one line naming the variable).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from bot.area_settings import AreaSettings
from bot.hours import RANGE

Days = Annotated[list[int], NoDecode]


class CallbackSettings(AreaSettings):
    model_config = SettingsConfigDict(env_prefix="CALLBACKS_")

    #: R-CALLBACK-1: days after a purchase, and after a first contact without one ("3,30,60").
    buyer_days: Days = Field(default_factory=lambda: [3, 30, 60])
    prospect_days: Days = Field(default_factory=lambda: [3, 15])
    #: R-CALLBACK-1: hours after a complaint is closed (its result is fed back within 24 h first).
    complaint_after_h: float = Field(24.0, ge=0)
    #: R-CALLBACK-3: shop-local hours nobody is disturbed, "HH:MM-HH:MM" (may run past midnight).
    rest_hours: str = "21:00-09:00"
    #: R-CALLBACK-8: a callback done within this many days of being due is on time (「三天之内」).
    within_days: float = Field(3.0, gt=0)
    #: R-CALLBACK-1: purchases and contacts whose callback fell due this long ago are still called.
    lookback_days: float = Field(7.0, ge=0)
    #: R-CALLBACK-2: share of non-member customers called back (members always: 100%).
    non_member_share: float = Field(1.0, ge=0, le=1)
    #: R-CALLBACK-4: a web-chat visitor who wrote this recently counts as online.
    webchat_online_minutes: float = Field(10.0, gt=0)
    #: R-CALLBACK-4: a returning visitor is asked this long after their message, once their matter is answered.
    visit_delay_s: float = Field(30.0, ge=0)
    #: R-CALLBACK-4: a visitor who has not come back after this long goes on the phone list.
    visit_wait_h: float = Field(24.0, gt=0)
    #: R-CALLBACK-4: a chat question unanswered this long goes on the phone list.
    answer_wait_h: float = Field(24.0, gt=0)
    #: R-CALLBACK-4: WeChat pushes left in the customer's window below which the chat is not used.
    wechat_min_sends_left: int = Field(2, ge=1, le=5)
    #: R-CALLBACK-5: "晚点再说" asks again after this many hours (明天: the next morning).
    later_hours: float = Field(3.0, gt=0)
    #: R-CALLBACK-6: phone attempts before a non-member's callback closes unreached; retry spacing.
    max_attempts: int = Field(3, ge=1)
    phone_retry_h: float = Field(24.0, gt=0)

    @field_validator("buyer_days", "prospect_days", mode="before")
    @classmethod
    def _day_list(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [part.strip() for part in value.split(",") if part.strip()]
            if not all(part.isdigit() and int(part) > 0 for part in parts):
                raise ValueError("must be positive whole days separated by commas, e.g. 3,30,60")
            return sorted({int(part) for part in parts})
        return value

    @field_validator("rest_hours")
    @classmethod
    def _rest_parse(cls, value: str) -> str:
        allowed_spans(value)
        return value


def allowed_spans(rest: str) -> str:
    """The hours outside `rest`, as `bot.hours` text: "21:00-09:00" → "09:00-21:00"."""
    match = RANGE.match(rest)
    if not match:
        raise ValueError(f"{rest.strip()!r} is not HH:MM-HH:MM")
    h1, m1, h2, m2 = map(int, match.groups())
    start, end = h1 * 60 + m1, h2 * 60 + m2
    if m1 > 59 or m2 > 59 or start > 1440 or end > 1440 or start % 1440 == end % 1440:
        raise ValueError(f"{rest.strip()!r} must be two different times of day")
    spans = [(end, start)] if end < start else [(0, start), (end, 1440)]
    return ",".join(f"{a // 60:02d}:{a % 60:02d}-{b // 60:02d}:{b % 60:02d}" for a, b in spans if b > a)
