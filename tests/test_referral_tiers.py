"""The reward arithmetic on its own: tier boundaries, rates, exact fen, the CLI's tier syntax."""

from __future__ import annotations

from decimal import Decimal

import pytest

from handlers.referral.tiers import DEFAULT_TIERS, Tiers, commission_fen, fen_to_yuan, yuan_to_fen


@pytest.mark.parametrize(("nth", "yuan"), [(0, 0), (1, 4000), (3, 4000), (4, 5000), (6, 5000), (7, 6000), (12, 6000)])
def test_bounty_by_position_changes_after_the_3rd_and_the_6th(nth, yuan):
    assert DEFAULT_TIERS.bounty_fen(nth) == yuan * 100


@pytest.mark.parametrize(("referrals", "rate"), [(0, "0"), (1, "0.02"), (3, "0.02"), (4, "0.025"), (6, "0.025"),
                                                 (7, "0.03"), (10, "0.03")])
def test_rate_by_number_of_referrals(referrals, rate):
    assert DEFAULT_TIERS.rate(referrals) == Decimal(rate)


def test_the_seeds_example_ten_referrals_at_20000_a_month_earn_6000():
    monthly = [commission_fen(20_000 * 100, DEFAULT_TIERS.rate(10)) for _ in range(10)]
    assert sum(monthly) == 6_000 * 100


def test_commission_is_exact_and_rounds_half_up_to_the_fen():
    assert commission_fen(1, Decimal("0.025")) == 0
    assert commission_fen(20, Decimal("0.025")) == 1  # 0.5 fen rounds up
    assert commission_fen(12_345, Decimal("0.025")) == 309  # 308.625
    assert isinstance(commission_fen(12_345, Decimal("0.03")), int)


def test_tiers_round_trip_through_text_and_json():
    tiers = Tiers.parse("1:100.5,3:200", "1:1.5%,5:0.04")
    assert tiers.bounties == ((1, 10_050), (3, 20_000))
    assert tiers.rates == ((1, Decimal("0.015")), (5, Decimal("0.04")))
    assert Tiers.parse(*tiers.describe()) == tiers
    assert Tiers.from_json(tiers.to_json()) == tiers
    assert DEFAULT_TIERS.describe() == ("1:4000,4:5000,7:6000", "1:2%,4:2.5%,7:3%")


@pytest.mark.parametrize(("bounties", "rates"), [
    ("4:100,1:50", "1:2%"),  # not increasing
    ("0:100", "1:2%"),  # must start from 1 up
    ("1:abc", "1:2%"),
    ("1:1.005", "1:2%"),  # below a fen
    ("1:100", "1:150%"),
    ("1-100", "1:2%"),
    ("", "1:2%"),
])
def test_bad_tiers_are_refused(bounties, rates):
    with pytest.raises(ValueError):
        Tiers.parse(bounties, rates)


def test_yuan_and_fen():
    assert yuan_to_fen("¥4000") == 400_000
    assert fen_to_yuan(400_000) == "4000"
    assert fen_to_yuan(1_250) == "12.5"
    assert fen_to_yuan(0) == "0"
