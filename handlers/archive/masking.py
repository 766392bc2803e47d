"""Phones and addresses as staff see them by default: masked (docs/rules.md R-ARCHIVE-8).

Revealing the full value is a separate, logged action (`POST /api/archive/{id}/reveal`).
"""

from __future__ import annotations

from bot.phones import mask_phone

ADDRESS_KEPT = 6  # province and city, enough to tell a parcel's region


def mask_address(address: str | None) -> str | None:
    if not address:
        return None
    return address[:ADDRESS_KEPT] + "****" if len(address) > ADDRESS_KEPT else "****"


__all__ = ["mask_address", "mask_phone"]
