"""Long answers are split on sentence boundaries under the channel's byte limit (docs/rules.md R-TIME-3)."""

import pytest

from bot.splitter import pack, split_message


def size(text: str) -> int:
    return len(text.encode("utf-8"))


def test_short_text_is_one_part():
    assert split_message("亲，您好！") == ["亲，您好！"]


def test_empty_text_has_no_parts():
    assert split_message("  \n ") == []


def test_long_text_cut_after_sentences_under_limit():
    sentence = "亲，您的包裹已经到达本市转运中心，预计明天送达。"
    text = sentence * 120
    parts = split_message(text, 2000)
    assert len(parts) > 1
    assert all(size(part) <= 2000 for part in parts)
    assert all(part.endswith("。") for part in parts)
    assert "".join(parts) == text


def test_sentence_longer_than_limit_is_cut_at_commas_then_characters():
    text = "，".join(["很长的一句话没有句号"] * 50) + "字" * 900
    parts = split_message(text, 600)
    assert all(size(part) <= 600 for part in parts)
    assert "".join(parts) == text


def test_newlines_are_boundaries():
    text = ("第一行内容" * 30 + "\n") * 10
    parts = split_message(text, 500)
    assert all(size(part) <= 500 for part in parts)
    assert "".join(parts).replace("\n", "") == text.replace("\n", "")


def test_limit_must_hold_a_character():
    with pytest.raises(ValueError):
        split_message("你好", 2)


def test_pack_merges_the_smallest_neighbours_until_the_slots_suffice():
    assert pack(["a", "bb", "c", "dddd"], 4, 100) == [[0], [1], [2], [3]]
    assert pack(["a", "bb", "c", "dddd"], 3, 100) == [[0, 1], [2], [3]]
    assert pack(["a", "bb", "c", "dddd"], 1, 100) == [[0, 1, 2, 3]]


def test_pack_never_builds_a_message_over_the_limit():
    groups = pack(["x" * 6, "y" * 6, "z" * 6], 1, 13)
    assert groups == [[0, 1], [2]]  # the third cannot join: more groups than slots remain
    assert pack([], 2, 10) == []
