"""A table's own indexes as the database holds them, for the tests of migrations that add or change one."""

from __future__ import annotations

from tortoise import connections


async def table_indexes(url: str, table: str) -> dict[str, str]:
    """`table`'s indexes other than those of its key and unique constraints: name → the SQL that made it
    (SQLite keeps no SQL for a constraint's index; PostgreSQL names it as the constraint)."""
    client = connections.get("default")
    if url.startswith("sqlite"):
        rows = await client.execute_query_dict(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL", [table])
        return {row["name"]: row["sql"] for row in rows}
    rows = await client.execute_query_dict(
        "SELECT indexname AS name, indexdef AS sql FROM pg_indexes WHERE tablename = $1 "
        "AND indexname NOT IN (SELECT conname FROM pg_constraint)", [table])
    return {row["name"]: row["sql"] for row in rows}
