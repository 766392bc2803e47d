"""The command line: `classify` prints one JSON object per text, `chat` talks through the dispatcher."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(args: list[str], tmp_path: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {"DATABASE_URL": f"sqlite://{tmp_path / 'cli.sqlite3'}", "PATH": "", "SHOP_NAME": "测试小店"}
    return subprocess.run([sys.executable, "main.py", *args], cwd=ROOT, input=stdin, capture_output=True,
                          text=True, env=env, timeout=120)


def test_classify_prints_one_json_object_per_text(tmp_path):
    texts = tmp_path / "texts.txt"
    texts.write_text("我要退货\n售后单 AS20261123-0007 处理到哪了\n", encoding="utf-8")
    result = run(["classify", "订单 Ｅ２０２６ １１２２ ００１２３ 到哪了", "--file", str(texts)], tmp_path)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["text"] for line in lines] == ["订单 Ｅ２０２６ １１２２ ００１２３ 到哪了", "我要退货",
                                                "售后单 AS20261123-0007 处理到哪了"]
    assert lines[0]["intent"] == "logistics.track" and lines[0]["order_no"] == "E2026112200123"
    assert lines[1]["intent"] == "after_sales.return" and lines[1]["order_no"] is None
    assert lines[2]["case_no"] == "AS20261123-0007"
    assert all(set(line) == {"text", "intent", "confidence", "decision", "order_no", "case_no"} for line in lines)
    assert all(0 <= line["confidence"] <= 1 for line in lines)


def test_chat_answers_in_the_terminal_and_persists(tmp_path):
    result = run(["chat"], tmp_path, stdin="你好\n什么时候发货\n")
    assert result.returncode == 0, result.stderr
    answers = [line for line in result.stdout.splitlines() if "测试小店:" in line]
    assert len(answers) >= 2 and any("48小时" in line for line in answers)
