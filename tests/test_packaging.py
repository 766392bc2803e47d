"""`pip install .` ships everything the bot reads at run time, and the `csbot` script.

The wheel is built from a copy of the tracked files (so the checkout is never written to) by the build
backend pyproject.toml names, called as `pip install .` calls it (PEP 517's `build_wheel`) in a process of
its own, without build isolation (no download); pip's own start and checks around that call were more than
half of the test's CPU (2.3 against 1.0 s) and build the same files. Its file list is compared with the
tracked files it must carry.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_SUFFIXES = {".html", ".js", ".css", ".yaml", ".svg", ".ico", ".png", ".json"}


def tracked_files() -> list[str]:
    listing = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True, timeout=30)
    return [name for name in listing.stdout.decode().split("\0") if name and (ROOT / name).is_file()]


def test_every_package_is_listed() -> None:
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {str(init.parent.relative_to(ROOT)).replace("/", ".")
             for top in ("bot", "handlers", "models") for init in (ROOT / top).rglob("__init__.py")}
    assert found - listed == set(), "add these to [tool.setuptools] packages in pyproject.toml"


def test_wheel_carries_code_templates_static_files_and_migrations(tmp_path: Path) -> None:
    source, tracked = tmp_path / "src", tracked_files()
    for name in tracked:
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, source / name)
    backend = tomllib.loads((ROOT / "pyproject.toml").read_text())["build-system"]["build-backend"]
    build = subprocess.run(
        [sys.executable, "-c", "import importlib, sys; importlib.import_module(sys.argv[1]).build_wheel(sys.argv[2])",
         backend, str(tmp_path)], cwd=source, capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, build.stderr
    (wheel,) = tmp_path.glob("csbot-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        shipped = set(archive.namelist())
        entry_points = next(archive.read(n).decode() for n in shipped if n.endswith("entry_points.txt"))
    needed = {name for name in tracked
              if name.split("/")[0] in ("bot", "handlers", "models", "scripts_zh")
              and (name.endswith(".py") or Path(name).suffix in DATA_SUFFIXES)}
    assert needed - shipped == set()
    assert "scripts_zh/intents.yaml" in shipped and "bot/web/static/chat.js" in shipped
    assert "csbot = bot.__main__:run" in entry_points
    assert not any(name.startswith("tests/") or "__pycache__" in name for name in shipped)
