"""`csbot complaints list [--open] [--json] [--as NAME]` and `csbot complaints show NUMBER [--as NAME]`.

`--as NAME` answers exactly as that staff member may see (docs/rules.md R-COMPLAINT-8: a complaint
about them does not exist for them); without it the shell operator sees every complaint. Output
names numbers, steps, order numbers and staff ids, never the customer's words or contact (R-PRIV-1).
"""

from __future__ import annotations

import argparse
import json
import sys

from bot.cli_args import UsageError, account_name
from bot.commands import Command
from handlers.complaints.desk import COMPLAINTS
from handlers.complaints.visibility import visible_to
from models.agent import Agent
from models.complaint import Complaint, ComplaintStep


def add_commands(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("complaints", help="complaints (投诉)").add_subparsers(dest="action", required=True)
    listing = parser.add_parser("list", help="complaints by step deadline")
    listing.add_argument("--open", action="store_true", help="only complaints not closed")
    listing.add_argument("--json", action="store_true", help="one JSON object per line")
    listing.add_argument("--as", dest="viewer", type=account_name, help="as this staff member may see")
    listing.set_defaults(func=cmd_list)
    show = parser.add_parser("show", help="one complaint and its timeline")
    show.add_argument("number")
    show.add_argument("--json", action="store_true")
    show.add_argument("--as", dest="viewer", type=account_name, help="as this staff member may see")
    show.set_defaults(func=cmd_show)


async def _complaints(viewer_name: str | None):
    if viewer_name is None:
        return Complaint.all()
    viewer = await Agent.get_or_none(name=viewer_name)
    if viewer is None:
        raise UsageError(f"no staff member named {viewer_name}")
    return visible_to(viewer)


def _row(complaint: Complaint) -> dict:
    return {"number": complaint.number, "step": complaint.step, "category": complaint.category,
            "severity": complaint.severity, "major_reasons": complaint.major_reasons, "serious": complaint.serious,
            "order_no": complaint.order.order_no if complaint.order else None, "owner_id": complaint.owner_id,
            "escalated_to": complaint.escalated_to,
            "step_due_at": complaint.step_due_at.isoformat() if complaint.step_due_at else None,
            "created_at": complaint.created_at.isoformat(),
            "closed_at": complaint.closed_at.isoformat() if complaint.closed_at else None}


def _line(row: dict) -> str:
    due = row["step_due_at"] or "-"
    flags = " MAJOR" if row["severity"] == "major" else ""
    flags += f" ESCALATED:{row['escalated_to']}" if row["escalated_to"] else ""
    return f"{row['number']}  {row['step']:<11} {row['category']:<9} {row['order_no'] or '-':<20} due {due}{flags}"


def cmd_list(args: argparse.Namespace, command: Command) -> int:
    async def run() -> int:
        query = await _complaints(args.viewer)
        if args.open:
            query = query.filter(closed_at__isnull=True)
        found = await query.order_by("step_due_at", "id").prefetch_related("order")
        for complaint in found:
            row = _row(complaint)
            print(json.dumps(row, ensure_ascii=False) if args.json else _line(row))
        print(f"{len(found)} complaint(s)", file=sys.stderr)
        return 0

    return command.run_with(COMPLAINTS, lambda desk: run())  # uses only the database the runtime opened


def cmd_show(args: argparse.Namespace, command: Command) -> int:
    async def run() -> int:
        query = await _complaints(args.viewer)
        complaint = await query.get_or_none(number=args.number.upper()[:24]).prefetch_related("order")
        if complaint is None:
            print(f"no complaint {args.number}", file=sys.stderr)
            return 1
        steps = await ComplaintStep.filter(complaint_id=complaint.id).order_by("at", "id")
        row = _row(complaint)
        row["timeline"] = [{"at": s.at.isoformat(), "action": s.action, "from": s.from_step, "to": s.to_step,
                            "actor": s.actor} for s in steps]
        if args.json:
            print(json.dumps(row, ensure_ascii=False))
            return 0
        print(_line(row))
        for step in row["timeline"]:
            print(f"  {step['at']}  {step['action']:<12} {step['from'] or '-'} → {step['to'] or '-'}  {step['actor']}")
        return 0

    return command.run_with(COMPLAINTS, lambda desk: run())  # uses only the database the runtime opened
