"""Reward arithmetic (docs/rules.md R-REF-5, R-REF-6), pure and exact: integer fen and Decimal rates.

Two parts, each a list of steps `(from, value)`:
- the bounty for the referrer's n-th successful referral: the 1st–3rd earn ¥4000 each, the 4th–6th
  ¥5000, the 7th on ¥6000;
- the commission rate on every purchase of every customer they referred, by how many referrals
  they had on the purchase date: 2% with 1–3, 2.5% for all of them from the day the 4th converts,
  3% from the day the 7th converts (10 referrals × ¥20,000 a month → ¥6,000 = 3%).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, DecimalException
from typing import Any

FEN_PER_YUAN = 100
#: The largest bounty one referral may earn: ¥1,000,000. Rewards are stored as fen in a BIGINT
#: (`ReferralReward.amount_fen`, at most 2^63-1 on PostgreSQL); a ceiling this far below it keeps every
#: sum of rewards (a referrer's, a report's) exact, and refuses a typo of many zeros up front.
MAX_BOUNTY_FEN = 1_000_000 * FEN_PER_YUAN
#: The largest starting count of a step: referral positions are stored in an INTEGER (2^31-1).
MAX_STEP_START = 2**31 - 1


@dataclass(frozen=True, slots=True)
class Tiers:
    bounties: tuple[tuple[int, int], ...]  # (from the n-th referral, fen each)
    rates: tuple[tuple[int, Decimal], ...]  # (from this many referrals, rate)

    def __post_init__(self) -> None:
        for steps in (self.bounties, self.rates):
            starts = [start for start, _ in steps]
            if not steps or starts != sorted(set(starts)) or starts[0] < 1 or starts[-1] > MAX_STEP_START:
                raise ValueError("tiers need increasing starting counts from 1 up")
        if any(not 0 <= fen <= MAX_BOUNTY_FEN for _, fen in self.bounties):
            raise ValueError(f"bounties must be between 0 and {fen_to_yuan(MAX_BOUNTY_FEN)} yuan")
        if any(not rate.is_finite() or not 0 <= rate < 1 for _, rate in self.rates):  # NaN never compares
            raise ValueError("rates must be between 0 and 1")

    def bounty_fen(self, nth: int) -> int:
        """Cash for the referrer's `nth` successful referral (0 before the first step)."""
        return _step(self.bounties, nth, 0)

    def rate(self, referrals: int) -> Decimal:
        """Commission rate for a referrer who has `referrals` converted referrals."""
        return _step(self.rates, referrals, Decimal(0))

    def to_json(self) -> dict[str, Any]:
        return {"bounties": [[start, fen] for start, fen in self.bounties],
                "rates": [[start, str(rate)] for start, rate in self.rates]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Tiers:
        return cls(tuple((int(start), int(fen)) for start, fen in data["bounties"]),
                   tuple((int(start), Decimal(str(rate))) for start, rate in data["rates"]))

    @classmethod
    def parse(cls, bounties: str, rates: str) -> Tiers:
        """From the CLI's and the API's text: bounties "1:4000,4:5000,7:6000" in yuan, rates "1:2%,4:2.5%"."""
        return cls(tuple((start, yuan_to_fen(value)) for start, value in _pairs(bounties)),
                   tuple((start, _percent(value)) for start, value in _pairs(rates)))

    def describe(self) -> tuple[str, str]:
        """The tiers in the form `parse` reads."""
        return (",".join(f"{start}:{fen_to_yuan(fen)}" for start, fen in self.bounties),
                ",".join(f"{start}:{percent_of(rate)}%" for start, rate in self.rates))


def commission_fen(base_fen: int, rate: Decimal) -> int:
    """`rate` of `base_fen`, rounded half up to the fen."""
    return int((Decimal(base_fen) * rate).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def percent_of(rate: Decimal) -> str:
    """"2" for a rate of 0.02, "2.5" for 0.025, "10" for 0.1: exact, no trailing zeros, no exponent."""
    return f"{(rate * 100).normalize():f}"


def fen_to_yuan(fen: int) -> str:
    """"4000" for 400000 fen, "12.5" for 1250: exact, no trailing zeros."""
    value = (Decimal(fen) / FEN_PER_YUAN).normalize()
    return f"{value:f}"


def yuan_to_fen(text: str) -> int:
    try:
        value = Decimal(text.strip().removeprefix("¥")) * FEN_PER_YUAN
    except DecimalException:  # not a number, a signalling NaN, an exponent past the context's range
        raise ValueError(f"not an amount in yuan: {text!r}") from None
    if not value.is_finite():
        raise ValueError(f"not an amount in yuan: {text!r}")
    if value != value.to_integral_value():
        raise ValueError(f"more than two decimals: {text!r}")
    return int(value)


def _step(steps: tuple[tuple[int, Any], ...], count: int, below: Any) -> Any:
    value = below
    for start, step_value in steps:
        if count >= start:
            value = step_value
    return value


def _percent(text: str) -> Decimal:
    text = text.strip()
    try:
        rate = Decimal(text.removesuffix("%")) / 100 if text.endswith("%") else Decimal(text)
    except DecimalException:
        raise ValueError(f"not a rate: {text!r}") from None
    if not rate.is_finite():
        raise ValueError(f"not a rate: {text!r}")
    return rate


def _pairs(text: str) -> list[tuple[int, str]]:
    pairs = []
    for item in filter(None, (part.strip() for part in text.split(","))):
        start, sep, value = item.partition(":")
        if not sep or not start.strip().isdigit():
            raise ValueError(f"expected <from>:<value>, got {item!r}")
        pairs.append((int(start), value))
    return pairs


#: The default plan (R-REF-5, R-REF-6): ¥4000/¥5000/¥6000 from the 1st/4th/7th referral; 2%/2.5%/3%.
DEFAULT_TIERS = Tiers.parse("1:4000,4:5000,7:6000", "1:2%,4:2.5%,7:3%")
