"""Split a long answer into several messages (docs/rules.md R-TIME-3).

Channels limit a message by UTF-8 bytes (WeChat cuts text at about 2048 bytes, and a Chinese
character is 3 bytes), so the limit is in bytes. Cuts fall after sentence ends (。！？!?; and
newlines) so no sentence is torn; a single sentence longer than the limit is cut after a comma
or, failing that, at a character boundary.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

SENTENCE_END = re.compile(r"(?<=[。！？!?；;…\n])")
CLAUSE_END = re.compile(r"(?<=[，,、：:])")


def _size(text: str) -> int:
    return len(text.encode("utf-8"))


def _hard_cut(text: str, limit: int) -> list[str]:
    pieces, current, used = [], [], 0
    for char in text:
        width = _size(char)
        if used + width > limit and current:
            pieces.append("".join(current))
            current, used = [], 0
        current.append(char)
        used += width
    if current:
        pieces.append("".join(current))
    return pieces


def _units(text: str, limit: int) -> list[str]:
    """Sentences, with any sentence over the limit broken into clauses or raw chunks."""
    units: list[str] = []
    for sentence in filter(None, SENTENCE_END.split(text)):
        if _size(sentence) <= limit:
            units.append(sentence)
            continue
        for clause in filter(None, CLAUSE_END.split(sentence)):
            units.extend([clause] if _size(clause) <= limit else _hard_cut(clause, limit))
    return units


def split_message(text: str, limit: int = 2000) -> list[str]:
    """Pack sentences greedily into parts of at most `limit` UTF-8 bytes, keeping their order."""
    if limit < 4:
        raise ValueError("limit must hold at least one character")
    text = text.strip()
    if not text:
        return []
    if _size(text) <= limit:
        return [text]
    parts: list[str] = []
    current = ""
    for unit in _units(text, limit):
        if current and _size(current) + _size(unit) > limit:
            parts.append(current.strip())
            current = ""
        current += unit
    if current.strip():
        parts.append(current.strip())
    return [part for part in parts if part]


def pack(texts: Sequence[str], slots: int, limit: int) -> list[list[int]]:
    """Group consecutive texts (by index) so that at most `slots` messages carry them, none over `limit`
    bytes once joined by a newline: when the channel's send budget is short, a split answer is merged
    back rather than losing its end (docs/rules.md R-TIME-3). The smallest neighbours merge first;
    when no merge fits any more, more groups than `slots` remain and the last ones will be refused."""
    groups = [[index] for index in range(len(texts))]
    sizes = [_size(text) for text in texts]
    while len(groups) > max(slots, 1):
        joined = [sizes[a] + sizes[b] + 1 for a, b in zip(range(len(groups)), range(1, len(groups)), strict=False)]
        fitting = [(size, at) for at, size in enumerate(joined) if size <= limit]
        if not fitting:
            break
        size, at = min(fitting)
        groups[at:at + 2] = [groups[at] + groups[at + 1]]
        sizes[at:at + 2] = [size]
    return groups
