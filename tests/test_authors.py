"""A message's author names the agent who wrote it; views and reports read the id back (bot/authors.py)."""

import pytest

from bot.authors import agent_of


@pytest.mark.parametrize(("author", "expected"), [
    ("agent:12", 12),
    ("agent:7", 7),
    ("bot", None),
    ("system", None),
    ("customer", None),
    ("agent:", None),
    ("agent:abc", None),
    ("agent:１２", None),
    ("agent:-3", None),
    ("xagent:3", None),
])
def test_the_agent_is_read_from_the_author(author, expected):
    assert agent_of(author) == expected


@pytest.mark.parametrize(("author", "expected"), [
    ("agent:2147483647", 2147483647),
    ("agent:2147483648", None),
    ("agent:" + "9" * 26, None),
])
def test_an_id_beyond_the_column_names_nobody(author, expected):
    assert agent_of(author) == expected


async def test_a_huge_author_id_finds_no_agent_instead_of_failing_the_query(bot):
    from models.agent import Agent
    ids = {agent_id for author in ("agent:" + "9" * 26, "agent:1") if (agent_id := agent_of(author)) is not None}
    assert await Agent.filter(id__in=ids).values_list("id", flat=True) == []
