"""The `csbot` command line (also `python -m bot` and `python main.py`): parse arguments, call bot/ and handlers/.

This module is the composition root: the one place in `bot/` that names the business areas
(`handlers.EXTENSIONS`) and hands them to the server, the runtime and the parser; the rest of
`bot/` never imports `handlers` (docs/architecture.md).

Adding a command: a core command is an `add_<name>(commands)` function listed in `COMMANDS`; an
area's commands come from its `Extension.cli`. Each subcommand sets `func(args, command)` (see
`bot.commands.Command`) returning the exit status. A configuration error, a bad argument or a
`UsageError` prints one line and exits with status 2.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import logging
import multiprocessing
import sys
from collections.abc import Callable

from tortoise.exceptions import IntegrityError

from bot.cli_args import (
    CliParser,
    UsageError,
    account_name,
    display_name,
    positive_int,
    print_error,
    text_lines,
)
from bot.commands import Command
from bot.config import Settings, load_settings
from bot.errors import ConfigError
from bot.logs import install_message_ids
from bot.migrate import add_migrate
from bot.runtime import Runtime, read_area_settings
from handlers import EXTENSIONS
from models.agent import ROLES, Agent

Subcommands = argparse._SubParsersAction


def make_app(settings: Settings):
    """The server's application with every handler; module-level so spawned workers can import it."""
    from bot.app import build_app

    return build_app(settings, EXTENSIONS)


def add_serve(commands: Subcommands) -> None:
    serve = commands.add_parser("serve", help="run the HTTP server (web chat, console, WeChat webhook)")
    serve.add_argument("--workers", type=positive_int, default=1, help="processes sharing the port")
    serve.set_defaults(func=cmd_serve)


def cmd_serve(args: argparse.Namespace, command: Command) -> int:
    from bot.server import serve

    return serve(make_app, command.settings, workers=args.workers)


def add_chat(commands: Subcommands) -> None:
    chat = commands.add_parser("chat", help="talk to the bot in this terminal (leave with quit, Ctrl-D or Ctrl-C)")
    chat.add_argument("--user", default="local", help="customer id for the conversation")
    chat.set_defaults(func=cmd_chat)


def cmd_chat(args: argparse.Namespace, command: Command) -> int:
    from bot.channels.terminal import TerminalChannel

    terminal = TerminalChannel(user_id=args.user)

    async def run() -> None:
        runtime = await Runtime.open(command.settings, command.extensions, [terminal])
        try:
            await terminal.converse()
        finally:
            await runtime.close()

    try:
        asyncio.run(run())
    except KeyboardInterrupt:  # asyncio.run has cancelled `run`, whose `finally` closed the runtime
        terminal.say_goodbye()
    return 0


def add_classify(commands: Subcommands) -> None:
    classify = commands.add_parser("classify", help="print the intent of each text as JSON lines")
    classify.add_argument("text", nargs="*")
    classify.add_argument("--file", type=text_lines, default=[], help="a UTF-8 text file, one text per line")
    classify.set_defaults(func=cmd_classify)


def cmd_classify(args: argparse.Namespace, command: Command) -> int:
    """The runtime's matcher: the shop's learned examples (database of DATABASE_URL) and threshold too."""

    async def classify(runtime: Runtime) -> None:
        for text in [*args.text, *args.file]:
            print(json.dumps(runtime.matcher.classify(text).as_json(text), ensure_ascii=False))

    return command.run(classify)


def add_lint_scripts(commands: Subcommands) -> None:
    commands.add_parser("lint-scripts", help="check scripts_zh templates").set_defaults(func=cmd_lint_scripts)


def cmd_lint_scripts(args: argparse.Namespace, command: Command) -> int:
    from bot.lint import lint_scripts
    from bot.web.ui_texts import ui_scripts_of

    settings = command.settings
    scripts = [*ui_scripts_of(settings.scripts_dir, command.extensions),
               *(script for extension in command.extensions for script in extension.scripts)]
    problems = lint_scripts(settings.scripts_dir, scripts, command.extensions)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s) in {settings.scripts_dir}", file=sys.stderr)
        return 1
    print(f"templates OK ({settings.scripts_dir})")
    return 0


def add_demo(commands: Subcommands) -> None:
    for name, help_text in (("demo", "create the demo shop and print how to try it in two minutes"),
                            ("demo-data", "create the demo shop only (customers, orders, campaign, agent)")):
        commands.add_parser(name, help=help_text).set_defaults(func=cmd_demo, guide=name == "demo")


def cmd_demo(args: argparse.Namespace, command: Command) -> int:
    from bot.demo import create_demo, print_guide

    async def create(runtime: Runtime) -> None:
        login = await create_demo(runtime)
        if args.guide:
            print_guide(runtime.settings, login)

    return command.run(create)


def add_daily(commands: Subcommands) -> None:
    commands.add_parser("daily", help="run the daily follow-up jobs now").set_defaults(func=cmd_daily)


def cmd_daily(args: argparse.Namespace, command: Command) -> int:
    async def run(runtime: Runtime) -> None:
        await runtime.run_daily()

    return command.run(run)


def add_agents(commands: Subcommands) -> None:
    agents = commands.add_parser("agents", help="staff accounts").add_subparsers(dest="action", required=True)
    add = agents.add_parser("add", help="create a staff account (asks for the password)")
    add.add_argument("name", type=account_name, help="login name, no spaces")
    add.add_argument("--role", choices=ROLES, default="agent")
    add.add_argument("--capacity", type=positive_int, default=5, help="most conversations held at once")
    add.add_argument("--display-name", type=display_name, help="昵称 customers see (default: the shop's)")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    add.set_defaults(func=cmd_agents_add)
    password = agents.add_parser("password", help="set a new password (asks for it) and end every session of "
                                                  "the account")
    password.add_argument("name", type=account_name, help="login name")
    password.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    password.set_defaults(func=cmd_agents_password)


def _read_password(args: argparse.Namespace) -> str:
    """From standard input or a prompt, never from the command line (which others on the machine see)."""
    return sys.stdin.readline().rstrip("\n") if args.password_stdin else getpass.getpass("password: ")


def cmd_agents_password(args: argparse.Namespace, command: Command) -> int:
    from bot.web.auth import set_password
    from bot.web.sessions import StaffSessions

    password = _read_password(args)

    async def reset(runtime: Runtime) -> int:
        agent = await Agent.get_or_none(name=args.name)
        if agent is None:
            raise UsageError(f"no account named {args.name!r}")
        try:
            await set_password(agent, password)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        await StaffSessions(runtime.services, runtime.extensions).end_every(agent)
        print(f"new password set for {agent.name}; every session and the API token ended")
        return 0

    return command.run(reset)


def cmd_agents_add(args: argparse.Namespace, command: Command) -> int:
    from bot.web.auth import create_agent

    password = _read_password(args)

    async def add(runtime: Runtime) -> int:
        try:
            agent = await create_agent(args.name, args.role, password, args.capacity, now=runtime.clock.now(),
                                       display_name=args.display_name)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        except IntegrityError:
            raise UsageError(f"an account named {args.name!r} already exists") from None
        print(f"created {agent.role} {agent.name} (id {agent.id}, capacity {agent.capacity})")
        return 0

    return command.run(add)


#: Core commands, in `--help` order; areas add theirs through `Extension.cli`.
COMMANDS: list[Callable[[Subcommands], None]] = [
    add_serve, add_migrate, add_chat, add_classify, add_lint_scripts, add_demo, add_daily, add_agents,
]


def build_parser(prog: str = "csbot") -> argparse.ArgumentParser:
    parser = CliParser(prog=prog, description="客服机器人 customer-service bot")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in COMMANDS:
        add(commands)
    for extension in EXTENSIONS:
        if extension.cli is not None:
            extension.cli(commands)
    return parser


def main(argv: list[str] | None = None, prog: str = "csbot") -> int:
    args = build_parser(prog).parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("jieba").setLevel(logging.WARNING)
    install_message_ids()  # and tracebacks without third-party messages (bot/logs.py)
    try:
        settings = load_settings()
        read_area_settings(settings, EXTENSIONS)
    except ConfigError as exc:
        return print_error(str(exc))
    try:
        return args.func(args, Command(settings, EXTENSIONS))
    except (UsageError, ConfigError) as exc:  # ConfigError: an area's own settings, read at start-up
        return print_error(str(exc))


def run() -> None:
    """Entry point of the `csbot` script and `python -m bot`."""
    multiprocessing.freeze_support()
    sys.exit(main())

