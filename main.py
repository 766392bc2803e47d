"""Command line: `serve`, `chat`, `classify`, `lint-scripts`. Parses arguments and calls bot/ and handlers/.

A configuration error prints one line naming the variable and exits with status 2.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import logging
import multiprocessing
import sys
from pathlib import Path

from tortoise.exceptions import IntegrityError

from bot.commands import Command
from bot.config import Settings, load_settings
from bot.errors import ConfigError
from bot.migrate import register as register_migrate
from bot.runtime import Runtime
from handlers import EXTENSIONS


def make_app(settings: Settings):
    """The server's application with every handler; module-level so spawned workers can import it."""
    from bot.app import build_app

    return build_app(settings, EXTENSIONS)


def cmd_serve(args: argparse.Namespace, command: Command) -> int:
    from bot.server import serve

    return serve(make_app, command.settings, workers=args.workers)


def cmd_chat(args: argparse.Namespace, command: Command) -> int:
    from bot.channels.terminal import TerminalChannel
    from bot.runtime import Runtime

    async def run() -> None:
        terminal = TerminalChannel(user_id=args.user)
        runtime = await Runtime.open(command.settings, command.extensions, [terminal])
        try:
            await terminal.converse()
        finally:
            await runtime.close()

    asyncio.run(run())
    return 0


def cmd_classify(args: argparse.Namespace, command: Command) -> int:
    settings = command.settings
    from bot.intents import IntentMatcher, warm_up_jieba

    texts = list(args.text)
    if args.file:
        texts += [line.rstrip("\n") for line in Path(args.file).read_text(encoding="utf-8").splitlines()]
    warm_up_jieba()
    matcher = IntentMatcher.from_yaml(settings.scripts_dir / "intents.yaml", settings.order_no_patterns)
    for text in texts:
        print(json.dumps(matcher.classify(text).as_json(text), ensure_ascii=False))
    return 0


def cmd_lint_scripts(args: argparse.Namespace, command: Command) -> int:
    from bot.lint import lint_scripts

    settings = command.settings
    scripts = [script for extension in command.extensions for script in extension.scripts]
    problems = lint_scripts(settings.scripts_dir, scripts)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s) in {settings.scripts_dir}", file=sys.stderr)
        return 1
    print(f"templates OK ({settings.scripts_dir})")
    return 0


def cmd_demo_data(args: argparse.Namespace, command: Command) -> int:
    async def create(runtime: Runtime) -> None:
        for extension in runtime.extensions:
            if extension.demo_data is not None:
                await extension.demo_data(runtime)
                print(f"demo data: {extension.name} ready")

    return command.run(create)


def cmd_daily(args: argparse.Namespace, command: Command) -> int:
    async def run(runtime: Runtime) -> None:
        await runtime.run_daily()

    return command.run(run)


def cmd_agents_add(args: argparse.Namespace, command: Command) -> int:
    from bot.web.auth import create_agent

    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else getpass.getpass("password: ")

    async def add(runtime: Runtime) -> int:
        try:
            agent = await create_agent(args.name, args.role, password, args.capacity, now=runtime.clock.now())
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        except IntegrityError:
            print(f"error: an account named {args.name!r} already exists", file=sys.stderr)
            return 2
        print(f"created {agent.role} {agent.name} (id {agent.id}, capacity {agent.capacity})")
        return 0

    return command.run(add)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="main.py", description="客服机器人 customer-service bot")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the HTTP server (web chat, WeChat webhook)")
    serve.add_argument("--workers", type=int, default=1, help="processes sharing the port")
    serve.set_defaults(func=cmd_serve)

    chat = commands.add_parser("chat", help="talk to the bot in this terminal")
    chat.add_argument("--user", default="local", help="customer id for the conversation")
    chat.set_defaults(func=cmd_chat)

    classify = commands.add_parser("classify", help="print the intent of each text as JSON lines")
    classify.add_argument("text", nargs="*")
    classify.add_argument("--file", help="one text per line")
    classify.set_defaults(func=cmd_classify)

    lint = commands.add_parser("lint-scripts", help="check scripts_zh templates")
    lint.set_defaults(func=cmd_lint_scripts)

    demo = commands.add_parser("demo-data", help="create a small demo shop to try every flow")
    demo.set_defaults(func=cmd_demo_data)

    daily = commands.add_parser("daily", help="run the daily follow-up jobs now")
    daily.set_defaults(func=cmd_daily)

    agents = commands.add_parser("agents", help="staff accounts").add_subparsers(dest="action", required=True)
    add = agents.add_parser("add", help="create a staff account (asks for the password)")
    add.add_argument("name")
    add.add_argument("--role", choices=("agent", "supervisor", "admin"), default="agent")
    add.add_argument("--capacity", type=int, default=5, help="most conversations held at once")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    add.set_defaults(func=cmd_agents_add)

    register_migrate(commands)
    for extension in EXTENSIONS:
        if extension.cli is not None:
            extension.cli(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("jieba").setLevel(logging.WARNING)
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return args.func(args, Command(settings, EXTENSIONS))


if __name__ == "__main__":
    multiprocessing.freeze_support()
    sys.exit(main())
