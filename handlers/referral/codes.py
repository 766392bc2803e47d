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

import asyncio
import base64
import hmac
import os
import re
import secrets
from hashlib import sha256
from pathlib import Path

from bot.config import DATA_DIR, Settings
from bot.db import is_sqlite
from bot.errors import ConfigError

NONCE_BYTES = 5  # 8 base32 characters
TAG_CHARS = 10
CODE_PATTERN = re.compile(r"[a-z2-7]{18}")
SECRET_FILE = "referral_secret"

_secrets: dict[str, bytes] = {}


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
    if settings.referral_secret:
        return settings.referral_secret.encode("utf-8")
    if not is_sqlite(settings.database_url):
        raise SecretMissing("invalid setting REFERRAL_SECRET: required with PostgreSQL (shared by every host)")
    path = secret_path(settings.database_url)
    cached = _secrets.get(str(path))
    if cached is None:
        cached = _secrets[str(path)] = await asyncio.to_thread(_read_or_create, path)
    return cached


def secret_path(database_url: str) -> Path:
    database = database_url.removeprefix("sqlite://")
    directory = DATA_DIR if database in ("", ":memory:") else Path(database).parent
    return directory / SECRET_FILE


def _read_or_create(path: Path) -> bytes:
    """Write a fresh key to a private temporary file and link it into place: the link is atomic, so
    two workers starting together end up with the same key, and nobody ever reads a half-written one."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{SECRET_FILE}.{secrets.token_hex(4)}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(secrets.token_hex(32).encode("ascii"))
        try:
            os.link(draft, path)
        except FileExistsError:  # another worker won the race: use theirs
            pass
        finally:
            draft.unlink()
    return path.read_bytes().strip()
