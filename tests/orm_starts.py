"""Tortoise's model set-up, done once per kind of database instead of at every bot start of the run.

Every `Tortoise.init` finalises every model again (`Apps._build_initial_querysets`): for each of our
40 models it rebuilds the lookup table of its filters (12,698 entries in all, each looked up in the
database kind's overrides) and the model's base queries. A test process starts a bot, or opens the
ORM, again and again, and this set-up was most of each start's CPU (about 6.5 of 10 ms on SQLite;
a production process starts once). Its results depend only on the model's own definition and on the kind of
database, so here they are kept and handed back, and checked every time against what they were
made from: the filters by the very entries they were built from (a model whose entries changed is
built again), the base queries by the client's query class, table and columns. What a start then
does is the same ORM state, not a different code path: `tests/test_orm_starts.py` compares the two
on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pypika_tortoise import Table
from tortoise.apps import Apps
from tortoise.models import MetaInfo

#: Tortoise's own set-up, for the test comparing the two.
TORTOISE_GENERATE_FILTERS = MetaInfo._generate_filters
TORTOISE_BUILD_INITIAL_QUERYSETS = Apps._build_initial_querysets

_filters_made: dict[tuple[type, type], tuple[tuple[Any, ...], dict[str, Any]]] = {}
_queries_made: dict[tuple[Any, ...], tuple[Any, Any, Any]] = {}


def _generate_filters(meta: MetaInfo, generate: Any) -> None:
    """`MetaInfo._generate_filters`, from memory when the model's filter entries are the same objects."""
    key = (meta._model, meta.db.executor_class)
    sources = tuple(meta._filters.values())  # held, so no entry's identity can be reused by another
    made = _filters_made.get(key)
    if made is not None and made[0] == sources:
        meta.filters = dict(made[1])
        return
    generate(meta)
    _filters_made[key] = (sources, dict(meta.filters))


def _build_initial_querysets(apps: Apps) -> None:
    """`Apps._build_initial_querysets`, each model's base queries (copied by every query that uses
    them, never changed) from memory when its table, columns and the client's query class are the same."""
    for app in apps.apps.values():
        for model in app.values():
            meta = model._meta
            meta.finalise_model()
            query_class = meta.db.query_class
            key = (query_class, meta.db_table, meta.schema, tuple(meta.db_fields))
            made = _queries_made.get(key)
            if made is None:
                table = Table(name=meta.db_table, schema=meta.schema)
                basequery = query_class.from_(table)
                made = _queries_made[key] = (table, basequery, basequery.select(*meta.db_fields))
            meta.basetable, meta.basequery, meta.basequery_all_fields = made


@contextmanager
def model_setup_remembered() -> Iterator[None]:
    """While the block runs, every `Tortoise.init` of this process reuses the model set-up made before."""
    MetaInfo._generate_filters = lambda meta: _generate_filters(meta, TORTOISE_GENERATE_FILTERS)  # type: ignore[method-assign]
    Apps._build_initial_querysets = _build_initial_querysets  # type: ignore[method-assign]
    try:
        yield
    finally:
        MetaInfo._generate_filters = TORTOISE_GENERATE_FILTERS  # type: ignore[method-assign]
        Apps._build_initial_querysets = TORTOISE_BUILD_INITIAL_QUERYSETS  # type: ignore[method-assign]
