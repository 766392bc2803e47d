"""The after-sales dialogue's cancel words read on the raw message decide as they did on the squeezed one.

`carry_on` once replaced punctuation runs by a space and stripped the text before matching `CANCEL`;
it now matches the message as it came (docs/performance.md, "Handlers' own work per message").
Every message of the bench corpus, and cancels wrapped in punctuation, emoji and spaces, must get
the same decision either way.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from handlers.after_sales.dialogue import CANCEL, PUNCT

CORPUS = Path(__file__).resolve().parent.parent / "bench" / "corpus.tsv"
CRAFTED = [
    "算了", "  算了吧", "，，算了", "。。。取消", "~不用了谢谢", "！！不办了", "😂算了", "【取消】", "...先不用",
    "算 了", "算，了", "取,消", "不 用了", "我不用了", "那就算了", "ok算了", "\t\n没事了", "：；不需要了",
    "E2026112200123 算了", "算了 E2026112200123", "", "   ", "，。",
]


def corpus_texts() -> list[str]:
    return [line.split("\t", 1)[0] for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize("source", ["corpus", "crafted"])
def test_cancel_on_the_raw_text_decides_as_on_the_squeezed_one(source):
    texts = corpus_texts() if source == "corpus" else CRAFTED
    assert len(texts) >= 20
    for text in texts:
        squeezed = CANCEL.match(PUNCT.sub(" ", text).strip())
        raw = CANCEL.match(text)
        assert bool(raw) == bool(squeezed), text
        if raw:
            assert raw.group(1) == squeezed.group(1), text


def test_the_crafted_texts_hold_cancels_and_non_cancels():
    decided = [bool(CANCEL.match(text)) for text in CRAFTED]
    assert any(decided) and not all(decided)
