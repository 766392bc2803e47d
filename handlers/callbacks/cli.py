"""`csbot callbacks ...` (docs/rules.md R-CALLBACK-8):

    callbacks stats [--month YYYY-MM] [--json]   success rate, compliance, satisfaction per kind
    callbacks due [--json]                       what is due now: kind, customer (masked), way
    callbacks sweep                              create and group what is due now (also daily)

Output names customers masked only (R-PRIV-1); labels come from scripts_zh/callbacks_console.yaml.
"""

from __future__ import annotations

import argparse
import json

from handlers.callbacks import schedule, service
from handlers.callbacks.desk import DESK, CallbackDesk
from handlers.callbacks.stats import COUNTS, check_month, month_figures
from models.callback import CALLBACK_KINDS


def month(text: str) -> str:
    try:
        return check_month(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_commands(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("callbacks", help="satisfaction callbacks (回访)")
    actions = parser.add_subparsers(dest="action", required=True)
    stats = actions.add_parser("stats", help="success rate, compliance and satisfaction per kind")
    stats.add_argument("--month", type=month, help="YYYY-MM, shop time (default: this month)")
    stats.add_argument("--json", action="store_true", help="print the figures as JSON")
    stats.set_defaults(func=lambda args, command: command.run_with(DESK, lambda desk: _stats(args, desk)))
    due = actions.add_parser("due", help="callbacks due now, customers masked")
    due.add_argument("--json", action="store_true", help="one JSON object per line")
    due.set_defaults(func=lambda args, command: command.run_with(DESK, lambda desk: _due(args, desk)))
    sweep = actions.add_parser("sweep", help="create and group the callbacks due now (the daily job does it too)")
    sweep.set_defaults(func=lambda args, command: command.run_with(DESK, _sweep))


def _label(desk: CallbackDesk, key: str) -> str:
    return desk.messenger.render(f"callbacks_console.{key}")


async def _stats(args: argparse.Namespace, desk: CallbackDesk) -> int:
    now = desk.now()
    figures = await month_figures(args.month or f"{now.astimezone(desk.zone):%Y-%m}", now, desk.zone)
    if args.json:
        print(json.dumps(figures, ensure_ascii=False))
        return 0
    heads = ["col_kind", *(f"col_{name}" if name != "due" else "col_due_count" for name in COUNTS),
             "col_success_rate", "col_compliance", "col_satisfaction"]
    print(figures["month"])
    print("\t".join(_label(desk, head) for head in heads))
    for kind, row in [*((k, figures["kinds"][k]) for k in CALLBACK_KINDS), ("all_kinds", figures["all"])]:
        label = _label(desk, f"kind_{kind}" if kind != "all_kinds" else kind)
        shares = [f"{row[name]:.1%}" if row[name] is not None else "-"
                  for name in ("success_rate", "compliance", "satisfaction")]
        print("\t".join([label, *(str(row[name]) for name in COUNTS), *shares]))
    return 0


async def _due(args: argparse.Namespace, desk: CallbackDesk) -> int:
    rows = await service.due_tasks(desk)
    for row in rows:
        customer = row["customer"]
        line = {"task": row["id"], "kinds": row["kinds"], "customer": customer["name"] or f"#{customer['id']}",
                "phone": customer["phone"], "way": row["way"], "due_at": row["due_at"].isoformat()}
        if args.json:
            print(json.dumps(line, ensure_ascii=False))
        else:
            kinds = "、".join(_label(desk, f"kind_{kind}") for kind in row["kinds"])
            print("\t".join([str(row["id"]), kinds, line["customer"], line["phone"] or "-",
                             _label(desk, f"channel_{row['way']}"), line["due_at"]]))
    if not rows and not args.json:
        print(_label(desk, "empty"))
    return 0


async def _sweep(desk: CallbackDesk) -> int:
    print(await schedule.sweep(desk))
    return 0
