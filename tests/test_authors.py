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
