"""What every process that starts the bot imports (issues 11 and 13): libraries used by one area's later
work are imported where used, the command line with the garbage collector paused (bot/__main__.py),
jieba without `pkg_resources` (bot/jieba_import.py), and the models' `#:` comments read with one
parse per file (models/field_comments.py), giving tortoise exactly the comments it reads itself."""

from __future__ import annotations

import importlib.util
import inspect
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import tortoise
import tortoise.models
from tortoise.models import Model

from bot.config import PROJECT_ROOT
from models import MODEL_MODULES, field_comments
from models.field_comments import _TORTOISE_COMMENTS, class_source, comments_of

#: Imported on first use, in the thread or command that needs them: never by the bot's import.
LATER = ("pkg_resources", "redis", "PIL", "qrcode", "tqdm", "openpyxl")

IN_A_FRESH_INTERPRETER = """
import gc, json, sys
import main
collecting = gc.isenabled()  # paused for the import only (bot/__main__.py)
loaded = sorted(m for m in sys.modules if m.split(".")[0] in {later})
from bot.jieba_import import jieba
with jieba.dt.get_dict_file() as words:  # jieba's own data files, opened without pkg_resources
    first = words.readline().decode("utf-8").split()[0]
cut = jieba.lcut("我买的耳机一边没声音", HMM=True)  # the HMM's tables were read at jieba's import
print(json.dumps({{"loaded": loaded, "first": first, "cut": cut, "collecting": collecting}}))
"""


def test_the_bots_import_leaves_out_what_only_later_work_uses() -> None:
    shown = subprocess.run(
        [sys.executable, "-c", IN_A_FRESH_INTERPRETER.format(later=set(LATER))],
        cwd=PROJECT_ROOT, capture_output=True, text=True, check=True, timeout=120,
    )
    found = json.loads(shown.stdout.strip().splitlines()[-1])
    assert found["loaded"] == [] and found["collecting"]
    assert found["first"] and "".join(found["cut"]) == "我买的耳机一边没声音" and len(found["cut"]) > 3


def test_the_uses_import_what_they_need() -> None:
    """The imports moved into the functions still import: a card, a photo's check, a progress bar."""
    from handlers.after_sales.uploads import image_type
    from handlers.referral.card_image import card_png, qr_png

    png = qr_png("http://127.0.0.1:8080/r/ABC")
    assert image_type(png) == "png" and image_type(b"not an image") is None
    assert image_type(card_png("http://127.0.0.1:8080/r/ABC", None, "ABC")) == "png"


def _model_classes() -> list[type[Model]]:
    classes = []
    for name in MODEL_MODULES:
        module = importlib.import_module(name)
        classes += [v for v in vars(module).values()
                    if isinstance(v, type) and issubclass(v, Model) and v.__module__ == name]
    return classes


def test_tortoise_reads_every_models_comments_as_its_own_function_would() -> None:
    assert tortoise.__version__ == field_comments.COPIED_FROM, "compare _get_comments with comments_of again"
    assert (tortoise.models._get_comments is comments_of) == field_comments.FINDS_CLASSES_BY_PARSING
    classes = _model_classes()
    assert len(classes) > 30
    commented = 0
    for cls in classes:
        assert class_source(cls) == inspect.getsource(cls)
        assert comments_of(cls) == _TORTOISE_COMMENTS(cls), cls.__name__
        commented += bool(comments_of(cls))
        for name, comment in comments_of(cls).items():  # what tortoise made of them at class creation
            field = cls._meta.fields_map.get(name)
            if field is not None:
                assert field.docstring == comment
    assert commented >= 3  # Agent, Person, Callback document fields with `#:`


@pytest.mark.parametrize("setting", [(tortoise, "__version__", "1.2.0"),
                                     (field_comments, "FINDS_CLASSES_BY_PARSING", False)])
def test_another_tortoise_or_python_313_keeps_tortoises_reading(monkeypatch, setting) -> None:
    monkeypatch.setattr(tortoise.models, "_get_comments", _TORTOISE_COMMENTS)
    monkeypatch.setattr(*setting)
    field_comments.install()
    assert tortoise.models._get_comments is _TORTOISE_COMMENTS


TRICKY = '''
    import dataclasses


    class Plain:
        #: the first
        #: on two lines
        a = 1
        b: int = 2  #: not before it: not a comment of b
        #: {model} is named
        c = 3


    @dataclasses.dataclass
    class Decorated:
        #: decorated
        x: int = 0

        class Inner:
            #: inner one
            y = 1


    def factory():
        class Local:
            #: local
            z = 1

        return Local


    class Bare:
        w = 1
    #: after the class, at the margin
    v = 2


    class Plain2(Plain):
        #: derived
        d = 4
'''


def test_comments_of_tricky_classes_are_tortoises(tmp_path: Path) -> None:
    """Decorators, nested and local classes, comments after a class, `{model}`, inheritance: the same
    source and the same comments as tortoise's `inspect.getsource` reading."""
    path = tmp_path / "tricky_models.py"
    path.write_text(textwrap.dedent(TRICKY), encoding="utf-8")
    spec = importlib.util.spec_from_file_location("tricky_models", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["tricky_models"] = module
    try:
        spec.loader.exec_module(module)
        classes = [module.Plain, module.Decorated, module.Decorated.Inner, module.factory(), module.Bare,
                   module.Plain2]
        for cls in classes:
            assert class_source(cls) == inspect.getsource(cls), cls.__qualname__
            assert comments_of(cls) == _TORTOISE_COMMENTS(cls), cls.__qualname__
        plain = comments_of(module.Plain)
        assert plain["a"] == "the first\non two lines" and plain["c"].endswith("Plain is named")
        assert comments_of(module.Decorated.Inner) == {"y": "inner one"}
    finally:
        del sys.modules["tricky_models"]
