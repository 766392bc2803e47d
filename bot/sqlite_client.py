"""Tortoise's SQLite client with reads on their own connections (the embedded default's engine).

Tortoise gives SQLite one connection, one aiosqlite thread and one lock, so every query of every
conversation waits for the one before it, and each takes a trip to that thread and back through
the event loop. Under load the reads of one customer queued behind the group-commit writes and the
first-contact transactions of others: a quarter of a second at 50 concurrent senders
(docs/performance.md). In WAL mode readers never block the writer nor each other, so a SELECT
outside a transaction runs on one of `READERS` extra connections (an idle one when there is one);
everything else (writes, DDL, and every statement inside a transaction, which runs on the
transaction's own wrapper of the writing connection) stays where it was. A read sees every commit
made before it starts, as on the writing connection. An in-memory database gets no readers: other
connections would not see it.
"""

from __future__ import annotations

import asyncio
import itertools
import sqlite3
from collections.abc import Sequence
from typing import Any

import aiosqlite
from tortoise.backends.sqlite.client import SqliteClient, translate_exceptions

READERS = 3
READER_PRAGMAS = ("busy_timeout", "foreign_keys")


class ReadPoolSqliteClient(SqliteClient):
    def __init__(self, file_path: str, **kwargs: Any) -> None:
        super().__init__(file_path, **kwargs)
        self._readers: list[tuple[asyncio.Lock, aiosqlite.Connection]] = []
        self._turns = itertools.count()

    async def create_connection(self, with_db: bool) -> None:
        await super().create_connection(with_db)
        if self._readers or self.filename == ":memory:":
            return
        for _ in range(READERS):
            reader = await aiosqlite.connect(self.filename, isolation_level=None)
            reader._conn.row_factory = sqlite3.Row  # as the writing connection (aiosqlite has no setter)
            for pragma in READER_PRAGMAS:
                if pragma in self.pragmas:
                    await reader.execute(f"PRAGMA {pragma}={self.pragmas[pragma]}")
            self._readers.append((asyncio.Lock(), reader))

    async def close(self) -> None:
        readers, self._readers = self._readers, []
        for _, reader in readers:
            await reader.close()
        await super().close()

    async def execute_query(self, query: str, values: list | None = None) -> tuple[int, Sequence[dict]]:
        if not self._reads(query):
            return await super().execute_query(query, values)
        rows = await self._read(query, values)
        return len(rows), rows

    async def execute_query_dict(self, query: str, values: list | None = None) -> list[dict]:
        if not self._reads(query):
            return await super().execute_query_dict(query, values)
        return list(map(dict, await self._read(query, values)))

    def _reads(self, query: str) -> bool:
        return bool(self._readers) and query.lstrip()[:6].upper() == "SELECT"

    @translate_exceptions
    async def _read(self, query: str, values: list | None) -> list[Any]:
        lock, reader = self._idle_reader()
        async with lock:
            self.log.debug("%s: %s", query, values)
            return list(await reader.execute_fetchall(query.replace("\x00", "'||CHAR(0)||'"), values))

    def _idle_reader(self) -> tuple[asyncio.Lock, aiosqlite.Connection]:
        for lock, reader in self._readers:
            if not lock.locked():
                return lock, reader
        return self._readers[next(self._turns) % len(self._readers)]


client_class = ReadPoolSqliteClient
