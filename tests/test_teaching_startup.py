"""Start-up stays short with a shop's learned examples (issue 13): jieba's dictionary read whole from
jieba's own cache file (bot/intent_cache.py `load_jieba_dictionary`). The fit of the learned
examples kept on disk is tested in tests/test_teaching_shop.py; bench/startup.py times the whole
start-up from outside."""

from __future__ import annotations

import logging
from pathlib import Path

import jieba

from bot.intent_cache import load_jieba_dictionary


def test_the_dictionary_read_whole_is_the_one_jieba_reads() -> None:
    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()  # jieba's cache file exists from here on (written the first time on a machine)
    fast, own = jieba.Tokenizer(), jieba.Tokenizer()
    assert load_jieba_dictionary(fast)
    own.initialize()  # jieba's own reading of the same file
    assert fast.initialized and fast.total == own.total and fast.FREQ == own.FREQ
    text = "亲 我地址填错了能改吗 快递到哪了"
    assert fast.lcut(text) == own.lcut(text)
    assert not load_jieba_dictionary(fast), "an initialised tokenizer is left alone"


def test_an_unreadable_cache_is_left_to_jieba(tmp_path: Path) -> None:
    (tmp_path / "jieba.cache").write_bytes(b"not marshal data")
    tokenizer = jieba.Tokenizer()
    tokenizer.tmp_dir = str(tmp_path)
    assert not load_jieba_dictionary(tokenizer)
    assert not tokenizer.initialized and not tokenizer.FREQ


def test_a_dictionary_of_its_own_is_left_to_jieba(tmp_path: Path) -> None:
    words = tmp_path / "words.txt"
    words.write_text("云朵枕 5 n\n", encoding="utf-8")
    tokenizer = jieba.Tokenizer(str(words))
    assert not load_jieba_dictionary(tokenizer)
    assert not tokenizer.initialized
