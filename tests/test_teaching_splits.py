"""Splitting a shop's labelled lines into learned and measured ones (bench/classify.py --splits):
what was learned is never measured, and several splits learn different lines."""

import pytest

from bot.intent_eval import Row, shop_split, split_starts


def _rows(n: int) -> list[Row]:
    return [Row(f"第{i}句", "greeting", f"line{i}") for i in range(n)]


def test_learned_and_measured_never_share_a_line():
    rows = _rows(10)
    for start in range(10):
        learned, measured = shop_split(rows, 4, start)
        assert len(learned) == 4 and len(measured) == 6
        assert {r.text for r in learned}.isdisjoint(r.text for r in measured)
        assert {r.text for r in learned} | {r.text for r in measured} == {r.text for r in rows}


def test_a_split_wraps_round_to_the_first_lines():
    learned, measured = shop_split(_rows(10), 4, 8)
    assert [r.text for r in learned] == ["第8句", "第9句", "第0句", "第1句"]
    assert [r.text for r in measured] == [f"第{i}句" for i in range(2, 8)]


def test_a_start_outside_the_file_is_refused():
    with pytest.raises(ValueError, match="start 10"):
        shop_split(_rows(10), 4, 10)


def test_splits_spread_over_the_file_from_the_start_on():
    assert split_starts(400, 1) == [0]
    assert split_starts(400, 3) == [0, 133, 266]
    assert split_starts(400, 4, start=100) == [100, 200, 300, 0]
    assert split_starts(3, 5) == [0, 1, 2]  # more splits than lines: each start once
    with pytest.raises(ValueError, match="splits 0"):
        split_starts(400, 0)
