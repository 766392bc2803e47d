"""The pages' wording lives in scripts_zh: every name a script or page asks for exists, no Chinese sits in
the console's or chat window's code, and `lint-scripts` checks the UI files like any template."""

import re
from pathlib import Path

import pytest
import yaml

from bot.templates import Templates
from bot.web.ui_texts import ui_scripts, ui_scripts_of
from handlers import EXTENSIONS

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS_DIR = ROOT / "scripts_zh"
STATIC = ROOT / "bot" / "web" / "static"
PAGES = ROOT / "bot" / "web" / "templates"
CASES_PANEL = ROOT / "handlers" / "after_sales" / "static" / "cases_panel.js"
CHINESE = re.compile(r"[\u4e00-\u9fff]")
#: t("name") / tx("name") / t(`name`) with a literal name, and {{ t.name }} in a page.
SCRIPT_NAMES = re.compile(r"""\b(?:t|tx)\(\s*["']([a-z0-9_]+)["']""")
PAGE_NAMES = re.compile(r"\bt\.([a-z0-9_]+)")


def keys(stem: str) -> set[str]:
    return set(yaml.safe_load((SCRIPTS_DIR / f"{stem}.yaml").read_text(encoding="utf-8")))


def code(path: Path) -> str:
    """The file without its comments (a comment may name a tab in Chinese)."""
    text = path.read_text(encoding="utf-8")
    return re.sub(r"^\s*//[^\n]*$|<!--[\s\S]*?-->", "", text, flags=re.M)


@pytest.mark.parametrize(("stem", "files"), [
    ("console", [STATIC / "console.js", STATIC / "console" / "panels.js", PAGES / "console.html"]),
    ("chat_page", [STATIC / "chat.js", PAGES / "chat.html", PAGES / "demo.html"]),
    ("after_sales_console", [CASES_PANEL]),
])
def test_every_text_a_page_asks_for_exists_and_its_code_has_no_chinese(stem, files):
    known = keys(stem)
    asked = set()
    for path in files:
        text = code(path)
        assert not CHINESE.search(text), f"{path.name}: Chinese belongs in scripts_zh/{stem}.yaml"
        pattern = PAGE_NAMES if path.suffix == ".html" else SCRIPT_NAMES
        asked |= set(pattern.findall(text))
    assert asked, "the pattern found no text names: the test would pass vacuously"
    # the panel also asks the console for a few (ctx.t), which are the console's
    missing = asked - known - (keys("console") if stem == "after_sales_console" else set())
    assert not missing, f"names missing from scripts_zh/{stem}.yaml: {sorted(missing)}"


def test_lint_scripts_checks_the_ui_files(tmp_path):
    scripts = tmp_path / "scripts_zh"
    scripts.mkdir()
    (scripts / "forbidden.yaml").write_text("phrases: [不知道]\n", encoding="utf-8")
    (scripts / "console.yaml").write_text("ok: 已发送\nbad: 这个我不知道\nbroken: 剩余 {n 秒\n", encoding="utf-8")
    problems = [str(p) for p in Templates.load(scripts).lint(ui_scripts(scripts))]
    assert "scripts_zh/console.yaml: console.bad: forbidden phrase 「不知道」" in problems
    assert any(p.startswith("scripts_zh/console.yaml: console.broken: broken placeholder") for p in problems)
    assert not any("console.ok" in p for p in problems)


def test_every_console_panel_of_the_areas_has_its_texts_checked():
    declared = {spec.key.split(".")[0] for spec in ui_scripts_of(SCRIPTS_DIR, EXTENSIONS)}
    panels = {panel.texts for extension in EXTENSIONS for panel in extension.console_panels}
    assert "after_sales_console" in panels and panels <= declared
