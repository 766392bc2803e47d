"""The complaints area's settings (`COMPLAINTS_*` environment variables, docs/rules.md R-COMPLAINT).

Kept apart from `bot/config.py`'s `Settings` so the area owns its knobs; read once at start-up and
checked like the core settings: a bad value stops start-up with one line naming the variable.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from bot.area_settings import AreaSettings


class ComplaintSettings(AreaSettings):
    model_config = SettingsConfigDict(env_prefix="COMPLAINTS_")

    #: The customer hears back within this many hours of registering (R-COMPLAINT-3).
    reply_within_h: float = Field(24.0, gt=0)
    #: Deadline of each step, in hours from entering it (R-COMPLAINT-5).
    register_h: float = Field(2.0, gt=0)
    judge_h: float = Field(24.0, gt=0)
    investigate_h: float = Field(72.0, gt=0)
    approve_h: float = Field(24.0, gt=0)
    handle_h: float = Field(48.0, gt=0)
    review_h: float = Field(72.0, gt=0)
    #: Legal warning (法务预警报备) of a major complaint, and the result fed back, within these hours.
    legal_within_h: float = Field(24.0, gt=0)
    feedback_within_h: float = Field(24.0, gt=0)
    #: A new complaint by the same customer within this many days is a repeat (major).
    repeat_days: int = Field(30, ge=1)
    #: This many customers about the same matter within the window make a collective complaint.
    collective_customers: int = Field(3, ge=2)
    collective_window_h: float = Field(72.0, gt=0)
    #: The agent's n-th service complaint in a calendar month is flagged serious.
    serious_service_count: int = Field(3, ge=1)

    def step_hours(self, step: str) -> float:
        return float(getattr(self, f"{step}_h"))
