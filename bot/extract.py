"""Order-number and after-sales case-number extraction.

Every after-sales request belongs to an order, so the bot pulls the order number (and the case
number of an existing after-sales request) out of whatever the customer typed. Customers type on
phones: full-width digits, numbers chunked with spaces ("E2026 1122 00123"), zero-width characters
pasted from other apps, a space or dash after the letters ("E 2026 1120 00103", "E-2026112000101",
"E2026-1120-00101"). Everything here first normalises the text, then matches. The letters and digits
are never joined when the letters label a contact (TEL, QQ, WX) or the digits are a landline, a date, a
time or a list ("房号 A 1203-1205-1207"); whatever is joined is an order number only when one of the
shop's patterns (`compile_order_patterns`) takes it.

Rules:
- a case number is "AS" + an 8-digit date + a 3-6 digit sequence, with an optional "-" before the
  sequence; it is returned upper-case without spaces, hyphen kept as written;
- a case number is never an order number, and neither is a mobile phone number (11 digits starting
  with 1, optionally prefixed with 86/086);
- order-number regexes are configurable per shop; when a pattern has a capturing group, group 1 is
  the number, else the whole match. The leftmost match over all patterns wins.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

DEFAULT_ORDER_PATTERNS: tuple[str, ...] = (
    r"(?<![A-Za-z0-9])\d{12,20}(?![0-9])",  # marketplace numbers, e.g. Taobao's 18-19 digits
    r"(?<![A-Za-z0-9])[A-Za-z]{1,3}\d{10,20}(?![0-9])",  # shop numbers like E2026112200123
)

_ZERO_WIDTH_CHARS = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_ZERO_WIDTH = dict.fromkeys(map(ord, _ZERO_WIDTH_CHARS))
# `str.translate` with a mapping looks every character up (about 1 us for a short message); one regex
# search finds whether there is anything to remove at a fifth of that.
_HAS_ZERO_WIDTH = re.compile(f"[{_ZERO_WIDTH_CHARS}]")
# Digit groups chunked by spaces ("E2026 1122 00123", "1234 5678 9012 3456"), not a date's day and a time
# after it ("2026-11-29 1130").
_CHUNKED = re.compile(r"(?<![A-Za-z0-9])(?<!\d-)[A-Za-z]{0,3}\d+(?:[ \t]+\d+)+(?![A-Za-z0-9])")
_MAX_CHUNK = 8  # longer groups are whole numbers of their own, not chunks of one
# Letters, then digits after a space or dash, in groups a space or dash apart ("E 2026 1120 00103",
# "E-2026112000101", "E2026-1120-00101"). Only after letters: digits alone joined across dashes would make
# order numbers of dates and dashed phone numbers.
_LETTERED = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]{1,3})([ \t]*-?[ \t]*)(\d+(?:(?:[ \t]*-[ \t]*|[ \t]+)\d+)*)"
                       r"(?![A-Za-z0-9])")
_DIGIT_GROUP = re.compile(r"\d+")
#: Letters that label a phone, a chat account or a fax, never an order number ("TEL 0755-...", "QQ 12345...").
_CONTACT_LABELS = frozenset({"TEL", "QQ", "WX", "VX", "FAX", "MOB"})
#: A date inside the digits ("A 2026-11-29 12:00"): the digits are a date and a time, not one number.
_DATE = re.compile(r"(?<!\d)(?:19|20)\d\d[ \t]*-[ \t]*\d{1,2}[ \t]*-[ \t]*\d{1,2}(?!\d)")
_TIME_AFTER = re.compile(r"[ \t]*:[ \t]*\d")
#: Groups of the same short length this close together are a list ("房号 A 1203-1205-1207"), not chunks.
_LIST_SPREAD = 100
_LETTERED_GAP = re.compile(r"[A-Za-z][ \t]+\d")  # a space after letters: `_LETTERED` may join something
_SEPARATOR = re.compile(r"[\s-]")
#: Fewer digits after the letters stay as typed: a count or a size ("E 3", "XL 175-180"), not an order number.
_MIN_LETTERED_DIGITS = 10
_CASE_CANDIDATE = re.compile(r"(?<![A-Za-z0-9])[Aa][ \t]*[Ss](?:[ \t]*[\d-])+")
_CASE = re.compile(r"AS(20\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]))(-?)(\d{3,6})(?!\d)")
_PHONE = re.compile(r"(?:0?86)?1[3-9]\d{9}")
_DIGIT = re.compile(r"\d")
#: The default patterns, compiled once; each needs digits (`\d`, Unicode digits as `_DIGIT` finds them),
#: so text without a digit holds no order number by them, and `split_numbers` does not search it.
_DEFAULT_COMPILED: tuple[re.Pattern[str], ...] = tuple(re.compile(p) for p in DEFAULT_ORDER_PATTERNS)


def normalise(text: str) -> str:
    """Full-width ASCII, digits and spaces to half-width (NFKC); strip zero-width characters."""
    text = unicodedata.normalize("NFKC", text)
    return text.translate(_ZERO_WIDTH) if _HAS_ZERO_WIDTH.search(text) else text


def _join_lettered(m: re.Match[str]) -> str:
    """A lettered number typed with a space or dash after the letters or between its groups, joined;
    unchanged when it is a case number's ("AS": `_find_case` keeps its dash), too short for an order
    number, a group longer than a chunk follows another, the letters stand before a phone number or label
    a contact (TEL, QQ, WX), or the digits are a landline (0 + area code), hold a date or end in a time, or
    are a list of like numbers (review45)."""
    letters, gap, digits = m.groups()
    groups = _DIGIT_GROUP.findall(digits)
    joined = "".join(groups)
    if (letters.upper() == "AS" or len(joined) < _MIN_LETTERED_DIGITS
            or (len(groups) > 1 and any(len(group) > _MAX_CHUNK for group in groups))
            or (gap and _PHONE.fullmatch(joined)) or letters.upper() in _CONTACT_LABELS
            or _not_one_number(groups, digits, m)):
        return m.group(0)
    return letters + joined


def _not_one_number(groups: list[str], digits: str, m: re.Match[str]) -> bool:
    """The digits after the letters end in a time, or their groups are a landline, a date or a list: not
    chunks of one number."""
    if _TIME_AFTER.match(m.string, m.end()) is not None:
        return True
    if len(groups) < 2:
        return False
    landline = groups[0].startswith("0") and 3 <= len(groups[0]) <= 4
    same_short = len({len(group) for group in groups}) == 1 and len(groups[0]) <= 4
    listed = same_short and max(map(int, groups)) - min(map(int, groups)) < _LIST_SPREAD
    return landline or listed or _DATE.search(digits) is not None


def _join_chunks(text: str) -> str:
    """Remove the spaces inside numbers typed in chunks; a group longer than a chunk stays apart."""

    def join(m: re.Match[str]) -> str:
        groups = m.group(0).split()
        if all(len(g) <= _MAX_CHUNK for g in groups):
            return "".join(groups)
        return m.group(0)

    return _CHUNKED.sub(join, text)


def _find_case(text: str) -> tuple[str, tuple[int, int]] | None:
    """The first case number in normalised text, with its span."""
    for cand in _CASE_CANDIDATE.finditer(text):
        compact = re.sub(r"[ \t]", "", cand.group(0)).upper()
        m = _CASE.match(compact)
        if m:
            return f"AS{m.group(1)}{m.group(2)}{m.group(3)}", cand.span()
    return None


def _find_order(text: str, compiled: Sequence[re.Pattern[str]]) -> tuple[str, tuple[int, int]] | None:
    """The leftmost order number in normalised, chunk-joined text, with its span."""
    best: tuple[str, tuple[int, int]] | None = None
    for pattern in compiled:
        for m in pattern.finditer(text):
            value = m.group(1) if pattern.groups else m.group(0)
            if _PHONE.fullmatch(value):
                continue  # a phone number: try this pattern's next match
            if best is None or m.start() < best[1][0]:
                best = (value.upper(), m.span())
            break
    return best


def split_numbers(text: str, compiled: Sequence[re.Pattern[str]]) -> tuple[str | None, str | None, str]:
    """(order_no, case_no, rest): the numbers found in `text` and the normalised text without them.

    `compiled` are order-number patterns (see `compile_order_patterns`). The matcher classifies
    `rest`, so a number's digits never look like words.
    """
    rest = normalise(text)
    if _DIGIT.search(rest) is None:  # most messages: no chunked number and no case number to look for
        if compiled is _DEFAULT_COMPILED:  # nor an order number: every default pattern needs digits
            return None, None, rest
        case = None
    else:
        rest = _join_chunks(rest)
        case = _find_case(rest)
    if case:
        start, end = case[1]
        rest = f"{rest[:start]} {rest[end:]}"
    order = _find_order(rest, compiled)
    if order is None or not _SEPARATOR.search(rest[order[1][0]:order[1][1]]):
        # a number the patterns took without its letters (or missed) may have been typed with a space or
        # dash after them; a match that holds a separator is the shop's pattern's own form ("JD-...")
        joined = _LETTERED.sub(_join_lettered, rest) if "-" in rest or _LETTERED_GAP.search(rest) else rest
        lettered = _find_order(joined, compiled) if joined != rest else None
        if lettered is not None:
            rest, order = joined, lettered
    if order:
        start, end = order[1]
        rest = f"{rest[:start]} {rest[end:]}"
    return (order[0] if order else None), (case[0] if case else None), rest


def compile_order_patterns(patterns: Sequence[str] | None = None) -> tuple[re.Pattern[str], ...]:
    """Compile order-number regexes once; None means DEFAULT_ORDER_PATTERNS (compiled at import, the
    tuple `split_numbers` knows needs digits)."""
    return _DEFAULT_COMPILED if patterns is None else tuple(re.compile(p) for p in patterns)


def extract_order_no(text: str, patterns: Sequence[str] | None = None) -> str | None:
    """The first order number in `text` (half-width, no spaces, letters upper-case), or None."""
    return split_numbers(text, compile_order_patterns(patterns))[0]


def extract_case_no(text: str) -> str | None:
    """The first after-sales case number in `text`, e.g. "AS20261123-0001", or None."""
    found = _find_case(_join_chunks(normalise(text)))
    return found[0] if found else None
