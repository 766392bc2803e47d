"""Fitted intent models kept on disk, keyed by a hash of everything their fit depends on.

Start-up must stay short (docs/intents.md): fitting the general model means normalising thousands
of written messages (about a second), and fitting a shop's correction means classifying every
learned example with the general matcher and a few epochs of SGD (about two seconds for a thousand).
Every worker of a shop, and every restart, would repeat the same fit on the same data; a file per
hash saves it. These are our own files in our own data directory, so pickle is safe here; a cache
that cannot be read or written is only slower, never wrong (the key changes with the data).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import marshal
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any, TypeVar

from bot.jieba_import import jieba

log = logging.getLogger("csbot.intents")
KEEP = 8  # files kept per kind (the newest): tests and tools fit models of other data too
T = TypeVar("T")


def key_of(*parts: Any) -> str:
    """A short hash of `parts` (their repr: lists, tuples, dicts and strings of the data)."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:24]


class FitCache:
    """`intent-<kind>-<key>.pickle` files in one directory (None: nothing is kept)."""

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory

    def _path(self, kind: str, key: str) -> Path | None:
        return self.directory / f"intent-{kind}-{key}.pickle" if self.directory else None

    def load(self, kind: str, key: str, expected: type[T]) -> T | None:
        path = self._path(kind, key)
        if path is None or not path.exists():
            return None
        try:
            value = pickle.loads(path.read_bytes())
        except Exception as exc:  # a damaged file raises nearly anything; refitting is always right
            log.warning("intent %s cache %s unreadable (%s): fitting again", kind, path.name, type(exc).__name__)
            return None
        return value if isinstance(value, expected) else None

    def holds(self, kind: str, key: str) -> bool:
        """Whether a fit is kept under `key` (the newest KEEP of a kind are)."""
        path = self._path(kind, key)
        return path is not None and path.exists()

    def remove(self, kind: str, key: str) -> None:
        """Drop the fit kept under `key` (a benchmark's own, which helps nobody after it)."""
        path = self._path(kind, key)
        if path is not None:
            path.unlink(missing_ok=True)

    def save(self, kind: str, key: str, value: object) -> None:
        path = self._path(kind, key)
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
            # a file of its own per writer (workers of a shop fit the same key at once), renamed whole
            fd, partial = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".partial")
            try:
                with os.fdopen(fd, "wb") as file:
                    file.write(data)
                os.replace(partial, path)
            except BaseException:
                Path(partial).unlink(missing_ok=True)
                raise
            stale = sorted(path.parent.glob(f"intent-{kind}-*.pickle"), key=lambda p: p.stat().st_mtime)
            for old in stale[:-KEEP]:  # fits of data edited since
                old.unlink(missing_ok=True)
        except OSError as exc:
            log.warning("intent %s cache %s not written (%s)", kind, path, exc)


def load_jieba_dictionary(tokenizer: jieba.Tokenizer | None = None) -> bool:
    """Load jieba's default dictionary from the cache file jieba itself writes (`jieba.cache` in its
    temporary directory), reading the file whole; whether it was loaded (otherwise `jieba.initialize`
    builds the dictionary and writes that file, the first time on a machine).

    jieba reads the same file with `marshal.load(file)`, which fetches each of its ~500,000 entries
    through the file object: about 1 s of CPU, a third of a worker's start-up (docs/intents.md,
    "Start-up and learning"). `marshal.loads` of the bytes builds the same dictionary in about 0.35 s.
    Only jieba's default dictionary and default cache file name are taken this way; anything else is
    left to jieba. `tokenizer`: jieba's default one unless given.

    This relies on jieba internals (checked with jieba 0.42.1, tests/test_teaching_startup.py): the
    cache file's name `jieba.cache` in `tmp_dir` (or the system's temporary directory), its format (a
    marshal dump of the tuple (FREQ, total)), and the tokenizer's attributes `lock`, `initialized`,
    `tmp_dir`, `cache_file`, `dictionary`, `FREQ` and `total`. Should a jieba release change them, the
    file no longer reads as that tuple (nothing is loaded, jieba builds its dictionary its own way) or
    the test comparing the dictionary with jieba's own reading fails."""
    tokenizer = tokenizer or jieba.dt
    if tokenizer.initialized or tokenizer.dictionary != jieba.DEFAULT_DICT or tokenizer.cache_file:
        return False
    path = Path(tokenizer.tmp_dir or tempfile.gettempdir()) / "jieba.cache"
    with contextlib.suppress(OSError, EOFError, ValueError, TypeError), tokenizer.lock:
        freq, total = marshal.loads(path.read_bytes())
        if isinstance(freq, dict) and isinstance(total, int):
            tokenizer.FREQ, tokenizer.total = freq, total
            tokenizer.initialized = True
            return True
    return False
