"""Command line: `audit`, `agents leave NAME --to OTHER`, `agents revoke NAME`, `customers erase ID`
(docs/rules.md R-ARCHIVE-6, -9, -10, -11).

`audit --customer` takes the archive record's id (档案号, shown in the console). `agents` is a core
command (bot/cli.py); the archive adds its two actions to it.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime, time

from bot.cli_args import UsageError, account_name, iso_date, positive_int
from bot.commands import Command
from bot.web.sessions import StaffSessions
from handlers.archive import audit
from handlers.archive.erase import erase
from handlers.archive.leave import HandOverFailed, LeaveRefused, hand_over
from handlers.archive.service import ARCHIVE, ArchiveRefused, ArchiveService
from models.agent import Agent


def add_commands(commands: argparse._SubParsersAction) -> None:
    log = commands.add_parser("audit", help="who read which part of whose customer archive")
    log.add_argument("--customer", type=positive_int, help="archive record id (档案号)")
    log.add_argument("--staff", type=account_name, help="staff login name")
    log.add_argument("--since", type=iso_date, help="YYYY-MM-DD, shop time")
    log.add_argument("--limit", type=positive_int, default=500)
    log.add_argument("--json", action="store_true", help="one JSON object per line")
    log.set_defaults(func=cmd_audit)

    agents = _subcommands(commands.choices["agents"])
    leave = agents.add_parser("leave", help="离职交接: hand a departing agent's customers, conversations, cases "
                                            "and what other areas own (complaints, callbacks) to another, and "
                                            "disable the login")
    leave.add_argument("name", type=account_name)
    leave.add_argument("--to", required=True, type=account_name, help="who takes over")
    leave.set_defaults(func=cmd_leave)
    revoke = agents.add_parser("revoke", help="end every session and the API token of a staff member")
    revoke.add_argument("name", type=account_name)
    revoke.set_defaults(func=cmd_revoke)

    customers = commands.add_parser("customers", help="customer records").add_subparsers(dest="action", required=True)
    wipe = customers.add_parser("erase", help="erase one customer on request (PIPL); counts are kept")
    wipe.add_argument("id", type=positive_int, help="archive record id (档案号)")
    wipe.set_defaults(func=cmd_erase)


def _subcommands(parser: argparse.ArgumentParser) -> argparse._SubParsersAction:
    return next(action for action in parser._actions if isinstance(action, argparse._SubParsersAction))


async def _staff(name: str) -> Agent:
    agent = await Agent.get_or_none(name=name)
    if agent is None:
        raise UsageError(f"no staff member named {name!r}")
    return agent


def cmd_audit(args: argparse.Namespace, command: Command) -> int:
    async def run(archive: ArchiveService) -> int:
        since = datetime.combine(args.since, time(), archive.zone) if args.since else None
        rows = await audit.entries(audit.AuditFilter(args.customer, args.staff, since, args.limit))
        for row in rows:
            entry = audit.entry_json(row)
            if args.json:
                print(json.dumps({**entry, "at": row.at.isoformat()}, ensure_ascii=False))
            else:
                local = row.at.astimezone(archive.zone).strftime("%Y-%m-%d %H:%M:%S")
                print(f"{local}  {row.staff_name:<16} #{row.person_id:<6} {row.action:<7} {row.part:<16} "
                      f"{row.via:<7} {row.basis:<8} {row.reason}")
        return 0

    return command.run_with(ARCHIVE, run)


def cmd_leave(args: argparse.Namespace, command: Command) -> int:
    async def run(archive: ArchiveService) -> int:
        try:
            record = await hand_over(archive, await _staff(args.name), await _staff(args.to), by="cli")
        except LeaveRefused as exc:
            raise UsageError(str(exc)) from None
        except HandOverFailed:
            print("error: the hand-over failed and moved nothing; try again", file=sys.stderr)
            return 1
        moved = ", ".join(f"{count} {what}" for what, count in record.counts.items())
        print(f"{args.name} handed over to {args.to}: {moved}; login disabled")
        return 0

    return command.run_with(ARCHIVE, run)


def cmd_revoke(args: argparse.Namespace, command: Command) -> int:
    async def run(archive: ArchiveService) -> int:
        await StaffSessions(archive.services, archive.extensions).end_every(await _staff(args.name))
        print(f"every session and the API token of {args.name} ended")
        return 0

    return command.run_with(ARCHIVE, run)


def cmd_erase(args: argparse.Namespace, command: Command) -> int:
    async def run(archive: ArchiveService) -> int:
        try:
            person = await archive.person(args.id)
        except ArchiveRefused as exc:
            raise UsageError(f"archive record {args.id}: {exc.message}") from None
        record = await erase(archive, person, by="cli")
        await audit.log_reads(None, "cli", person.id, ["all"], action="erase", via="cli", basis="admin",
                              at=archive.clock.now())
        print(f"archive record {args.id} erased: " + ", ".join(f"{n} {what}" for what, n in record.counts.items()))
        return 0

    return command.run_with(ARCHIVE, run)

