"""Card codes: random, and signed with the server's secret (docs/rules.md R-REF-2: unique, unforgeable).

A code is 8 random base32 characters followed by 10 characters of an HMAC-SHA256 tag over them:
nobody can guess a live code (40 random bits, and a guess must also carry a valid tag), and nobody
without the secret can make or alter one, so a tampered code is refused before any database
lookup. Codes are lower-case `[a-z2-7]`, safe in URLs and in WeChat's `scene_str`.

The secret comes from `REFERRAL_SECRET`. With SQLite (one host) an unset secret is generated once
into `referral_secret` beside the database file (mode 0600) and reused; with PostgreSQL several
hosts must agree on it, so it is required and `SecretMissing` is raised until it is set.
"""

from __future__ import annotations

import base64
import hmac
import re
import secrets
from hashlib import sha256
from pathlib import Path

from bot.config import Settings
from bot.db import is_sqlite
from bot.errors import ConfigError
from bot.secret_file import path_beside_database, read_or_create
from handlers.referral.settings import ReferralSettings

NONCE_BYTES = 5  # 8 base32 characters
TAG_CHARS = 10
CODE_PATTERN = re.compile(r"[a-z2-7]{18}")
SECRET_FILE = "referral_secret"


class SecretMissing(ConfigError):
    """PostgreSQL without REFERRAL_SECRET: referral cards stay off rather than use a per-host key."""


def _b32(raw: bytes) -> str:
    return base64.b32encode(raw).decode("ascii").rstrip("=").lower()


def _tag(secret: bytes, nonce: str) -> str:
    return _b32(hmac.new(secret, nonce.encode("ascii"), sha256).digest())[:TAG_CHARS]


def new_code(secret: bytes) -> str:
    nonce = _b32(secrets.token_bytes(NONCE_BYTES))
    return nonce + _tag(secret, nonce)


def is_genuine(code: str, secret: bytes) -> bool:
    """True when `code` is well formed and its tag is ours (constant-time comparison)."""
    if not CODE_PATTERN.fullmatch(code):
        return False
    nonce, tag = code[:-TAG_CHARS], code[-TAG_CHARS:]
    return hmac.compare_digest(tag, _tag(secret, nonce))


async def secret_key(settings: Settings) -> bytes:
    """The HMAC key for `settings` (see the module docstring); read or generated once per process."""
    configured = settings.area(ReferralSettings).secret
    if configured:
        return configured.encode("utf-8")
    if not is_sqlite(settings.database_url):
        raise SecretMissing("invalid setting REFERRAL_SECRET: required with PostgreSQL (shared by every host)")
    return await read_or_create(secret_path(settings.database_url))


def secret_path(database_url: str) -> Path:
    return path_beside_database(database_url, SECRET_FILE)
