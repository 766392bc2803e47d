"""One body per signed WeChat query string: a captured request cannot be replayed with new content.

WeChat signs only `token`, `timestamp` and `nonce`, never the body (plaintext mode) nor the `openid`
query parameter, so without more a captured query string could carry any message from anyone. The
timestamp window (`wechat_protocol.timestamp_fresh`, ±5 minutes in both modes) bounds how long a
query string is usable at all; inside it, this cache binds each `timestamp:nonce` to the digest of
the first body it came with (SET NX in the shared store, kept a little longer than the whole window
so it outlives every timestamp it could accept). WeChat's own retry re-posts the very same request,
so the same body passes (and meets the delivery dedupe); another body, or another openid, is a 403.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from bot.channels.wechat_protocol import TIMESTAMP_WINDOW_S
from bot.errors import BadRequest
from bot.store.base import Claim, Store

#: A nonce is remembered for the whole span of timestamps the window accepts (past and future), plus a margin.
NONCE_TTL_S = 2 * TIMESTAMP_WINDOW_S + 60


class Nonces:
    def __init__(self, store: Store) -> None:
        self.store = store

    def claim(self, query: Mapping[str, str], body: bytes, from_user: str) -> Claim:
        """The claim binding this signed query string to this body, taken with the delivery's own
        (`Deliveries.enter`, one store command): refused when the query string came with another body.
        An `openid` parameter that names someone other than the message's sender is refused here (403)."""
        openid = query.get("openid")
        if openid is not None and openid != from_user:
            raise BadRequest("openid does not match FromUserName", 403)
        key = self.store.keys("wechat-nonce", query.get("timestamp", ""), query.get("nonce", ""))
        return Claim(key, hashlib.sha256(body).hexdigest(), NONCE_TTL_S, same_value_passes=True)


#: The 403's reason when the nonce claim is refused.
REUSED = "this signed request was already used"
