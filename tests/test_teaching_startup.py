"""Start-up stays short with a shop's learned examples (issue 13): jieba's dictionary read whole from
jieba's own cache file (bot/intent_cache.py `load_jieba_dictionary`). The fit of the learned
examples kept on disk is tested in tests/test_teaching_shop.py; bench/startup.py times the whole
start-up from outside."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import jieba

from bot.config import PROJECT_ROOT
from bot.intent_cache import FitCache, load_jieba_dictionary
from bot.intent_shop import ShopFit
from bot.intents import DEFAULT_MODEL_CACHE


def test_the_dictionary_read_whole_is_the_one_jieba_reads() -> None:
    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()  # jieba's cache file exists from here on (written the first time on a machine)
    fast, own = jieba.Tokenizer(), jieba.Tokenizer()
    fast.tmp_dir = own.tmp_dir = jieba.dt.tmp_dir  # where the process's tokenizer keeps it (warm_up_jieba)
    assert load_jieba_dictionary(fast)
    own.initialize()  # jieba's own reading of the same file
    assert fast.initialized and fast.total == own.total and fast.FREQ == own.FREQ
    text = "亲 我地址填错了能改吗 快递到哪了"
    assert fast.lcut(text) == own.lcut(text)
    assert not load_jieba_dictionary(fast), "an initialised tokenizer is left alone"


WARM_UP = "import jieba; from bot.intents import warm_up_jieba; warm_up_jieba()"


def test_jiebas_cache_file_is_kept_in_our_cache_directory() -> None:
    """Not in /tmp, where another user could plant a file jieba unmarshals, or keep one another
    user's bot cannot read."""
    shown = subprocess.run(
        [sys.executable, "-c", f"{WARM_UP}; print(jieba.dt.tmp_dir)"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, check=True, timeout=60,
    ).stdout.strip()
    assert Path(shown) == DEFAULT_MODEL_CACHE
    assert (DEFAULT_MODEL_CACHE / "jieba.cache").is_file()


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


def _kept(tmp_path: Path) -> tuple[FitCache, Path, bytes]:
    cache = FitCache(tmp_path)
    cache.save("shop", "k", ShopFit(None, ((0.5, 0.6), (0.9, 0.95))))
    (path,) = tmp_path.glob("intent-shop-k.pickle")
    return cache, path, path.read_bytes()


def test_a_damaged_fit_on_disk_is_fitted_again_never_raised(tmp_path: Path, caplog) -> None:
    """A fit file damaged on disk (a byte flipped, a truncated copy) makes loading raise almost any
    exception; the cache is only slower then, never wrong: it reads as absent, in one log line
    without the file's contents."""
    cache, path, good = _kept(tmp_path)
    assert cache.load("shop", "k", ShopFit) == ShopFit(None, ((0.5, 0.6), (0.9, 0.95)))
    damaged = [b"cno_such_module_of_ours\nThing\n.", good[: len(good) // 2]]
    damaged += [good[:n] + bytes([good[n] ^ flip]) + good[n + 1 :] for n in range(len(good)) for flip in (1, 0x80)]
    for data in damaged:
        path.write_bytes(data)
        caplog.clear()
        loaded = cache.load("shop", "k", ShopFit)
        assert loaded is None or isinstance(loaded, ShopFit)
        assert all(len(r.getMessage().splitlines()) == 1 and "Thing" not in r.getMessage() for r in caplog.records)


def test_each_writer_of_a_fit_writes_a_file_of_its_own(tmp_path: Path) -> None:
    """Workers of a shop fit the same key at once: a temporary name shared by them (another writer's
    file in the way, here a directory) must not keep the fit from being kept."""
    (tmp_path / "intent-shop-k.k.partial").mkdir()  # the name every writer of key "k" used before
    cache, _, _ = _kept(tmp_path)
    assert cache.load("shop", "k", ShopFit) is not None
    assert not list(tmp_path.glob(".*.partial")), "no temporary file left behind"
