"""One way to write a commission rate as a percentage (handlers/referral/tiers.py `percent_of`): the tiers'
settings form (`Tiers.describe`) and the customer's answer (handlers/referral/terms.py) say the same."""

from __future__ import annotations

from decimal import Decimal

import pytest

from handlers.referral.tiers import Tiers, percent_of


@pytest.mark.parametrize(("rate", "written"), [
    ("0.02", "2"), ("0.025", "2.5"), ("0.1", "10"), ("0.100", "10"), ("1", "100"), ("0.0001", "0.01"),
])
def test_a_rate_is_written_exactly_without_trailing_zeros_or_exponent(rate, written):
    assert percent_of(Decimal(rate)) == written


def test_the_tiers_settings_form_reads_back_what_it_writes():
    tiers = Tiers.parse("1:4000,4:5000", "1:2%,4:2.5%,7:10%")
    assert tiers.describe()[1] == "1:2%,4:2.5%,7:10%"
    assert Tiers.parse(*tiers.describe()) == tiers
