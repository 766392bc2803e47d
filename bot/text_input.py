"""Make customer text safe to store and show, once, where it enters the bot.

Text reaches us from JSON (which may carry `\\u0000` or a lone `\\ud800`) and from platform XML. A
NUL byte is refused by PostgreSQL, a lone surrogate cannot be encoded as UTF-8 at all, and other
control characters only garble the console; one such message used to fail the shared group commit
of everyone's messages. So control characters other than tab and line breaks are dropped, and a
lone surrogate becomes U+FFFD (the replacement character), as a UTF-8 decoder would show it.
"""

from __future__ import annotations

import re
import unicodedata

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def clean_text(text: str) -> str:
    """`text` without control characters (tab, CR and LF kept) and with lone surrogates replaced."""
    if _UNSAFE.search(text) is None:  # the usual case costs one scan
        return text
    return _SURROGATE.sub("\ufffd", _CONTROL.sub("", text))


#: Letters that draw nothing: the Hangul fillers (a "blank name" in chat apps) and the blank braille cell.
BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def visible(text: str) -> bool:
    """Whether `text` shows the reader anything: a letter, number, punctuation mark or symbol that draws
    something. Spaces, format characters (a zero-width space, a BOM, a direction mark, a soft hyphen),
    combining marks alone, control characters or blank fillers show nothing: such a customer message is
    as empty as a blank one, and such an agent's reply would close a 留言 unseen."""
    return any(unicodedata.category(ch)[0] in "LNPS" and ch not in BLANK_LETTERS for ch in text)
