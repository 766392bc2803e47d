"""Order and after-sales case numbers as customers really type them."""

from __future__ import annotations

import pytest

from bot.extract import (
    DEFAULT_ORDER_PATTERNS,
    compile_order_patterns,
    extract_case_no,
    extract_order_no,
    normalise,
    split_numbers,
)


def test_normalise_full_width_and_zero_width() -> None:
    assert normalise("Ｅ２０２６\u3000ＡＢ\u200b１２") == "E2026 AB12"
    assert normalise("退款\ufeff到哪了？") == "退款到哪了?"


def test_normalise_skips_translating_only_texts_without_a_character_the_table_changes() -> None:
    """`normalise` translates only when `_HAS_ZERO_WIDTH` finds something: every character the
    zero-width table changes must be found wherever it stands, and the search finds no other code
    point (or it would translate for nothing)."""
    import sys

    from bot.extract import _HAS_ZERO_WIDTH, _ZERO_WIDTH

    changed = {chr(code) for code in _ZERO_WIDTH if chr(code).translate(_ZERO_WIDTH) != chr(code)}
    assert len(changed) == len(_ZERO_WIDTH)  # the table only removes characters
    for char in changed:
        assert normalise(f"退{char}款{char}") == "退款", hex(ord(char))
    every_code_point = "".join(map(chr, range(sys.maxunicode + 1)))
    assert set(_HAS_ZERO_WIDTH.findall(every_code_point)) == changed


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("E2026112200123 到哪了", "E2026112200123"),
        ("订单E2026112200123申请退货", "E2026112200123"),
        ("e2026112200123", "E2026112200123"),
        ("E2026 1122 00123 怎么还没到", "E2026112200123"),
        ("２０２６１１２２００１２３４５６", "2026112200123456"),
        ("单号：１２３４ ５６７８ ９０１２ ３４５６ ７８", "123456789012345678"),
        ("淘宝订单号3301234567890123456发货了吗", "3301234567890123456"),
        ("订单E2026112200123，电话13812345678", "E2026112200123"),
        ("我手机13812345678，订单是E2026112200123", "E2026112200123"),
        # a space or dash after the letter, dashes between the groups
        ("E 2026 1120 00103", "E2026112000103"),
        ("E-2026112000101", "E2026112000101"),
        ("E2026-1120-00101", "E2026112000101"),
        ("订单号e - 2026 1120 00103 还没发货", "E2026112000103"),
        ("订单E-2026112000101，2026-11-20买的", "E2026112000101"),
        ("E2026112000101-2件", "E2026112000101"),
        # review45: these still join beside a date, a time or a phone in the same message
        ("E 2026 1120 00103，2026-11-29 12:00 下的单", "E2026112000103"),
        ("E2026-1120-00101 座机0755-12345678", "E2026112000101"),
        ("E 2026 1122 0012", "E202611220012"),
        ("E2026-1120 00101", "E2026112000101"),
    ],
)
def test_order_numbers_found(text: str, expected: str) -> None:
    assert extract_order_no(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "我的快递到哪了",
        "13812345678",  # a mobile phone number
        "138 1234 5678",
        "+86 13812345678",
        "8613812345678",
        "AS20261123-0001",  # a case number is never an order number
        "AS202611230001",
        "售后单AS20261122001进度怎么样",
        "满300减30",
        "订单12345",  # too short
        "",
        # dashes and spaces join no phone number, date or count into an order number
        "电话138-1234-5678",
        "Tel 13812345678",
        "Tel 138-1234-5678",
        "2026-11-20 买了 3 件",
        "E 3 件",
        "XL 175-180",
        "A 2026-11-20",
        "AS 20261123-0001",
        # review45: contact labels, landlines, dates, times and lists of numbers are not joined
        "座机 TEL 0755-12345678 转 8001",
        "tel 0755-8888-6666",
        "我QQ 1234567890 加我",
        "微信号 wx-1234567890",
        "A 2026-11-29 12:00 下单",
        "B 2026-11-29 1130",
        "Q 2026-11-29-1130",
        "B 2026 1129 12:00",
        "房号 A 1203-1205-1207 号",
        "E 0755-12345678",
    ],
)
def test_not_order_numbers(text: str) -> None:
    assert extract_order_no(text) is None


def test_custom_patterns_replace_the_defaults() -> None:
    jd = [r"JD-(\d{10})"]
    assert extract_order_no("京东单 JD-1234567890 到哪了", jd) == "1234567890"
    assert extract_order_no("E2026112200123", jd) is None
    assert extract_order_no("E2026112200123", DEFAULT_ORDER_PATTERNS) == "E2026112200123"


def test_texts_without_a_digit_are_not_searched_for_default_order_numbers_only() -> None:
    """`split_numbers` skips the order search of a text without any digit for the default patterns (all
    need digits, Unicode ones included, as `\\d` matches them) and for them only: a shop's pattern may not."""
    defaults, same_but_searched = compile_order_patterns(), compile_order_patterns(DEFAULT_ORDER_PATTERNS)
    assert defaults is compile_order_patterns() and same_but_searched is not defaults
    arabic_indic = "单号 " + "\u0663" * 14
    texts = ["我的快递到哪了", "ＡＢＣ 订单呢", arabic_indic, "E\u0966" + "\u0967" * 13 + " 发货了吗", "AS 退款", ""]
    for text in texts:
        assert split_numbers(text, defaults) == split_numbers(text, same_but_searched), text
    assert split_numbers(arabic_indic, defaults)[0] == "\u0663" * 14  # Arabic-Indic digits: searched
    letters_only = compile_order_patterns([r"(?<![A-Z])[A-Z]{8}(?![A-Z])"])
    assert split_numbers("订单 ABCDEFGH 到哪了", letters_only)[0] == "ABCDEFGH"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("AS20261123-0001", "AS20261123-0001"),
        ("AS202611230001 处理到哪了", "AS202611230001"),
        ("售后单as20261123-0001进度", "AS20261123-0001"),
        ("ＡＳ２０２６１１２３－０００１", "AS20261123-0001"),
        ("AS 2026 1123 - 0001", "AS20261123-0001"),
        ("售后单AS20261122001进度怎么样", "AS20261122001"),
        ("订单E2026112200123的售后AS20261123-0002", "AS20261123-0002"),
    ],
)
def test_case_numbers(text: str, expected: str) -> None:
    assert extract_case_no(text) == expected


@pytest.mark.parametrize(
    "text",
    ["E2026112200123", "AS2026", "AS20261399-0001", "HAS20261123-0001", "我要退货", ""],
)
def test_not_case_numbers(text: str) -> None:
    assert extract_case_no(text) is None


def test_order_and_case_in_one_message() -> None:
    text = "订单E2026112200123的售后单AS20261123-0002怎么样了"
    assert extract_order_no(text) == "E2026112200123"
    assert extract_case_no(text) == "AS20261123-0002"
