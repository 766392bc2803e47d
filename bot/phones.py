"""Phone numbers: one normal form to compare them, one masked form to show them to staff."""

from __future__ import annotations

import unicodedata

#: The only digits a phone number is made of; `str.isdigit` would also take ² or ٣, which no phone has.
ASCII_DIGITS = frozenset("0123456789")


def ascii_form(phone: str) -> str:
    """`phone` with full-width characters (１３８, ＋, －, typed by a Chinese input method) made ASCII
    (their NFKC form); every other character left as it is, so a superscript or another script's digit
    stays what it is and is not read as a digit."""
    return "".join(unicodedata.normalize("NFKC", ch) if "\uff01" <= ch <= "\uff5e" or ch == "\u3000" else ch
                   for ch in phone)


def normal_phone(phone: str | None) -> str | None:
    """Digits only, without China's +86: "+86 138-0013-8000", "１３８００１３８０００" and "13800138000"
    are the same phone."""
    digits = "".join(ch for ch in ascii_form(phone or "") if ch in ASCII_DIGITS)
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return digits or None


def same_phone(one: str | None, other: str | None) -> bool:
    """The same real number once normalised: two missing or unreadable numbers are not the same phone."""
    mine = normal_phone(one)
    return mine is not None and mine == normal_phone(other)


def mask_phone(phone: str | None) -> str | None:
    """138****5678: enough to confirm with the customer, useless if the screen is seen by others."""
    if not phone:
        return None
    digits = phone.strip()
    return digits[:3] + "****" + digits[-4:] if len(digits) >= 8 else "****"
