"""How a customer's name appears to other people: on the honour board, the landing page, a welcome.

The shop chooses (`REFERRAL_BOARD_NAMES`): `masked` 张*丰 (the honour board shows names, R-REF-10; masking
keeps a stranger from learning a full name), `initial` 张**, or `full`. A customer without a name
is shown by the last digits of their phone, or as an anonymous customer, in the shop's wording.
"""

from __future__ import annotations

from bot.templates import Templates
from models.customer import Customer

PHONE_TAIL = 4


def mask(name: str, style: str) -> str:
    if style == "full" or len(name) <= 1:
        return name
    if style == "initial" or len(name) == 2:
        return name[0] + "*" * (len(name) - 1)
    return name[0] + "*" * (len(name) - 2) + name[-1]


def public_name(customer: Customer, style: str, templates: Templates) -> str:
    if customer.name and customer.name.strip():
        return mask(customer.name.strip(), style)
    digits = "".join(ch for ch in customer.phone or "" if ch.isdigit())
    if len(digits) > PHONE_TAIL:
        return templates.render("referral.anonymous_phone", {"tail": digits[-PHONE_TAIL:]})
    return templates.render("referral.anonymous")
