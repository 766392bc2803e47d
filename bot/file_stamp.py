"""A file's version as the file system tells it, to notice an edit without reading the file again: the
intent matcher's files (bot/intents.py) and the topics file (handlers/topics.py)."""

from __future__ import annotations

from pathlib import Path


def file_stamp(path: Path) -> tuple[int, int] | None:
    """The file's modification time and size, None when there is no such file."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return stat.st_mtime_ns, stat.st_size
