"""The WeChat side of a campaign: parametric QR codes that name a card (template messages to
customers go through the `CustomerMessenger`, bot/messenger.py).

Codes are made by the runtime's `FollowCodes` (bot/follow_codes.py, over the WeChat channel's client);
this module only decides what to ask for and keeps what it got.

A card's QR code carries `scene_str` = `ref_<code>`. A friend who scans it and follows arrives with
a `subscribe` event whose EventKey is `qrscene_ref_<code>`; one who already follows, with `SCAN` and
`ref_<code>`. A campaign that ends within 30 days gets temporary codes (QR_STR_SCENE) that expire
with it and use no quota; a longer one gets permanent codes (QR_LIMIT_STR_SCENE: WeChat allows an
account 100,000 of them in all), because a temporary code dies after 30 days while the card
image keeps circulating in 朋友圈.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.errors import ChannelError
from models.referral import Campaign, ReferralCard

if TYPE_CHECKING:
    from bot.follow_codes import FollowCodes

log = logging.getLogger("csbot.referral")

SCENE_PREFIX = "ref_"
SUBSCRIBE_PREFIX = "qrscene_"
TEMPORARY_QR_LIMIT = timedelta(days=30)
#: A cached QR code this close to expiring is replaced rather than printed on a card.
QR_RENEW_BEFORE = timedelta(days=1)


def scene_code(event: str | None, event_key: str | None) -> str | None:
    """The card code a `subscribe`/`scan` event names, or None for a follow that names no card."""
    key = event_key or ""
    if event == "subscribe":
        if not key.startswith(SUBSCRIBE_PREFIX):
            return None
        key = key.removeprefix(SUBSCRIBE_PREFIX)
    elif event != "scan":
        return None
    return key.removeprefix(SCENE_PREFIX) if key.startswith(SCENE_PREFIX) else None


async def follow_qr_url(codes: FollowCodes, card: ReferralCard, campaign: Campaign, now: datetime) -> str | None:
    """What the card's Official Account QR code encodes, created once per card and kept; None on failure."""
    expires = card.wechat_qr_expires_at
    if card.wechat_qr_url and (expires is None or expires - QR_RENEW_BEFORE > now):
        return card.wechat_qr_url
    remaining = campaign.ends_at - now
    lifetime = int(remaining.total_seconds()) if remaining <= TEMPORARY_QR_LIMIT else None
    if lifetime is not None and lifetime <= 0:
        return None
    try:
        url = await codes.create(SCENE_PREFIX + card.code, expire_seconds=lifetime)
    except ChannelError as exc:
        log.warning("wechat QR code for card %s not created: %s", card.id, exc)
        return None
    if url is None:
        log.warning("wechat QR code for card %s: no url in the answer", card.id)
        return None
    card.wechat_qr_url = url
    card.wechat_qr_expires_at = now + timedelta(seconds=lifetime) if lifetime is not None else None
    await card.save(update_fields=["wechat_qr_url", "wechat_qr_expires_at"])
    return url

