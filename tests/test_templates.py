"""Templates render with the shop's fields and `lint-scripts` names the file, key and word at fault."""

from pathlib import Path

import pytest

from bot import cli
from bot.dispatcher import CORE_SCRIPTS
from bot.errors import TemplateError
from bot.templates import Templates, spec
from bot.web.ui_texts import ui_scripts_of
from handlers import EXTENSIONS, SCRIPTS

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS_DIR = ROOT / "scripts_zh"


def write_scripts(directory: Path, **files: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "forbidden.yaml").write_text("phrases: [不知道, 可是]\n", encoding="utf-8")
    for name, text in files.items():
        (directory / f"{name}.yaml").write_text(text, encoding="utf-8")
    return directory


def test_shipped_templates_pass_lint():
    templates = Templates.load(SCRIPTS_DIR, shop_name="测试店")
    assert templates.lint([*CORE_SCRIPTS, *SCRIPTS, *ui_scripts_of(SCRIPTS_DIR, EXTENSIONS)]) == []


def test_every_declared_template_renders_with_its_fields():
    templates = Templates.load(SCRIPTS_DIR, shop_name="测试店")
    for script in [*CORE_SCRIPTS, *SCRIPTS]:
        for seed in range(len(templates.variants(script.key))):
            text = templates.render(script.key, {name: "X" for name in script.fields}, seed=seed)
            assert text and "{" not in text, script.key


def test_lint_names_forbidden_word_unknown_variable_and_missing_key(tmp_path):
    directory = write_scripts(tmp_path / "s", shop="hello: 亲，这个我不知道哦\nbye: 再见{name}\n")
    problems = [str(p) for p in Templates.load(directory).lint(
        [spec("shop.hello"), spec("shop.bye"), spec("shop.absent")])]
    assert "scripts_zh/shop.yaml: shop.hello: forbidden phrase 「不知道」" in problems
    assert "scripts_zh/shop.yaml: shop.bye: unknown variable {name}" in problems
    assert "scripts_zh/shop.yaml: shop.absent: missing: the code uses this template" in problems


def test_lint_checks_each_variant(tmp_path):
    directory = write_scripts(tmp_path / "s", shop="hello:\n  - 您好\n  - 可是您好\n")
    problems = [str(p) for p in Templates.load(directory).lint([spec("shop.hello")])]
    assert problems == ["scripts_zh/shop.yaml: shop.hello[2]: forbidden phrase 「可是」"]


def test_variants_rotate_by_seed(tmp_path):
    directory = write_scripts(tmp_path / "s", shop="hello: [一, 二]\n")
    templates = Templates.load(directory)
    assert [templates.render("shop.hello", seed=s) for s in range(3)] == ["一", "二", "一"]


def test_missing_field_raises_and_render_safe_falls_back(tmp_path, caplog):
    directory = write_scripts(tmp_path / "s", shop="bye: 再见{name}\n", common="fallback: 请稍等\n")
    templates = Templates.load(directory)
    with pytest.raises(TemplateError):
        templates.render("shop.bye")
    assert templates.render_safe("shop.bye") == "请稍等"
    assert "shop.bye" in caplog.text


def test_lint_scripts_command_fails_on_a_forbidden_word(tmp_path, monkeypatch, capsys):
    broken = tmp_path / "scripts_zh"
    broken.mkdir()
    for source in SCRIPTS_DIR.glob("*.yaml"):
        (broken / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    common = broken / "common.yaml"
    common.write_text(common.read_text(encoding="utf-8").replace("这个问题", "这个问题我不知道"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # no developer's .env
    monkeypatch.setenv("SCRIPTS_DIR", str(broken))
    assert cli.main(["lint-scripts"]) == 1
    assert "scripts_zh/common.yaml: common.fallback: forbidden phrase 「不知道」" in capsys.readouterr().err


def test_lint_scripts_command_passes_on_shipped_templates(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SCRIPTS_DIR", raising=False)
    status = cli.main(["lint-scripts"])
    out, err = capsys.readouterr()
    assert status == 0, err
    assert out.startswith("templates OK")
