"""A campaign's reward terms in the customer's words: its own bounty and commission tiers (docs/rules.md
R-REF-5, R-REF-6; a campaign may set its own), so 推荐奖励怎么算 is answered with what this campaign pays.

Each step of the tiers reads from a template (`referral.bounty_*`, `referral.rate_*`): a step up to
the next one (第1–3位), a step of one count (第4位), the last step (第7位起).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.templates import Templates, spec
from handlers.referral.campaigns import tiers_of
from handlers.referral.tiers import fen_to_yuan, percent_of
from models.referral import Campaign

SEPARATOR = "referral.terms_separator"
STEP_SHAPES = ("range", "one", "from")

SCRIPTS = (
    spec(SEPARATOR),
    *(spec(f"referral.bounty_{shape}", "first", "last", "amount") for shape in STEP_SHAPES),
    *(spec(f"referral.rate_{shape}", "first", "last", "rate") for shape in STEP_SHAPES),
)


def bounties_text(campaign: Campaign, templates: Templates) -> str:
    """第1–3位每位¥4000，… for the campaign's bounty tiers."""
    steps = [(start, {"amount": fen_to_yuan(fen)}) for start, fen in tiers_of(campaign).bounties]
    return _steps_text("referral.bounty", steps, templates)


def rates_text(campaign: Campaign, templates: Templates) -> str:
    """成交1–3位时2%，… for the campaign's commission tiers."""
    steps = [(start, {"rate": percent_of(rate)}) for start, rate in tiers_of(campaign).rates]
    return _steps_text("referral.rate", steps, templates)


def _steps_text(prefix: str, steps: Sequence[tuple[int, dict[str, Any]]], templates: Templates) -> str:
    parts = []
    for index, (first, fields) in enumerate(steps):
        last = steps[index + 1][0] - 1 if index + 1 < len(steps) else None
        shape = "from" if last is None else "one" if last == first else "range"
        parts.append(templates.render_safe(f"{prefix}_{shape}", {**fields, "first": first, "last": last}))
    return templates.render_safe(SEPARATOR).join(parts)
