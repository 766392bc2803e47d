"""The conversation's state written out field by field (bot/state.py): `to_dict` and `from_dict` name
every field of the dataclass, so a field added to it and not to them fails here, not in a customer's
conversation that loses it between two messages."""

from __future__ import annotations

from dataclasses import fields

from bot.state import ConversationState


def test_every_field_goes_through_the_store_and_back() -> None:
    """Every field with a value other than its default: a field `to_dict` writes and `from_dict` drops
    (or the reverse) comes back as its default and fails the comparison."""
    values = {"flow": "after_sales.return", "data": {"order": "E1001"}, "unknown_streak": 1, "turns": 3,
              "seen_at": 1_700_000_000.0}
    assert set(values) == {f.name for f in fields(ConversationState)}, "a new field needs a value here"
    state = ConversationState(**values)
    assert all(getattr(state, name) != getattr(ConversationState(), name) for name in values)
    raw = state.to_dict()
    assert list(raw) == [f.name for f in fields(ConversationState)]
    back = ConversationState.from_dict(raw)
    assert back == state and back.data is not state.data


def test_missing_fields_take_their_defaults_and_unknown_ones_are_ignored() -> None:
    assert ConversationState.from_dict(None) == ConversationState()
    assert ConversationState.from_dict({"turns": 2, "later_field": 1}) == ConversationState(turns=2)
