"""What a client can put in JSON is checked here once for every API.

Bodies nested too deep for the parser, integers too long to convert, and text no database column can
hold (NUL, unpaired surrogates) are refused with 400 instead of failing later inside a handler or a
shared commit. `dumps` keeps Chinese readable in what is written (no \\u escapes).
"""

from __future__ import annotations

import re
from typing import Any

from bot.web.problems import ApiError, dumps

__all__ = ["check_storable", "dumps", "storable"]

#: NUL (PostgreSQL text cannot hold it) and UTF-16 surrogates (never valid on their own in text).
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable(text: str) -> bool:
    return UNSTORABLE.search(text) is None


def check_storable(value: Any) -> None:
    """400 `invalid_text` when any string in `value` (keys included) holds NUL or an unpaired surrogate.

    Iterative, so a body nested as deep as the parser allows cannot exhaust the stack here.
    """
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if not storable(item):
                raise ApiError(400, "invalid_text", "text must not contain NUL characters or unpaired surrogates")
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
