"""The Official Account's parametric follow QR codes, as a narrow service for areas (referral cards).

A code names a scene; a customer who scans it and follows arrives with that scene in their
`subscribe` (or `scan`) event. Only the WeChat Official Account has them: `available` says whether it
runs here, so an area can leave the code off a card instead of reaching for the channel's client.
Built by `Runtime.open` (`runtime.follow_codes`) over the WeChat channel's API client, so calls share
its access token, timeouts and error reasons.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from bot.errors import DeliveryFailed

if TYPE_CHECKING:
    from bot.channels.base import Channel

FOLLOW_CHANNEL = "wechat"


class FollowCodes:
    def __init__(self, channels: Mapping[str, Channel]) -> None:
        self.channels = channels

    @property
    def available(self) -> bool:
        """Whether the shop's Official Account runs here (WeChat configured)."""
        return getattr(self.channels.get(FOLLOW_CHANNEL), "api", None) is not None

    async def create(self, scene: str, *, expire_seconds: int | None = None) -> str | None:
        """The URL the new code encodes (None when WeChat's answer has none): temporary for
        `expire_seconds`, else permanent (WeChat allows an account 100,000 of those). Raises
        `ChannelError` when WeChat refuses, `DeliveryFailed("no_follow_channel")` when it does not run here."""
        api = getattr(self.channels.get(FOLLOW_CHANNEL), "api", None)
        if api is None:
            raise DeliveryFailed("no_follow_channel")
        url = (await api.create_qrcode(scene, expire_seconds=expire_seconds)).get("url")
        return url if isinstance(url, str) and url else None
