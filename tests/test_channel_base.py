"""A channel must have a way to send later messages (bot/channels/base.py): one that overrides
neither `push` nor `deliver` is refused when defined, not with a 500 on an agent's first send."""

from __future__ import annotations

import pytest

from bot.channels.base import Channel


def test_a_channel_that_sends_nothing_is_refused_when_defined():
    with pytest.raises(TypeError, match="Silent"):
        type("Silent", (Channel,), {"name": "silent"})


async def test_a_channel_with_push_only_delivers_through_it():
    pushed: list[tuple[str, str, str | None]] = []

    class Pushing(Channel):
        name = "pushing"

        async def push(self, user_id: str, text: str, *, source_id: str | None = None) -> None:
            pushed.append((user_id, text, source_id))

    await Pushing().deliver("u1", "您好", source_ids=["7", "8"])
    assert pushed == [("u1", "您好", "7")]
