"""Fixed, parameterised SELECTs for reads on a message's path, run on the ORM's own connection.

Every ORM query is built anew by pypika for each message (copying the query builder, resolving the
filters, quoting): on the embedded default that costs more of the event loop than SQLite answering
(docs/performance.md, "Areas' reads on the message path"). A `Prebuilt` statement is written once,
with `?` placeholders, and sent as is to SQLite or with `$1..$n` to PostgreSQL; the values always
travel as parameters, never in the text. Rows come back as the driver gives them (mapping-like:
`row["column"]`), and `load` turns one into a model instance the way the ORM does, so the fields
read the same as through a queryset.

Only for statements whose every value is a plain string or integer, or a value each driver stores
exactly as the ORM would (an aware datetime written as is: tortoise's sqlite3 adapter and asyncpg's
timestamptz; tests/test_conversation.py reads one back). An aware UTC datetime compared with a
column travels as the ORM's filter sends it too (tests/test_referral_active_campaign.py holds the two
equal at the boundaries); filters on JSON, and datetimes in other zones, stay with the ORM.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.context import require_context
from tortoise.fields import DatetimeField
from tortoise.models import Model

M = TypeVar("M", bound=Model)

PLACEHOLDER = re.compile(r"\?")


class Prebuilt:
    """One statement, written on first use (the models' columns are known once the ORM is open) with
    `?` placeholders, numbered `$1..$n` for PostgreSQL."""

    def __init__(self, write: Callable[[], str], returning: bool = False,
                 postgres: Callable[[], str] | None = None) -> None:
        """`returning`: an INSERT, UPDATE or DELETE whose RETURNING rows are wanted (tortoise's
        PostgreSQL client drops them from `execute_query`, so they are fetched as dicts).
        `postgres`: the statement PostgreSQL runs instead (a data-modifying CTE doing what SQLite
        needs two statements for), with the same placeholders in the same order."""
        self._write = write
        self._texts: dict[str, str] = {}
        self._returning = returning
        self._postgres = postgres

    def text_for(self, dialect: str) -> str:
        text = self._texts.get(dialect)
        if text is None:
            text = (self._postgres or self._write)() if dialect == "postgres" else self._write()
            if dialect == "postgres":
                numbers = itertools.count(1)
                text = PLACEHOLDER.sub(lambda _: f"${next(numbers)}", text)
            self._texts[dialect] = text
        return text

    async def rows(self, *values: Any) -> Sequence[Mapping[str, Any]]:
        client = default_connection()
        dialect = client.capabilities.dialect
        if self._returning and dialect == "postgres":
            return await client.execute_query_dict(self.text_for(dialect), list(values))
        _, rows = await client.execute_query(self.text_for(dialect), list(values))
        return rows


def default_connection() -> BaseDBAsyncClient:
    """`connections.get("default")`: the ORM's connection, or the current task's transaction's, as tortoise
    resolves it (its context, then the connection the task's transaction set), without the module-level
    proxy's way there (an attribute lookup that fails first, then an import statement, each call): 0.5
    against 2.0 µs, for every statement on a message's path (docs/performance.md "Fourteenth round")."""
    return require_context().connections.get("default")


def columns(model: type[Model], alias: str, prefix: str = "") -> str:
    """The model's columns as `alias.column`, each named `prefix + column` in the result; with an
    empty `alias`, unqualified (an UPDATE's RETURNING)."""
    qualifier = f"{alias}." if alias else ""
    return ", ".join(f'{qualifier}"{column}" AS "{prefix}{column}"' for column in _columns(model))


def load(model: type[M], row: Mapping[str, Any], prefix: str = "") -> M:
    """A model instance from a row selected with `columns(model, alias, prefix)` (SQLite's datetimes
    parsed first, `datetime_value`)."""
    times = _datetime_columns(model)
    return model._init_from_db(**{column: _parsed(row[prefix + column]) if column in times else row[prefix + column]
                                  for column in _columns(model)})


def datetime_value(field: DatetimeField, value: Any) -> datetime | None:
    """A datetime column's value as the ORM's `field` loads it. SQLite gives the text the ORM wrote
    ("YYYY-MM-DD HH:MM:SS[.ffffff]+00:00"), which the field parses with the `iso8601` package in Python
    (8 µs: a 留言's promise, an escalation's queue time, a referral campaign's dates, on a message's
    path); parsed here by `datetime.fromisoformat`, in C, the field then converts the datetime as it
    converts its own parse (its zone, or made aware): the same value (tests/test_prebuilt_datetimes.py)."""
    return field.to_python_value(_parsed(value))


def _parsed(value: Any) -> Any:
    """SQLite's text of a datetime as a datetime; any other value (PostgreSQL's datetimes, None), or a
    text `fromisoformat` refuses, as it is (left to the field's own parser)."""
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return value
    return value


@functools.cache
def _columns(model: type[Model]) -> Sequence[str]:
    """Every column of the model's table, foreign keys' `*_id` included."""
    return tuple(model._meta.fields_db_projection.values())


@functools.cache
def _datetime_columns(model: type[Model]) -> frozenset[str]:
    """The model's datetime columns (`load` parses them)."""
    return frozenset(field.source_field or name for name, field in model._meta.fields_map.items()
                     if isinstance(field, DatetimeField))
