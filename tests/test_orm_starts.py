"""The model set-up the suite remembers between bot starts (tests/orm_starts.py) is the one Tortoise makes."""

from __future__ import annotations

import hashlib
import inspect
from functools import partial
from typing import Any

import pytest
from tortoise import Tortoise
from tortoise.apps import Apps
from tortoise.models import MetaInfo

from bot.db import close_database, open_database
from tests import orm_starts


def _comparable(filter_info: dict[str, Any]) -> dict[str, Any]:
    """A filter with its operator as what it does: PostgreSQL's executor makes each of its operators a
    new `functools.partial`, equal to another only when it is the same object."""
    operator = filter_info["operator"]
    if isinstance(operator, partial):
        operator = (operator.func, operator.args, operator.keywords)
    return {**filter_info, "operator": operator}


def _model_setup() -> dict[str, Any]:
    """Each model's filters and base queries (as SQL) as the open ORM has them."""
    return {
        name: (
            {key: _comparable(info) for key, info in model._meta.filters.items()},
            model._meta.basetable.get_table_name(),
            str(model._meta.basequery),
            str(model._meta.basequery_all_fields),
        )
        for app in Tortoise.apps.values()
        for name, model in app.items()
    }


async def test_a_start_after_the_first_gets_the_setup_tortoise_makes(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for _ in range(2):  # the second start comes from memory (the session remembers: conftest.py)
        await open_database(database_url, apply_schema=False)
        remembered = _model_setup()
        await close_database()
    monkeypatch.setattr(MetaInfo, "_generate_filters", orm_starts.TORTOISE_GENERATE_FILTERS)
    monkeypatch.setattr(Apps, "_build_initial_querysets", orm_starts.TORTOISE_BUILD_INITIAL_QUERYSETS)
    await open_database(database_url, apply_schema=False)
    try:
        made_by_tortoise = _model_setup()
        executor = Tortoise.get_connection("default").executor_class
        models = {model for app in Tortoise.apps.values() for model in app.values()}
    finally:
        await close_database()
    assert len(made_by_tortoise) >= 40
    assert remembered == made_by_tortoise
    # and the memory was what the second start used: every model's filters kept for this kind of database
    assert {model for model, kind in orm_starts._filters_made if kind is executor} == models


def test_the_set_up_the_memory_copies_is_the_one_tortoise_has() -> None:
    """`orm_starts` replaces Tortoise's own base-query set-up with a copy that remembers: a Tortoise
    release that changes the original (pyproject.toml sets no upper bound) must be read again, or the
    suite would stop testing what a production start does. The digests are of this release's code."""
    sources = {name: inspect.getsource(function) for name, function in (
        ("build_initial_querysets", orm_starts.TORTOISE_BUILD_INITIAL_QUERYSETS),
        ("generate_filters", orm_starts.TORTOISE_GENERATE_FILTERS))}
    digests = {name: hashlib.sha256(source.encode()).hexdigest()[:16] for name, source in sources.items()}
    assert digests == {"build_initial_querysets": "1df4dcb4f4bc1749", "generate_filters": "66d244b698ee736b"}
