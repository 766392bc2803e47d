"""Make customer text safe to store and show, once, where it enters the bot.

Text reaches us from JSON (which may carry `\\u0000` or a lone `\\ud800`) and from platform XML. A
NUL byte is refused by PostgreSQL, a lone surrogate cannot be encoded as UTF-8 at all, and other
control characters only garble the console; one such message used to fail the shared group commit
of everyone's messages. So control characters other than tab and line breaks are dropped, and a
lone surrogate becomes U+FFFD (the replacement character), as a UTF-8 decoder would show it.
"""

from __future__ import annotations

import re

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def clean_text(text: str) -> str:
    """`text` without control characters (tab, CR and LF kept) and with lone surrogates replaced."""
    if _UNSAFE.search(text) is None:  # the usual case costs one scan
        return text
    return _SURROGATE.sub("\ufffd", _CONTROL.sub("", text))
