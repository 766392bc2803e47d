"""Command-line tools: `orders import FILE` and `cases [--stale] [--state S] [--json]`.

The import prints every rejected row and exits with status 1, having imported nothing; `cases
--stale` lists the open cases nobody touched today (yesterday's leftovers, the daily
follow-up of docs/rules.md R-CASE-8). Output names cases and orders only, never customers.
"""

from __future__ import annotations

import argparse
import json
import sys

from bot.cli_args import existing_file
from bot.commands import Command
from handlers.after_sales.desk import DESK, Desk
from handlers.after_sales.importer import import_orders
from handlers.after_sales.machine import OPEN_STATES, STATES
from handlers.after_sales.wording import local_time
from models.case import AfterSalesCase


def add_commands(commands: argparse._SubParsersAction) -> None:
    orders = commands.add_parser("orders", help="the shop's orders").add_subparsers(dest="action", required=True)
    load = orders.add_parser("import", help="import a CSV or XLSX order export (all rows or none)")
    load.add_argument("file", type=existing_file)
    load.set_defaults(func=cmd_import)

    cases = commands.add_parser("cases", help="list after-sales cases")
    cases.add_argument("--stale", action="store_true", help="open cases nobody touched today")
    cases.add_argument("--state", default="open", help="'open', 'all' or comma-separated states")
    cases.add_argument("--json", action="store_true", help="one JSON object per line")
    cases.set_defaults(func=cmd_cases)


def cmd_import(args: argparse.Namespace, command: Command) -> int:
    async def run(desk: Desk) -> int:
        report = await import_orders(args.file, desk.zone, desk.clock.now())
        for problem in report.problems:
            print(problem, file=sys.stderr)
        if not report.ok:
            print(f"nothing imported: {len(report.problems)} problem(s) in {args.file}", file=sys.stderr)
            return 1
        print(f"imported {report.orders} order(s) from {report.rows} row(s): "
              f"{report.created} new, {report.updated} updated")
        return 0

    return command.run_with(DESK, run)


def cmd_cases(args: argparse.Namespace, command: Command) -> int:
    states = set(OPEN_STATES) if args.state == "open" else set(STATES) if args.state == "all" \
        else set(args.state.split(","))
    if not states <= set(STATES):
        print(f"error: --state takes 'open', 'all' or states among {', '.join(STATES)}", file=sys.stderr)
        return 2

    async def run(desk: Desk) -> int:
        if args.stale:
            cases = await desk.cases.stale()
        else:
            cases = await AfterSalesCase.filter(state__in=states).order_by("touched_at").prefetch_related("order")
        zone = desk.zone
        for case in cases:
            row = {"case_no": case.case_no, "order_no": case.order.order_no, "kind": case.kind, "state": case.state,
                   "assignee_id": case.assignee_id, "touched_at": case.touched_at.isoformat(),
                   "immediate_review": case.immediate_review}
            if args.json:
                print(json.dumps(row))
            else:
                owner = f"agent {case.assignee_id}" if case.assignee_id else "unassigned"
                flag = "  REVIEW" if case.immediate_review else ""
                print(f"{case.case_no}  {case.kind:<8} {case.state:<15} {case.order.order_no:<20} {owner:<12} "
                      f"touched {local_time(case.touched_at, zone)}{flag}")
        print(f"{len(cases)} case(s)", file=sys.stderr)
        return 0

    return command.run_with(DESK, run)
