"""Web-chat visitor identity: the server names every visitor and signs the name (docs/webchat.md).

A visitor token is `<visitor id>.<tag>`: the id (`v` + 24 random URL-safe characters, or
`shop-<customer id>` for a customer the shop's own site vouched for) and 32 characters of an
HMAC-SHA256 of it under the server's `WEBCHAT_SECRET`. Nobody without the secret can make a token
for an id, so a made-up or borrowed id proves nothing: every web-chat POST, photo upload and
WebSocket must carry a token (`X-Visitor-Token` header; `token` query parameter on the WebSocket,
which browsers cannot give headers), and its id is the conversation's.

Identity verification (as support widgets do it): the shop's site, where the customer is logged in,
opens the chat with `customer_id` and `customer_sig` = hex HMAC-SHA256 of the id under
`WEBCHAT_IDENTITY_SECRET`; the chat then speaks as `shop-<customer id>`, so orders imported with
buyer `webchat:shop-<customer id>` are that customer's without asking for a phone number.

The secret follows REFERRAL_SECRET's rule: required with PostgreSQL, generated once into
`webchat_secret` beside the SQLite database otherwise.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

from bot.config import Settings
from bot.db import is_sqlite
from bot.errors import ConfigError
from bot.secret_file import path_beside_database, read_or_create

TOKEN_HEADER = "X-Visitor-Token"
VISITOR_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
CUSTOMER_ID = re.compile(r"[A-Za-z0-9_-]{1,58}")
VERIFIED_PREFIX = "shop-"
SECRET_FILE = "webchat_secret"
TAG_CHARS = 32
_TAG = re.compile(rf"[A-Za-z0-9_-]{{{TAG_CHARS}}}")
_HEX_SHA256 = re.compile(r"[0-9a-fA-F]{64}")


class SecretMissing(ConfigError):
    """PostgreSQL without WEBCHAT_SECRET: the web chat refuses visitors rather than use a per-host key."""


async def webchat_secret(settings: Settings) -> bytes:
    if settings.webchat_secret:
        return settings.webchat_secret.encode("utf-8")
    if not is_sqlite(settings.database_url):
        raise SecretMissing("invalid setting WEBCHAT_SECRET: required with PostgreSQL (shared by every host)")
    return await read_or_create(path_beside_database(settings.database_url, SECRET_FILE))


def new_visitor_id() -> str:
    return "v" + secrets.token_urlsafe(18)


class VisitorTokens:
    def __init__(self, secret: bytes, identity_secret: bytes | None = None) -> None:
        self._secret = secret
        self._identity_secret = identity_secret

    def _tag(self, visitor_id: str) -> str:
        digest = hmac.new(self._secret, b"webchat-visitor\x00" + visitor_id.encode("ascii"), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode("ascii")[:TAG_CHARS]

    def issue(self, visitor_id: str) -> str:
        if not VISITOR_ID.fullmatch(visitor_id):
            raise ValueError("a visitor id is 1-64 letters, digits, - or _")
        return f"{visitor_id}.{self._tag(visitor_id)}"

    def visitor_of(self, token: str) -> str | None:
        """The visitor a token names, or None when it is malformed or not signed by us."""
        visitor_id, dot, tag = token.partition(".")
        if not dot or not VISITOR_ID.fullmatch(visitor_id) or not _TAG.fullmatch(tag):
            return None
        return visitor_id if hmac.compare_digest(tag, self._tag(visitor_id)) else None

    @property
    def verifies_customers(self) -> bool:
        return self._identity_secret is not None

    def verified_visitor(self, customer_id: str, signature: str) -> str | None:
        """`shop-<customer id>` when the shop's site signed `customer_id`, else None."""
        if self._identity_secret is None or not CUSTOMER_ID.fullmatch(customer_id) \
                or not _HEX_SHA256.fullmatch(signature):
            return None
        expected = hmac.new(self._identity_secret, customer_id.encode("ascii"), hashlib.sha256).hexdigest()
        return VERIFIED_PREFIX + customer_id if hmac.compare_digest(signature.lower(), expected) else None
