"""The in-process store's JSON (bot/store/memory.py `_to_json`, json's C encoder made once) writes the text
`json.dumps(value, ensure_ascii=False)` writes, as the Redis store does, and refuses what it refuses."""

from __future__ import annotations

import json

import pytest

from bot.store.memory import _from_json, _to_json

VALUES = [
    {"flow": "after_sales", "step": "ask_order", "data": {"order_no": "A123", "reason": "质量问题", "photos": []},
     "turns": 3},
    {"quote": 'a "b" \\ c\n\t\u0001', "emoji": "😀", "nested": [[1, 2.5, -0.0, 1e300], {"x": None}], "ok": True},
    {"1": 1, "": False, "big": 2**70, "floats": [0.1, 1 / 3, float("inf"), float("nan")]},
    [], {}, "只是一句话", 7, None,
]


@pytest.mark.parametrize("value", VALUES)
def test_the_text_is_json_dumps_and_reads_back(value: object) -> None:
    text = _to_json(value)
    assert text == json.dumps(value, ensure_ascii=False)
    assert _to_json(_from_json(text)) == text


def test_what_json_refuses_is_refused() -> None:
    with pytest.raises(TypeError):
        _to_json({"when": object()})
    with pytest.raises(TypeError):
        _to_json({(1, 2): "a tuple key"})
