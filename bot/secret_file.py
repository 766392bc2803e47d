"""Server secrets generated once into a file beside the SQLite database (one host, nothing to set).

With PostgreSQL several hosts must agree on a secret, so the setting is required there and this is
not used. Used by referral card codes (docs/referral.md) and web-chat visitor tokens (docs/webchat.md).
"""

from __future__ import annotations

import asyncio
import os
import secrets
from pathlib import Path

from bot.config import PROJECT_ROOT

_cache: dict[str, bytes] = {}


def path_beside_database(database_url: str, name: str) -> Path:
    database = database_url.removeprefix("sqlite://")
    directory = PROJECT_ROOT / "data" if database in ("", ":memory:") else Path(database).parent
    return directory / name


async def read_or_create(path: Path) -> bytes:
    """The secret in `path`, created on first use; read once per process."""
    cached = _cache.get(str(path))
    if cached is None:
        cached = _cache[str(path)] = await asyncio.to_thread(_read_or_create, path)
    return cached


def _read_or_create(path: Path) -> bytes:
    """Write a fresh key to a private temporary file (mode 0600) and link it into place: the link is
    atomic, so two workers starting together end up with the same key, and nobody ever reads a
    half-written one."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
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
