"""The command line: `classify` prints one JSON object per text, `chat` talks through the dispatcher and
leaves cleanly, and every bad argument is one line naming it with exit status 2."""

from __future__ import annotations

import json
import os
import pty
import select
import signal
import sqlite3
import sys
import time
from pathlib import Path

import pytest

from bot import cli

ROOT = Path(__file__).resolve().parent.parent


def test_classify_prints_one_json_object_per_text(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)  # no developer's .env
    texts = tmp_path / "texts.txt"
    texts.write_text("我要退货\n售后单 AS20261123-0007 处理到哪了\n", encoding="utf-8")
    assert cli.main(["classify", "订单 Ｅ２０２６ １１２２ ００１２３ 到哪了", "--file", str(texts)]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["text"] for line in lines] == ["订单 Ｅ２０２６ １１２２ ００１２３ 到哪了", "我要退货",
                                                "售后单 AS20261123-0007 处理到哪了"]
    assert lines[0]["intent"] == "logistics.track" and lines[0]["order_no"] == "E2026112200123"
    assert lines[1]["intent"] == "after_sales.return" and lines[1]["order_no"] is None
    assert lines[2]["case_no"] == "AS20261123-0007"
    assert all(set(line) == {"text", "intent", "confidence", "decision", "order_no", "case_no"} for line in lines)
    assert all(0 <= line["confidence"] <= 1 for line in lines)


def test_chat_answers_in_the_terminal_and_persists(tmp_path, csbot):
    env = {"DATABASE_URL": f"sqlite://{tmp_path / 'cli.sqlite3'}", "SHOP_NAME": "测试小店"}
    result = csbot("chat", env=env, stdin="你好\n什么时候发货\nquit\n这句不该发出去\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Type a message and press Enter. Leave with quit, exit, Ctrl-D or Ctrl-C.")
    answers = [line for line in result.stdout.splitlines() if "测试小店:" in line]
    assert len(answers) >= 2 and any("48小时" in line for line in answers)
    assert result.stdout.rstrip().endswith("bye")
    with sqlite3.connect(tmp_path / "cli.sqlite3") as db:
        received = [text for (text,) in db.execute("SELECT text FROM message WHERE direction = 'in' ORDER BY id")]
    assert received == ["你好", "什么时候发货"]


def test_chat_leaves_at_once_on_ctrl_c(tmp_path):
    env = {"DATABASE_URL": f"sqlite://{tmp_path / 'cli.sqlite3'}", "PATH": "", "SHOP_NAME": "测试小店"}
    pid, terminal = pty.fork()
    if pid == 0:  # the child: the command line, on a real terminal
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # as a shell starts it (an xdist worker ignores SIGINT)
        os.chdir(ROOT)
        os.execve(sys.executable, [sys.executable, "main.py", "chat"], env)
    child = os.pidfd_open(pid)  # readable once the child has exited
    output = b""

    def read_until(done, seconds: float) -> None:
        nonlocal output
        deadline = time.monotonic() + seconds
        while not done() and time.monotonic() < deadline:
            if select.select([terminal], [], [], 0.1)[0]:
                try:
                    output += os.read(terminal, 4096)
                except OSError:  # the child closed the terminal
                    return

    try:
        read_until(lambda: b"> " in output, 60)
        assert b"> " in output, output
        os.write(terminal, b"\x03")
        read_until(lambda: b"bye" in output, 10)
        assert select.select([child], [], [], 10)[0], "chat still running 10 s after Ctrl-C"
        assert os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0
        assert b"Traceback" not in output and b"bye" in output, output
    finally:
        if not select.select([child], [], [], 0)[0]:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
        os.close(child)
        os.close(terminal)


@pytest.mark.parametrize(
    ("argv", "names"),
    [
        (["classify", "--file", "/nonexistent/texts.txt"], "argument --file: /nonexistent/texts.txt: no such file"),
        (["classify", "--file", sys.executable], "not a UTF-8 text file"),
        (["agents", "add", "lily", "--capacity", "-3"], "argument --capacity: -3 must be 1 or more"),
        (["agents", "add", "li ly"], "argument name: 'li ly' must be 1-64 characters without spaces"),
        (["agents", "add", "lily", "--display-name", "x" * 33],
         f"argument --display-name: {'x' * 33!r} must be 1-32 printable characters"),
        (["campaign", "create", "spring", "--title", "春", "--end", "2026-12-31"],
         "the following arguments are required: --start"),
        (["campaign", "create", "spring", "--title", "春", "--start", "2026-13-01", "--end", "2026-12-31"],
         "argument --start: '2026-13-01' is not a date written YYYY-MM-DD"),
        (["orders", "import", "/nonexistent/orders.csv"], "argument file: /nonexistent/orders.csv: no such file"),
        (["serve", "--workers", "0"], "argument --workers: 0 must be 1 or more"),
        (["no-such-command"], "invalid choice: 'no-such-command'"),
    ],
)
def test_bad_argument_is_one_line_naming_it(argv, names, capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(argv)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and names in err and err.startswith("csbot"), err


def test_campaign_create_help_shows_required_options(capsys):
    with pytest.raises(SystemExit):
        cli.main(["campaign", "create", "--help"])
    usage = " ".join(capsys.readouterr().out.split())
    assert "--title TITLE --start YYYY-MM-DD --end YYYY-MM-DD [--max-cards" in usage
