"""`csbot report monthly|weekly` and `csbot retention [--dry-run]` (docs/rules.md R-REPORT-9, R-RETENTION-4).

    csbot report monthly --month 2026-11 --out 2026-11.xlsx
    csbot report weekly --week 2026-W45 --out w45.xlsx
    csbot retention --dry-run      # what would be deleted or anonymised, as counts
    csbot retention                # do it

Counts only: retention never prints a customer's data (R-PRIV-1).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from bot.cli_args import UsageError
from bot.commands import Command
from handlers.reports import periodic, retention
from handlers.reports.desk import REPORTS, ReportsDesk


def add_commands(commands: argparse._SubParsersAction) -> None:
    report = commands.add_parser("report", help="write the weekly or monthly reports workbook (XLSX)")
    kinds = report.add_subparsers(dest="kind", required=True)
    monthly = kinds.add_parser("monthly", help="one month, by month (shop time)")
    monthly.add_argument("--month", required=True, help="YYYY-MM")
    monthly.add_argument("--out", type=Path, required=True, help="the .xlsx file to write")
    monthly.set_defaults(func=cmd_report)
    weekly = kinds.add_parser("weekly", help="one ISO week (Monday to Sunday, shop time)")
    weekly.add_argument("--week", required=True, help="YYYY-Www, e.g. 2026-W45")
    weekly.add_argument("--out", type=Path, required=True, help="the .xlsx file to write")
    weekly.set_defaults(func=cmd_report)
    keep = commands.add_parser("retention", help="delete or anonymise what is past retention (RETENTION_*)")
    keep.add_argument("--dry-run", action="store_true", help="only count what would be deleted or anonymised")
    keep.set_defaults(func=cmd_retention)


def cmd_report(args: argparse.Namespace, command: Command) -> int:
    if args.out.suffix.lower() != ".xlsx":
        raise UsageError(f"{args.out}: the workbook's name must end in .xlsx")
    if not args.out.parent.resolve().is_dir():
        raise UsageError(f"{args.out.parent}: no such directory")

    async def write(desk: ReportsDesk) -> int:
        try:
            if args.kind == "monthly":
                period = periodic.month(desk, args.month)
            else:
                period = periodic.week(desk, args.week)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        await periodic.write(desk, period, args.out)
        print(f"wrote {args.out} ({period.kind} {period.label})")
        return 0

    return command.run_with(REPORTS, write)


def cmd_retention(args: argparse.Namespace, command: Command) -> int:
    async def apply(desk: ReportsDesk) -> int:
        counts = await retention.run(desk, apply=not args.dry_run)
        print(json.dumps({"dry_run": args.dry_run, **counts.as_dict()}, ensure_ascii=False))
        return 0

    return command.run_with(REPORTS, apply)
